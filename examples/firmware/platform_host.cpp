// The firmware apps' platform on a hosted build: stdout and exit(); nothing is measured.
#include <cstdio>
#include <cstdlib>

#include "platform.hpp"

void platform::write(const char* text) { std::fputs(text, stdout); }
void platform::exit(int code) {
  std::fflush(stdout);
  std::exit(code);
}
void platform::calibrate_instructions() {}
bool platform::counts_instructions() { return false; }
std::uint32_t platform::instructions() { return 0; }
void platform::paint_stack() {}
std::size_t platform::stack_used() { return 0; }
std::size_t platform::static_ram() { return 0; }
std::size_t platform::flash_used() { return 0; }
