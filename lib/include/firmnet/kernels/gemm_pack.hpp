// kernels/gemm_pack.hpp: copies blocks of A and B into the panel layouts the microkernel reads,
// zero-padding the last panel so edge tiles compute on zeros instead of reading past the matrix.
//   A panels: MR rows each, k-major: ap[(p·kc + k)·MR + r] = A(p·MR + r, k)
//   B panels: NR columns each, k-major: bp[(q·kc + k)·NR + c] = B(k, q·NR + c)
// Sources are addressed as "element (i, k) at base + i·row_stride + k·k_stride", so one routine
// reads A of X·W (row-major, k contiguous: a transpose per panel) and A of Xᵀ·dY (stored (K, M):
// MR contiguous floats per k, a copy); the same for B. The contiguous case copies whole vectors
// and the transposing case uses 8 x 8 register transposes where AVX has them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "firmnet/core/contract.hpp"

#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

// Where the pack buffers go in the caller's scratch (`need` floats: packed A, a whole number of
// cache lines, then packed B). Both start on a cache line when the scratch leaves room, as every
// bound of blocking.hpp does (kPackAlignSlack): a bench's std::vector starts 16 bytes past a
// page, and with a packed B panel off its lines every other 8-float load straddles two of them
// (AVX2 on a Zen 4, scratch 16 bytes off: 256^3 107.6 -> 110.3 GFLOP/s, 512^3 107.6 -> 109.8).
// A scratch of exactly `need` floats still works, unaligned. The bits never depend on it.
// A template, as everything here: each ISA's translation unit keeps its own copy.
template <class Arch>
float* pack_buffers(std::span<float> scratch, std::size_t need) noexcept {
  FIRMNET_EXPECTS(scratch.size() >= need);
  const auto address = reinterpret_cast<std::uintptr_t>(scratch.data());
  const std::size_t skip = ((64 - address % 64) % 64) / sizeof(float);  // floats to the next line
  return scratch.data() + (scratch.size() >= skip + need ? skip : 0);
}

template <class Arch, std::size_t P>
void pack_panels(Strided src, std::size_t rows, std::size_t kc, float* dst) noexcept {
  const std::size_t full = rows - rows % P;  // rows in whole panels
  if (src.row_stride == 1) {
    // The P values of one k are contiguous in the source (A stored (K, M), or B stored (K, N)):
    // P floats of a source row to each panel, in vector copies.
    // A block narrower than rows a page or more apart (AVX2's 256 columns of a 1024-wide B: 1 KiB
    // of every 4 KiB) starts a new stream on every page, which the hardware prefetcher has to
    // learn again each time; then rows a few steps on are prefetched while these are copied: the
    // pack of NN 1024^3 went from 3.1-4.7 % of its time to 2.1-2.9 % (AVX2, Zen 4, with the
    // copies in whole vectors). Whole rows (AVX-512's 1024 columns) are one stream, which the
    // hardware follows unaided.
    using V = xsimd::batch<float, Arch>;
    constexpr std::size_t W = V::size;
    const bool prefetch = full < src.k_stride && src.k_stride * sizeof(float) >= 4096;
    auto copy = [&](std::size_t k, std::size_t p0) {
      const float* from = element<Arch>(src, p0, k);
      float* to = dst + p0 * kc + k * P;
      if constexpr (P % W == 0) {  // whole vectors (GCC copies 16 floats with 4 SSE moves)
#pragma GCC unroll 4
        for (std::size_t v = 0; v < P; v += W) V::load_unaligned(from + v).store_unaligned(to + v);
      } else {
        std::memcpy(to, from, P * sizeof(float));
      }
    };
    // Panels of a whole cache line or more per step (B's, P = 16 or 32): kGroup depth steps per
    // panel, then the next panel, so that a panel receives kGroup·P contiguous floats (8 whole
    // lines for P = 16) where a step at a time wrote one line to every panel, the panels KC·P
    // floats apart (16 KiB at P = 16: the same L1 set for all of them). A pack of a 256 x 256
    // block of a 512-wide B, alone: 9.6 -> 5.2 us (AVX2, Zen 4; 8 beat 2, 4 and 16); within NN
    // 512^3, from 4.0 % of the time to 2.7 % (there B comes from L3). Rows a page apart: each
    // panel's lines of the next group are prefetched as the panel is copied.
    // Narrower panels (A's, 6 of the 3072 columns of Xᵀ) keep a step at a time: the rows of a
    // group, a multiple of 4 KiB apart, share L1 sets, and grouped the pack of TN 3072x128x64 took
    // 9.5 % of its profile against 5.6 %.
    if constexpr (P >= 16 && P % W == 0) {
      constexpr std::size_t kGroup = 8;
      std::size_t k0 = 0;
      for (; k0 + kGroup <= kc; k0 += kGroup) {
        const bool ahead = prefetch && k0 + 2 * kGroup <= kc;
        for (std::size_t p0 = 0; p0 < full; p0 += P) {
          if (ahead)
            for (std::size_t k = k0 + kGroup; k < k0 + 2 * kGroup; ++k)
              for (std::size_t j = 0; j < P; j += 16) __builtin_prefetch(element<Arch>(src, p0 + j, k));
#pragma GCC unroll 8
          for (std::size_t k = k0; k < k0 + kGroup; ++k) copy(k, p0);
        }
      }
      for (; k0 < kc; ++k0)
        for (std::size_t p0 = 0; p0 < full; p0 += P) copy(k0, p0);
    } else {
      constexpr std::size_t kPackAhead = 4;
      auto prefetch_row = [&](std::size_t k) {
        if (!prefetch || k + kPackAhead >= kc) return;
        const float* ahead = element<Arch>(src, 0, k + kPackAhead);
        for (std::size_t j = 0; j < full; j += 16) __builtin_prefetch(ahead + j);  // one cache line each
      };
      std::size_t k = 0;
      if constexpr (simd::is_avx256<Arch> && P < W && 2 * P >= W) {
        // AVX2's 6-wide A panels: each step's 6 floats moved as one 8-float vector (GCC's 24-byte
        // memcpy is a 16- and an 8-byte move), two steps per panel at a time. The 2 extra floats
        // land on the start of the panel's next step, which is stored after them; they are read
        // from within the source (the row's next values, or the next row's first: there is a
        // next row while k + 1 < kc). The last step is copied exactly, so nothing is written past
        // a panel. A pack of 120 x 64 from Xᵀ (rows 3072 or 784 floats): 918 -> 662 ns and
        // 1018 -> 699 ns (Zen 4).
        for (; k + 2 < kc; k += 2) {
          prefetch_row(k);
          prefetch_row(k + 1);
          for (std::size_t p0 = 0; p0 < full; p0 += P)
#pragma GCC unroll 2
            for (std::size_t s = k; s < k + 2; ++s)
              V::load_unaligned(element<Arch>(src, p0, s)).store_unaligned(dst + p0 * kc + s * P);
        }
        for (; k + 1 < kc; ++k)
          for (std::size_t p0 = 0; p0 < full; p0 += P)
            V::load_unaligned(element<Arch>(src, p0, k)).store_unaligned(dst + p0 * kc + k * P);
      }
      for (; k < kc; ++k) {
        prefetch_row(k);
        for (std::size_t p0 = 0; p0 < full; p0 += P) copy(k, p0);
      }
    }
  } else {
    for (std::size_t p0 = 0; p0 < full; p0 += P) {
      float* panel = dst + p0 * kc;  // (p0 / P) panels of P·kc floats before this one
      std::size_t k = 0;
      if constexpr (simd::is_avx<Arch> && P % 8 == 0) {
        if (src.k_stride == 1) {  // row-major source: 8 x 8 transposes, 8 rows by 8 k at a time
          for (std::size_t r = 0; r < P; r += 8) {
            const float* row[8];
            for (std::size_t i = 0; i < 8; ++i) row[i] = element<Arch>(src, p0 + r + i, 0);
            for (std::size_t kk = 0; kk + 8 <= kc; kk += 8) simd::transpose_8x8<Arch>(row, kk, panel + kk * P + r, P);
          }
          k = kc - kc % 8;
        }
      }
      for (; k < kc; ++k)
        for (std::size_t r = 0; r < P; ++r) panel[k * P + r] = *element<Arch>(src, p0 + r, k);
    }
  }
  if (full == rows) return;
  float* panel = dst + full * kc;  // the last, partial panel: zero-padded
  for (std::size_t k = 0; k < kc; ++k) {
    for (std::size_t r = 0; r < rows - full; ++r) panel[k * P + r] = *element<Arch>(src, full + r, k);
    for (std::size_t r = rows - full; r < P; ++r) panel[k * P + r] = 0.0f;
  }
}

// Rows [0, rows) of a row-major block, kc floats each, copied one after another (row stride kc):
// no transpose, so the copy costs a read of the block and the microkernel still broadcasts from
// rows (gemm_ukr.hpp, LDA = 0). AVX2 reads a tall, deep row-major A this way (gemm_blocked.hpp).
template <class Arch>
void copy_rows(const float* src, std::size_t row_stride, std::size_t rows, std::size_t kc, float* dst) noexcept {
  using V = xsimd::batch<float, Arch>;
  constexpr std::size_t W = V::size;
  for (std::size_t r = 0; r < rows; ++r, src += row_stride, dst += kc) {
    std::size_t k = 0;
    for (; k + W <= kc; k += W) V::load_unaligned(src + k).store_unaligned(dst + k);
    for (; k < kc; ++k) dst[k] = src[k];
  }
}

// Part `part` of `parts` of the cache lines of a row-major block (rows x cols floats, row_stride
// apart) prefetched toward L2 (prefetcht1): the driver spreads the next block of A over the tiles
// of the current one (gemm_blocked.hpp), so that block's copy reads it from L2 instead of from L3.
template <class Arch>
void prefetch_lines_part(const float* src, std::size_t row_stride, std::size_t rows, std::size_t cols,
                         std::size_t part, std::size_t parts) noexcept {
  const std::size_t per_row = (cols + 15) / 16, lines = rows * per_row;
  const std::size_t first = part * lines / parts, last = (part + 1) * lines / parts;
  for (std::size_t l = first; l < last; ++l) __builtin_prefetch(src + l / per_row * row_stride + l % per_row * 16, 0, 2);
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
