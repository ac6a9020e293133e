// Catch2 v2 main for every firmnet test binary (Debian's libCatch2WithMain.a is x86-64 only, so
// cross builds need their own). Prints the kernel architecture first, so a log shows what ran.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "firmnet/core/arch.hpp"
#include "support/cpu.hpp"

// ctest's SKIP_RETURN_CODE: a test that needs an instruction set this CPU lacks (named by
// FIRMNET_REQUIRE_ISA, see tests/CMakeLists.txt) is reported as skipped, never as passed.
constexpr int kSkipped = 77;

int main(int argc, char* argv[]) {
  if (const char* isa = std::getenv("FIRMNET_REQUIRE_ISA"); isa && !firmnet::test::cpu_allows(isa)) {
    std::printf("skipped: this CPU has no %s (or FIRMNET_MAX_ISA rules it out)\n", isa);
    return kSkipped;
  }
  // Not while listing: catch_discover_tests reads every line of --list-test-names-only as a name.
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::strncmp(argv[i], "--list", 6) == 0;
  if (!listing) std::printf("firmnet kernels: %s\n", firmnet::kernel_arch_name());
  return Catch::Session().run(argc, argv);
}
