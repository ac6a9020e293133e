// tests/support/cpu.hpp: what this x86 CPU may run, decided here independently of the library's
// dispatcher (so tests can hold the dispatcher to it): the CPU's own flags, lowered by
// FIRMNET_MAX_ISA (avx2: no AVX-512; sse2: neither) exactly as the README documents it.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>

namespace firmnet::test {

// isa: "avx2" (AVX2 + FMA), "avx512" (F, CD, DQ, BW, VL), "avx512vnni" (and VNNI).
inline bool cpu_allows(const std::string& isa) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
                      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl");
  const char* cap = std::getenv("FIRMNET_MAX_ISA");
  const std::string level = cap ? cap : "";
  const bool cap_512 = level == "avx2" || level == "sse2", cap_avx2 = level == "sse2";
  if (isa == "avx2") return avx2 && !cap_avx2;
  if (isa == "avx512") return avx512 && !cap_512;
  if (isa == "avx512vnni") return avx512 && !cap_512 && __builtin_cpu_supports("avx512vnni");
#endif
  (void)isa;
  return false;
}

}  // namespace firmnet::test
