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
// Pixels are tiled along output rows, in tiles of equal height up to MR. The weight gradient
// reads the same padded images the other way round (gemm_conv_dw, below).
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

// The weight gradient, dw(patch row, j) = Σ_pixels cols(pixel, row)·dz(pixel, j), from the same
// padded images (ConvSource::patch_major and padded). Rows (ky, kx, c) of one window row ky are
// adjacent in the padded image (kx·C + c past the window's corner), so a tile of rows within one
// ky is a run of adjacent values broadcast from the image, and its depth (the pixels) steps S·C
// along an output row: no columns written, none packed. The accumulators stay in registers over
// a block of output rows of one image (dz's block stays in L1), then go back to dw. Every dw
// value is summed pixel by pixel in the same order in any tile of 8 accumulators or more; a
// smaller tile sums alternate pixels in two sets (so the thread split keeps every value in a tile
// of its kind: gemm_dispatch.cpp).
// Rows x NV vectors of C over `lines` output rows of `run` pixels from a (row r at a + r; the
// next pixel a_px on, the next line a_line on) and b (dz: the next pixel ldb on, lines adjacent).
// Under 8 accumulators (a first layer's 3 rows x 1 vector) two sets take alternate pixels, or
// each FMA would wait on the one before.
template <class Arch, std::size_t Rows, std::size_t NV>
struct ConvDwUkr {
  using B = xsimd::batch<float, Arch>;
  static constexpr std::size_t W = B::size, kSets = Rows * NV < 8 ? 2 : 1;

  static void run(std::size_t lines, std::size_t run, const float* a, std::size_t a_px, std::size_t a_line,
                  const float* b, std::size_t ldb, float* c, std::size_t ldc, bool from_c) noexcept {
    B acc[kSets][Rows][NV];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Rows; ++r)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) {
        acc[0][r][v] = from_c ? B::load_unaligned(c + r * ldc + v * W) : B(0.0f);
        if constexpr (kSets == 2) acc[1][r][v] = B(0.0f);
      }
    auto step = [&](std::size_t set, const float* ak, const float* bk) __attribute__((always_inline)) {
      B bv[NV];
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) bv[v] = B::load_unaligned(bk + v * W);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < Rows; ++r) {
        const B av(ak[r]);
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NV; ++v) acc[set][r][v] = simd::madd<Arch>(av, bv[v], acc[set][r][v]);
      }
    };
    for (std::size_t l = 0; l < lines; ++l, a += a_line) {
      const float* ak = a;
      std::size_t x = 0;
      if constexpr (kSets == 2) {
        for (; x + 2 <= run; x += 2, ak += 2 * a_px, b += 2 * ldb) {
          step(0, ak, b);
          step(1, ak + a_px, b + ldb);
        }
      }
      for (; x < run; ++x, ak += a_px, b += ldb) step(0, ak, b);
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < Rows; ++r)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) {
        if constexpr (kSets == 2) acc[0][r][v] = acc[0][r][v] + acc[1][r][v];
        acc[0][r][v].store_unaligned(c + r * ldc + v * W);
      }
  }
};

namespace detail {

template <class Arch, std::size_t Rows, std::size_t NV>
void conv_dw_tile(std::size_t rows, std::size_t lines, std::size_t run, const float* a, std::size_t a_px,
                  std::size_t a_line, const float* b, std::size_t ldb, float* c, std::size_t ldc, bool from_c) noexcept {
  if constexpr (Rows > 1) {
    if (rows < Rows)
      return conv_dw_tile<Arch, Rows - 1, NV>(rows, lines, run, a, a_px, a_line, b, ldb, c, ldc, from_c);
  }
  ConvDwUkr<Arch, Rows, NV>::run(lines, run, a, a_px, a_line, b, ldb, c, ldc, from_c);
}

// Accumulators per tile: 24 of AVX-512's 32 registers, 12 of AVX2's (or SSE's, NEON's) 16.
template <class Arch, std::size_t NV>
inline constexpr std::size_t kDwRows = (simd::is_avx512<Arch> ? 24 : 12) / NV < 12 ? (simd::is_avx512<Arch> ? 24 : 12) / NV : 12;

}  // namespace detail

// dw rows [p.a_row0, p.a_row0 + p.m) x columns [0, p.n) = colsᵀ·dz (+ C when accumulating) over
// p.k pixels (whole images). Columns in panels of up to 4 (AVX-512) or 2 vectors; a last partial
// vector one value at a time, in the same pixel order. No scratch.
template <class Arch>
void gemm_conv_dw(const GemmProblem& p) noexcept {
  using B = xsimd::batch<float, Arch>;
  constexpr std::size_t W = B::size, kMaxNV = simd::is_avx512<Arch> ? 4 : 2;
  // Output rows per block: dz's block within 16 KiB, the rest of L1 for the image rows it reads.
  constexpr std::size_t kBlockFloats = 4096;
  const ConvSource& s = *p.a_conv;
  const ConvGeometry& g = s.g;
  const std::size_t hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad, oh = g.oh(), ow = g.ow();
  const std::size_t kc = g.kw * g.c, a_px = g.stride * g.c, a_line = g.stride * wp * g.c;
  const std::size_t ldb = p.b.k_stride, n_vec = p.n - p.n % W;
  FIRMNET_EXPECTS(s.patch_major && s.padded && p.b.row_stride == 1 && !p.bias && !p.relu);
  FIRMNET_EXPECTS(p.a_row0 + p.m <= g.patch() && p.k % (oh * ow) == 0);
  const std::size_t block = kBlockFloats / (ow * p.n) > 0 ? kBlockFloats / (ow * p.n) : 1;
  for (std::size_t n = 0; n < p.k / (oh * ow); ++n)
    for (std::size_t oy = 0; oy < oh; oy += block) {
      const std::size_t lines = oh - oy < block ? oh - oy : block, run = ow;
      const bool from_c = p.accumulate || n > 0 || oy > 0;
      const float* dz = p.b.data + (n * oh + oy) * ow * ldb;
      for (std::size_t row = p.a_row0, end = p.a_row0 + p.m; row < end;) {
        const std::size_t ky = row / kc, seg_end = (ky + 1) * kc < end ? (ky + 1) * kc : end;
        const float* a_seg = s.x + ((n * hp + oy * g.stride + ky) * wp) * g.c + (row - ky * kc);
        float* c_seg = p.c + (row - p.a_row0) * p.ldc;
        const std::size_t len = seg_end - row;
        std::size_t j = 0;
        auto panels = [&]<std::size_t NV>() {
          constexpr std::size_t MR = detail::kDwRows<Arch, NV>;
          // Tiles of equal height, as conv_rows's.
          const std::size_t tiles = (len + MR - 1) / MR, base = len / tiles, extra = len % tiles;
          for (; j + NV * W <= n_vec; j += NV * W)
            for (std::size_t t = 0, i = 0; t < tiles; ++t) {
              const std::size_t rows = base + (t < extra ? 1 : 0);
              detail::conv_dw_tile<Arch, MR, NV>(rows, lines, run, a_seg + i, a_px, a_line, dz + j, ldb,
                                                 c_seg + i * p.ldc + j, p.ldc, from_c);
              i += rows;
            }
        };
        panels.template operator()<kMaxNV>();
        if constexpr (kMaxNV > 2) panels.template operator()<2>();
        panels.template operator()<1>();
        for (std::size_t i = 0; i < len; ++i)  // the last partial vector of columns
          for (std::size_t q = n_vec; q < p.n; ++q) {
            float sum = from_c ? c_seg[i * p.ldc + q] : 0.0f;
            for (std::size_t l = 0; l < lines; ++l)
              for (std::size_t x = 0; x < run; ++x)
                sum += a_seg[i + l * a_line + x * a_px] * dz[(l * ow + x) * ldb + q];
            c_seg[i * p.ldc + q] = sum;
          }
        row = seg_end;
      }
    }
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
