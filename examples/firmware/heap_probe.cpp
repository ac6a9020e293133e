// A firmware image that does use the heap: the no-heap map check must reject it
// (test firmware.no_heap_check_can_fail).
#include <cstdlib>

#include "platform.hpp"

[[noreturn]] void firmware_contract_failed(const char*, const char*, int) noexcept { platform::exit(3); }

int main() {
  void* volatile p = std::malloc(16);
  std::free(p);
  platform::exit(0);
}
