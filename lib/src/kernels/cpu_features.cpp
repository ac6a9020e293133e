// See cpu_features.hpp. Compiled for the build's baseline ISA.
#include "cpu_features.hpp"

#if FIRMNET_X86_DISPATCH
#include <cpuid.h>

#include <initializer_list>

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

namespace {
// CPUID's deterministic cache parameters, one subleaf per cache: EAX[4:0] type (1: data),
// EAX[7:5] level, EBX ways - 1 [31:22], partitions - 1 [21:12], line bytes - 1 [11:0], ECX sets - 1.
// Leaf 4 is Intel's (AMD leaves it empty), 0x8000001D AMD's; __get_cpuid_count refuses a leaf
// past the CPU's last.
L1Data l1_from_cpuid() noexcept {
  for (const unsigned leaf : {4u, 0x8000001Du}) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    for (unsigned sub = 0; sub < 16 && __get_cpuid_count(leaf, sub, &a, &b, &c, &d); ++sub) {
      const unsigned type = a & 31, level = (a >> 5) & 7;
      if (type == 0) break;  // no more caches
      if (type != 1 || level != 1) continue;
      const std::size_t ways = (b >> 22) + 1, parts = ((b >> 12) & 1023) + 1, line = (b & 4095) + 1, sets = std::size_t(c) + 1;
      if (line != 64) return {};  // the plan counts 64-byte lines
      return {ways * parts * line * sets, ways};
    }
  }
  return {};
}

L1Data detect_l1() noexcept {
  const char* forced = std::getenv("FIRMNET_L1D");
  if (!forced || !*forced) return l1_from_cpuid();
  char* end = nullptr;
  const unsigned long kib = std::strtoul(forced, &end, 10);
  unsigned long ways = 0;
  if (end != forced && *end == '/') {
    const char* w = end + 1;
    ways = std::strtoul(w, &end, 10);
    if (end == w) ways = 0;
  }
  if (*end != '\0' || kib == 0 || kib > 4096 || ways == 0 || ways > 64 || kib * 1024 < ways * 64) {
    std::fprintf(stderr, "firmnet: FIRMNET_L1D=%s is not <KiB>/<ways> (e.g. 32/8); ignored\n", forced);
    return l1_from_cpuid();
  }
  return {kib * 1024, ways};
}
}  // namespace

L1Data x86_l1_data() noexcept {
  static const L1Data l1 = detect_l1();
  return l1;
}

}  // namespace firmnet::kernels
#endif
