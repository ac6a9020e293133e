// kernels/conv_direct.hpp: a convolution of zero-padded NHWC images with the im2col matrix read
// in place: no columns written, none packed. For window row ky, the KW·C values under output
// pixel (oy, ox) are adjacent in the padded image, and those of the next pixel across start S·C
// floats later, so a tile of MR pixels of one output row is an MR-row block of A with row stride
// S·C and contiguous depth, one block per ky. The microkernel broadcasts A straight from the
// image and walks all KH blocks with its accumulators in registers (no C update between them):
//   C(pixel, j) = bias(j) + Σ_ky Σ_t padded(n, oy·S + ky, ox·S + t / C, t % C) · B(ky·KW·C + t, j)
// which is cols·B in the order ky, then (kx, c): the same for every pixel, whatever tile or
// thread computes it, so the result does not depend on the split. B (the weights, (KH·KW·C, N),
// HWIO) is read in place; a last partial panel of columns is packed zero-padded into scratch.
// Pixels are tiled along output rows, in tiles of equal height up to MR.
// The caller pads the images (im2col.hpp's pad_images); ConvSource::padded marks such a source.
// Templates on Arch only: per-ISA translation units share no inline code (gemm_problem.hpp).
#pragma once

#include <cstddef>

#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/conv_pack.hpp"
#include "firmnet/kernels/gemm_pack.hpp"
#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

// Rows x NR of C (rows <= MR) over `segs` blocks of kc depth: A row r of block s at
// a + s·a_seg + r·a_row (contiguous in depth), B row t of block s at b + s·b_seg + t·ldb.
template <class Arch, std::size_t Rows, std::size_t NR>
struct ConvRowsUkr {
  using B = xsimd::batch<float, Arch>;
  static constexpr std::size_t W = B::size, NV = NR / W;
  static_assert(NR % W == 0, "NR must be a whole number of vectors");

  static void run(std::size_t segs, std::size_t kc, const float* a, std::size_t a_seg, std::size_t a_row,
                  const float* b, std::size_t b_seg, std::size_t ldb, float* c, std::size_t ldc, Init init,
                  const float* bias, bool relu) noexcept {
    B acc[Rows][NV];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Rows; ++r)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) {
        if (init == Init::from_c) acc[r][v] = B::load_unaligned(c + r * ldc + v * W);
        else if (init == Init::from_bias) acc[r][v] = B::load_unaligned(bias + v * W);
        else acc[r][v] = B(0.0f);
      }
    auto step = [&](const float* ak, const float* bk) __attribute__((always_inline)) {
      B bv[NV];
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) bv[v] = B::load_unaligned(bk + v * W);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < Rows; ++r) {
        const B av(ak[r * a_row]);
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::madd<Arch>(av, bv[v], acc[r][v]);
      }
    };
    for (std::size_t s = 0; s < segs; ++s, a += a_seg, b += b_seg) {
      std::size_t k = 0;
      if constexpr (simd::is_avx256<Arch>) {  // two depth steps per iteration, as GemmUkr (gemm_ukr.hpp)
        for (; k + 2 <= kc; k += 2) {
          step(a + k, b + k * ldb);
          step(a + k + 1, b + (k + 1) * ldb);
        }
      }
      for (; k < kc; ++k) step(a + k, b + k * ldb);
    }
    if (relu) {
#pragma GCC unroll 16
      for (std::size_t r = 0; r < Rows; ++r)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::relu<Arch>(acc[r][v]);
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Rows; ++r)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(c + r * ldc + v * W);
  }
};

namespace detail {

// The kernel of `rows` rows, 1 <= rows <= Rows.
template <class Arch, std::size_t Rows, std::size_t NR>
void conv_rows_tile(std::size_t rows, std::size_t segs, std::size_t kc, const float* a, std::size_t a_seg,
                    std::size_t a_row, const float* b, std::size_t b_seg, std::size_t ldb, float* c, std::size_t ldc,
                    Init init, const float* bias, bool relu) noexcept {
  if constexpr (Rows > 1) {
    if (rows < Rows)
      return conv_rows_tile<Arch, Rows - 1, NR>(rows, segs, kc, a, a_seg, a_row, b, b_seg, ldb, c, ldc, init, bias,
                                                relu);
  }
  ConvRowsUkr<Arch, Rows, NR>::run(segs, kc, a, a_seg, a_row, b, b_seg, ldb, c, ldc, init, bias, relu);
}

// Output pixels [p.a_row0, p.a_row0 + p.m) x columns [0, p.n), NR columns per tile.
template <class Arch, std::size_t MR, std::size_t NR>
void conv_rows(const GemmProblem& p, float* pack) noexcept {
  const ConvSource& s = *p.a_conv;
  const ConvGeometry& g = s.g;
  const std::size_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad, oh = g.oh(), ow = g.ow();
  const std::size_t kc = g.kw * g.c, a_seg = wp * g.c, a_row = g.stride * g.c;
  FIRMNET_EXPECTS(p.k == g.kh * kc);
  const std::size_t b_seg = kc * p.b.k_stride;
  const std::size_t n_full = p.n - p.n % NR;
  if (n_full < p.n)  // the last, partial panel of columns, zero-padded: kc·KH rows of NR
    pack_panels<Arch, NR>({element<Arch>(p.b, n_full, 0), p.b.row_stride, p.b.k_stride}, p.n - n_full, p.k, pack);
  const Init init = p.accumulate ? Init::from_c : (p.bias ? Init::from_bias : Init::zero);
  std::size_t pixel = p.a_row0, left = p.m;
  std::size_t n = pixel / (oh * ow), oy = pixel % (oh * ow) / ow, ox = pixel % ow;
  float* c_row = p.c;
  while (left > 0) {
    const std::size_t run = ow - ox < left ? ow - ox : left;  // pixels of this output row
    const float* a_base = s.x + ((n * hp + oy * g.stride) * wp + ox * g.stride) * g.c;
    for (std::size_t j = 0; j < p.n; j += NR) {
      const bool full = j < n_full;
      const float* b = full ? element<Arch>(p.b, j, 0) : pack;
      const std::size_t ldb = full ? p.b.k_stride : NR, bseg = full ? b_seg : kc * NR;
      const float* bias = p.bias ? p.bias + j : nullptr;
      // Tiles of equal height: 14 pixels as 7 + 7 (AVX-512) or 5 + 5 + 4 (AVX2), not 8 + 6 or
      // 6 + 6 + 2, whose 2-row kernel (4 accumulators) waits on FMA latency.
      const std::size_t tiles = (run + MR - 1) / MR, base = run / tiles, extra = run % tiles;
      for (std::size_t t = 0, i = 0; t < tiles; ++t) {
        const std::size_t rows = base + (t < extra ? 1 : 0);
        const float* a = a_base + i * a_row;
        float* c = c_row + i * p.ldc + j;
        i += rows;
        if (full) {
          conv_rows_tile<Arch, MR, NR>(rows, g.kh, kc, a, a_seg, a_row, b, bseg, ldb, c, p.ldc, init, bias, p.relu);
          continue;
        }
        const std::size_t cols = p.n - j;  // a partial panel: through a local tile
        alignas(64) float tile[MR * NR] = {};
        alignas(64) float tile_bias[NR] = {};
        for (std::size_t r = 0; r < rows && init == Init::from_c; ++r)
          for (std::size_t q = 0; q < cols; ++q) tile[r * NR + q] = c[r * p.ldc + q];
        for (std::size_t q = 0; q < cols && init == Init::from_bias; ++q) tile_bias[q] = bias[q];
        conv_rows_tile<Arch, MR, NR>(rows, g.kh, kc, a, a_seg, a_row, b, bseg, ldb, tile, NR, init, tile_bias, p.relu);
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t q = 0; q < cols; ++q) c[r * p.ldc + q] = tile[r * NR + q];
      }
    }
    left -= run;
    c_row += run * p.ldc;
    ox += run;
    if (ox < ow) continue;
    ox = 0;
    if (++oy < oh) continue;
    oy = 0;
    ++n;
  }
}

}  // namespace detail

// C = cols(A)·B (+ bias) [ReLU] for a padded source (ConvSource::padded), A's rows the output
// pixels from a_row0 on. Columns in panels of NR (one vector when N is no wider). Scratch: a
// partial panel, p.k·NR floats (conv_rows_scratch).
template <class Arch, std::size_t MR, std::size_t NR>
void gemm_conv_rows(const GemmProblem& p, std::span<float> scratch) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  if (p.m == 0 || p.n == 0) return;
  FIRMNET_EXPECTS(p.a_conv && p.a_conv->padded && p.b.row_stride == 1);
  if constexpr (NR > W) {
    if (p.n <= W) {
      FIRMNET_EXPECTS(p.n == W || scratch.size() >= p.k * W);
      return detail::conv_rows<Arch, MR, W>(p, scratch.data());
    }
  }
  FIRMNET_EXPECTS(p.n % NR == 0 || scratch.size() >= p.k * NR);
  detail::conv_rows<Arch, MR, NR>(p, scratch.data());
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
