// kernels/blocking.hpp: the block sizes of the GEMM, one struct per ISA, as BLIS configures them.
//   MR x NR: the register tile of the microkernel (MR rows broadcast, NR columns in NR/W vectors)
//   KC:      depth of one packed block: an MR x KC A panel and a KC x NR B panel stay in L1
//   MC:      rows of A packed at once (MC x KC in L2); NC: columns of B packed at once (KC x NC in L3)
// MC is a multiple of MR and NC of NR. AVX-512 and SSE tuned on a Zen 4 (32 KiB L1d, 1 MiB L2),
// AVX2 for a 512 KiB L2, with bench/firmnet_bench; see BENCHMARKS.md.
#pragma once

#include <cstddef>

#include "firmnet/kernels/simd.hpp"

namespace firmnet::kernels {

// The limits every ISA's block sizes stay within. The scratch bound below is computed from them,
// so a caller's scratch sized by it fits whichever variant the CPU runs.
inline constexpr std::size_t kMaxMR = 8, kMaxNR = 32, kMaxMC = 128, kMaxKC = 256, kMaxNC = 1024;
inline constexpr std::size_t kMaxW = 16;  // floats per vector (AVX-512)
inline constexpr std::size_t kMaxPackA = kMaxMC * kMaxKC;  // MC x KC floats
inline constexpr std::size_t kMaxPackB = kMaxKC * kMaxNC;  // KC x NC floats

template <std::size_t MR_, std::size_t NR_, std::size_t MC_, std::size_t KC_, std::size_t NC_>
struct BlockSizes {
  static constexpr std::size_t MR = MR_, NR = NR_, MC = MC_, KC = KC_, NC = NC_;
  static_assert(MC % MR == 0 && NC % NR == 0);
  static_assert(MR <= kMaxMR && NR <= kMaxNR && MC <= kMaxMC && KC <= kMaxKC && NC <= kMaxNC,
                "raise the kMax limits (and with them every caller's scratch bound) first");
};

// The L1 data cache the blocked GEMM plans for. x86 reads it from CPUID at the first product
// (gemm_dispatch.hpp: gemm_l1); elsewhere, or where CPUID tells nothing usable, it is this
// default: the 32 KiB 8-way L1 of Zen 2-4 and of Intel's cores before Ice Lake. The choices it
// steers (where the AVX variants read A: in place, copied or packed; gemm_blocked.hpp) are of
// speed only: the bits of a product never depend on them.
struct L1Data {
  std::size_t bytes = 32 * 1024, ways = 8;
  friend constexpr bool operator==(const L1Data&, const L1Data&) = default;
};

// Whether one set of L1 holds `lines` lines at once: the rows of a tile of A read in place fall
// into one set when they are a multiple of the way size (bytes / ways, 4 KiB on the CPUs above)
// apart, as a 1024- or 3072-wide row-major matrix's are. False where nothing is known.
constexpr bool l1_set_holds(const L1Data& l1, std::size_t lines) noexcept {
  return l1.ways != 0 && l1.bytes >= l1.ways * 64 && lines <= l1.ways;
}

// Whether L1 keeps `rows` lines of one set beside a contiguous panel of panel_bytes (a line in
// every set per way size of it) and one more line (C, the next row): what a tile of rows read
// in place a page apart needs beside its packed panel of B.
constexpr bool l1_holds_rows_beside_panel(const L1Data& l1, std::size_t rows, std::size_t panel_bytes) noexcept {
  if (!l1_set_holds(l1, 1)) return false;
  const std::size_t way = l1.bytes / l1.ways;
  return l1_set_holds(l1, rows + (panel_bytes + way - 1) / way + 1);
}

#if FIRMNET_HAVE_XSIMD
template <class Arch>
struct Blocking;  // specialised per ISA below; an ISA without one falls back to its parent's

template <class Arch>
  requires simd::is_avx512<Arch>
struct Blocking<Arch> : BlockSizes<8, 32, 128, 256, 1024> {};  // 16 zmm accumulators

// 12 ymm accumulators (Haswell's shape). NC 256: the packed KC x NC block of B is 256 KiB, half of
// the 512 KiB L2 of the AVX2-only CPUs most people have (Zen 2/3), so its panels stay in L2 for
// every MC block of A; at NC 1024 (1 MiB) they came from L3 each time. Same speed on the 2 MiB L2
// of the Xeon this was measured on (A/B, 512^3 and 1024^3 within 1 %); A, read in place, is
// re-read once per NC block. Where A is copied instead (tall and deep, gemm_blocked.hpp), B's
// blocks span kMaxNC columns, so that A is read once per K block.
template <class Arch>
  requires(simd::is_avx<Arch> && !simd::is_avx512<Arch>)
struct Blocking<Arch> : BlockSizes<6, 16, 120, 256, 256> {};

template <class Arch>
  requires(!simd::is_avx<Arch> && xsimd::batch<float, Arch>::size == 4)
struct Blocking<Arch> : BlockSizes<4, 8, 128, 256, 1024> {};   // SSE, NEON: 8 of 16 xmm/q registers

// The depth of the K blocks of a product of depth k: k itself up to KC (one block; 0 for an empty
// sum). Deeper, AVX2 splits K into equal blocks of at most KC (784 = 4 x 196, not 3 x 256 + 16):
// every block pays the same C update, which a 16-deep last block could not amortise; the others
// take KC at a time. Every path of an ISA that cuts K uses this, so an element's sum is cut at the
// same depths whichever path computes it.
template <class Arch>
constexpr std::size_t kc_step(std::size_t k) noexcept {
  constexpr std::size_t KC = Blocking<Arch>::KC;
  if (k <= KC) return k;
  if constexpr (simd::is_avx<Arch> && !simd::is_avx512<Arch>) {
    const std::size_t blocks = (k + KC - 1) / KC;
    return (k + blocks - 1) / blocks;
  }
  return KC;
}
#endif

// Floats every scratch bound below adds so that both pack buffers can start on a cache line,
// whatever the alignment of the caller's scratch (gemm_blocked.hpp: pack_buffers).
inline constexpr std::size_t kPackAlignSlack = 32;

// Floats of pack buffers one GEMM C(m, n) = A(m, k)·B(k, n) needs, on any compiled variant: an
// upper bound of what gemm_blocked.hpp carves out of the caller's scratch. b_rows_contiguous: B's
// n values of one depth step are adjacent (the nn and tn forms), which lets m <= 4 skip packing.
// Non-decreasing in m, n and k, so a bound for the largest batch holds for every smaller one.
// SIMD-less builds pack nothing.
constexpr std::size_t gemm_scratch_floats(std::size_t m, std::size_t n, std::size_t k, bool b_rows_contiguous) noexcept {
#if FIRMNET_HAVE_XSIMD
  if (m == 0 || n == 0 || k == 0) return 0;
  if (m <= 4 && b_rows_contiguous) return 0;  // the small-M path reads A and B in place
  auto min = [](std::size_t a, std::size_t b) { return a < b ? a : b; };
  const std::size_t kc = min(k, kMaxKC);
  // Blocked: an A block of MC rows rounded up to MR, a B block of NC columns rounded up to NR.
  const std::size_t blocked = (min(m + kMaxMR - 1, kMaxMC) + min(n + kMaxNR - 1, kMaxNC)) * kc;
  // Narrow N (n no wider than one vector): B packed once over the whole depth, up to 16 columns.
  const std::size_t narrow = n <= kMaxW && k * kMaxW <= kMaxPackB ? k * kMaxW : 0;
  return (blocked > narrow ? blocked : narrow) + kPackAlignSlack;
#else
  (void)m, (void)n, (void)k, (void)b_rows_contiguous;
  return 0;
#endif
}
// The largest scratch any single GEMM needs: a thread that may run any product owns this much.
inline constexpr std::size_t kMaxGemmScratch = kMaxPackA + kMaxPackB + kPackAlignSlack;

}  // namespace firmnet::kernels
