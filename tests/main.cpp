// Catch2 v2 main for every firmnet test binary (Debian's libCatch2WithMain.a is x86-64 only, so
// cross builds need their own). Prints the kernel architecture first, so a log shows what ran.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>

#include "firmnet/core/arch.hpp"

int main(int argc, char* argv[]) {
  // Not while listing: catch_discover_tests reads every line of --list-test-names-only as a name.
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::strncmp(argv[i], "--list", 6) == 0;
  if (!listing) std::printf("firmnet kernels: %s\n", firmnet::kernel_arch_name());
  return Catch::Session().run(argc, argv);
}
