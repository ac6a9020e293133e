// core/contract.hpp: precondition checks that stay on in release builds.
// A violated precondition is a programming error (a batch larger than its capacity, a label
// outside the class range reaching a loss), never bad user input: those are checked in io/ with
// clear messages. The check costs one compare per call, so it is never in an inner loop.
// Hosted builds print the failed condition and abort. Firmware defines
// FIRMNET_CONTRACT_HANDLER=<function> with the signature below to report it its own way (the
// default would link stdio, and with it malloc, into the image).
#pragma once

#if defined(FIRMNET_CONTRACT_HANDLER)
[[noreturn]] void FIRMNET_CONTRACT_HANDLER(const char* expr, const char* file, int line) noexcept;
#else
#include <cstdio>
#include <cstdlib>
#endif

namespace firmnet::detail {

[[noreturn]] inline void contract_failed(const char* expr, const char* file, int line) noexcept {
#if defined(FIRMNET_CONTRACT_HANDLER)
  FIRMNET_CONTRACT_HANDLER(expr, file, line);
#else
  std::fprintf(stderr, "firmnet: precondition failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
#endif
}

}  // namespace firmnet::detail

#define FIRMNET_EXPECTS(cond) \
  ((cond) ? static_cast<void>(0) : ::firmnet::detail::contract_failed(#cond, __FILE__, __LINE__))
