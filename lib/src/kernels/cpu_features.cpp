// See cpu_features.hpp. Compiled for the build's baseline ISA.
#include "cpu_features.hpp"

#if FIRMNET_X86_DISPATCH
#include <cpuid.h>

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
// The L1 data cache as Linux reads it. Intel: leaf 4, one subleaf per cache (EAX[4:0] type, 1:
// data; EAX[7:5] level; EAX[9] fully associative; EBX ways - 1 [31:22], partitions - 1 [21:12],
// line bytes - 1 [11:0]; ECX sets - 1). AMD and Hygon: the same layout in leaf 0x8000001D where
// the CPU has it (topology extensions), else the legacy leaf 0x80000005 (ECX: KiB [31:24], ways
// [23:16] with 0xFF for fully associative, line bytes [7:0]). __get_cpuid_count refuses a leaf
// past the CPU's last. A cache of other than 64-byte lines is not planned for: the default.
L1Data l1_from_leaf(unsigned leaf) noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
  for (unsigned sub = 0; sub < 16 && __get_cpuid_count(leaf, sub, &a, &b, &c, &d); ++sub) {
    const unsigned type = a & 31, level = (a >> 5) & 7;
    if (type == 0) break;  // no more caches
    if (type != 1 || level != 1) continue;
    const std::size_t parts = ((b >> 12) & 1023) + 1, line = (b & 4095) + 1, sets = std::size_t(c) + 1;
    const std::size_t bytes = ((b >> 22) + 1) * parts * line * sets;
    if (line != 64) return {};
    return {bytes, (a >> 9) & 1 ? bytes / 64 : (b >> 22) + 1};
  }
  return {0, 0};
}

L1Data l1_from_cpuid() noexcept {
  unsigned top = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(0, &top, &b, &c, &d)) return {};
  char vendor[13] = {};  // EBX, EDX, ECX
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  const bool amd = std::strcmp(vendor, "AuthenticAMD") == 0 || std::strcmp(vendor, "HygonGenuine") == 0;
  L1Data l1{0, 0};
  if (!amd) l1 = l1_from_leaf(4);
  else if (l1 = l1_from_leaf(0x8000001Du); l1.ways == 0 && __get_cpuid(0x80000005u, &top, &b, &c, &d)) {
    const std::size_t ways = (c >> 16) & 0xff, bytes = std::size_t(c >> 24) * 1024;
    if ((c & 0xff) == 64 && ways != 0) l1 = {bytes, ways == 0xff ? bytes / 64 : ways};
  }
  return l1.ways != 0 ? l1 : L1Data{};
}

L1Data detect_l1() noexcept {
  const char* forced = std::getenv("FIRMNET_L1D");
  if (!forced || !*forced) return l1_from_cpuid();
  // Digits, a slash, digits: strtoul alone would also take signs and leading blanks.
  const auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
  char* end = const_cast<char*>(forced);
  unsigned long kib = 0, ways = 0;
  if (digit(*forced)) kib = std::strtoul(forced, &end, 10);
  if (kib != 0 && *end == '/' && digit(end[1])) ways = std::strtoul(end + 1, &end, 10);
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
