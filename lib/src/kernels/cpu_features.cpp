// See cpu_features.hpp. Compiled for the build's baseline ISA.
#include "cpu_features.hpp"

#if FIRMNET_X86_DISPATCH
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace firmnet::kernels {

namespace {
X86Features detect() noexcept {
  __builtin_cpu_init();
  X86Features f;
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  f.avx512 = f.avx2_fma && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl");
  f.avx512_vnni = f.avx512 && __builtin_cpu_supports("avx512vnni");
  const char* cap = std::getenv("FIRMNET_MAX_ISA");
  if (!cap || !*cap || std::strcmp(cap, "avx512") == 0) return f;
  if (std::strcmp(cap, "avx2") == 0) {
    f.avx512 = f.avx512_vnni = false;
  } else if (std::strcmp(cap, "sse2") == 0) {
    f = X86Features{};
  } else {
    std::fprintf(stderr, "firmnet: FIRMNET_MAX_ISA=%s is not a level (avx512, avx2, sse2); ignored\n", cap);
  }
  return f;
}
}  // namespace

X86Features x86_features() noexcept {
  static const X86Features features = detect();
  return features;
}

}  // namespace firmnet::kernels
#endif
