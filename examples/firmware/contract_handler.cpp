// The firmware programs' precondition handler (FIRMNET_CONTRACT_HANDLER, see core/contract.hpp):
// reports over the platform and exits with status 3, without stdio.
#include "platform.hpp"

[[noreturn]] void firmware_contract_failed(const char* expr, const char* file, int line) noexcept {
  platform::write("firmnet: precondition failed: ");
  platform::write(expr);
  platform::write(" at ");
  platform::write(file);
  (void)line;
  platform::write("\n");
  platform::exit(3);
}
