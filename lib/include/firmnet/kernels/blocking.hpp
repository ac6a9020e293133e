// kernels/blocking.hpp: the block sizes of the GEMM, one struct per ISA, as BLIS configures them.
//   MR x NR: the register tile of the microkernel (MR rows broadcast, NR columns in NR/W vectors)
//   KC:      depth of one packed block: an MR x KC A panel and a KC x NR B panel stay in L1
//   MC:      rows of A packed at once (MC x KC in L2); NC: columns of B packed at once (KC x NC in L3)
// MC is a multiple of MR and NC of NR. Tuned on a Zen 4 (32 KiB L1d, 1 MiB L2) with
// bench/firmnet_bench; see BENCHMARKS.md.
#pragma once

#include <cstddef>

#include "firmnet/kernels/simd.hpp"

namespace firmnet::kernels {

template <std::size_t MR_, std::size_t NR_, std::size_t MC_, std::size_t KC_, std::size_t NC_>
struct BlockSizes {
  static constexpr std::size_t MR = MR_, NR = NR_, MC = MC_, KC = KC_, NC = NC_;
  static_assert(MC % MR == 0 && NC % NR == 0);
};

#if FIRMNET_HAVE_XSIMD
template <class Arch>
struct Blocking;  // specialised per ISA below; an ISA without one falls back to its parent's

template <class Arch>
  requires simd::is_avx512<Arch>
struct Blocking<Arch> : BlockSizes<8, 32, 128, 256, 1024> {};  // 16 zmm accumulators

template <class Arch>
  requires(simd::is_avx<Arch> && !simd::is_avx512<Arch>)
struct Blocking<Arch> : BlockSizes<6, 16, 120, 256, 1024> {};  // 12 ymm accumulators (Haswell's shape)

template <class Arch>
  requires(!simd::is_avx<Arch> && xsimd::batch<float, Arch>::size == 4)
struct Blocking<Arch> : BlockSizes<4, 8, 128, 256, 1024> {};   // SSE, NEON: 8 of 16 xmm/q registers
#endif

// The largest pack buffers any ISA needs, for the per-thread workspace.
inline constexpr std::size_t kMaxPackA = 128 * 256;   // MC x KC floats
inline constexpr std::size_t kMaxPackB = 256 * 1024;  // KC x NC floats

}  // namespace firmnet::kernels
