// core/contract.hpp: precondition checks that stay on in release builds.
// A violated precondition is a programming error (a batch larger than its capacity, a label
// outside the class range reaching a loss), never bad user input: those are checked in io/ with
// clear messages. The check costs one compare per call, so it is never in an inner loop.
// Freestanding-safe: no exceptions, no heap; prints through stdio (semihosting on firmware).
#pragma once

#include <cstdio>
#include <cstdlib>

namespace firmnet::detail {

[[noreturn]] inline void contract_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "firmnet: precondition failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}

}  // namespace firmnet::detail

#define FIRMNET_EXPECTS(cond) \
  ((cond) ? static_cast<void>(0) : ::firmnet::detail::contract_failed(#cond, __FILE__, __LINE__))
