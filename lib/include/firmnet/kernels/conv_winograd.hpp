// kernels/conv_winograd.hpp: a stride-1 convolution with a 3x3 or 5x5 window by Winograd's
// minimal filtering, F(4x4, 3x3) and F(2x2, 5x5): both read 6x6 tiles of the input, which makes
// one tile transform serve both. Per tile and channel, with the interpolation points 0, ±1, ±2
// and ∞ (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
//   V = Bᵀ·d·B (6x6 input tile d)   U = G·g·Gᵀ (r x r window g, 6 x r matrix G)
//   M(ξ) = Σ_c V(ξ, c)·U(ξ, c, k)   (36 products, one per point ξ of the tile)
//   Y = Aᵀ·M·A (m x m outputs, m = 7 - r) + bias, ReLU
// The 36 channel sums are GEMMs over a chunk of tiles (rows) by the output channels, on the same
// register tiles as the direct convolution (conv_direct.hpp's ConvRowsUkr): 36 products of C
// multiply-adds per tile where the direct convolution takes m²·r² (2.25x fewer for 5x5, 4x for
// 3x3). Activations are NHWC, so every transform works on vectors of channels.
// Bits: every tile is computed by the same code in the same order whatever chunk or thread takes
// it, so the thread count and the batch never change a result. They differ from the direct
// convolution's within float rounding (tests/layers/conv2d_test.cpp bounds it at 1e-5 of each
// output's scale, as for any summation order).
// Where: float SIMD builds, for channel counts in and out that are multiples of 16 (whole
// vectors on every ISA) and small enough for a chunk of tiles to fit kWinoChunkFloats; layers
// fall back to the direct convolution otherwise (layers/conv2d.hpp).
// Templates on Arch only: per-ISA translation units share no inline code (gemm_problem.hpp).
#pragma once

#include <cstddef>
#include <span>

#include "firmnet/core/arch.hpp"
#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/conv_direct.hpp"
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

inline constexpr std::size_t kWinoTile = 6, kWinoPoints = kWinoTile * kWinoTile;  // input tile side, points
// A chunk's transformed inputs and products, per thread: 192 KiB, within L2 on every core.
inline constexpr std::size_t kWinoChunkFloats = std::size_t(48) * 1024;
// Each point's plane of U starts kWinoSkew floats past the end of the one before: plane strides
// that are multiples of 4 KiB (32 x 64 floats) put a tile's 36 loads or stores in one L1 set, and
// the weights' transform ran 3x slower.
inline constexpr std::size_t kWinoSkew = 16;

// Tiles per chunk: as many as kWinoChunkFloats holds (14 for 32 channels in and 64 out).
constexpr std::size_t winograd_chunk(const ConvGeometry& g, std::size_t k) noexcept {
  return kWinoChunkFloats / (kWinoPoints * (g.c + k));
}
constexpr bool winograd_fits(const ConvGeometry& g, std::size_t k) noexcept {
  return g.stride == 1 && g.kh == g.kw && (g.kh == 3 || g.kh == 5) && g.pad < g.kh && g.c % 16 == 0 && k % 16 == 0 &&
         g.c > 0 && k > 0 && winograd_chunk(g, k) >= 1;
}
constexpr std::size_t winograd_m(const ConvGeometry& g) noexcept { return kWinoTile + 1 - g.kh; }  // outputs per side
constexpr std::size_t winograd_tiles_x(const ConvGeometry& g) noexcept {
  return (g.ow() + winograd_m(g) - 1) / winograd_m(g);
}
constexpr std::size_t winograd_tiles_y(const ConvGeometry& g) noexcept {
  return (g.oh() + winograd_m(g) - 1) / winograd_m(g);
}
constexpr std::size_t winograd_tiles(const ConvGeometry& g, std::size_t images) noexcept {
  return images * winograd_tiles_y(g) * winograd_tiles_x(g);
}
// U's plane stride (one C x K matrix per point).
constexpr std::size_t winograd_u_plane(const ConvGeometry& g, std::size_t k) noexcept { return g.c * k + kWinoSkew; }
// U: the transformed weights; then the scratch of one thread's chunks.
constexpr std::size_t winograd_weight_floats(const ConvGeometry& g, std::size_t k) noexcept {
  return kWinoPoints * winograd_u_plane(g, k);
}
constexpr std::size_t winograd_scratch(const ConvGeometry& g, std::size_t k) noexcept {
  return kWinoPoints * winograd_chunk(g, k) * (g.c + k);
}

// y(images, OH, OW, K) = act(conv(x(images, H, W, C)) + bias), u from winograd_weights.
struct WinogradConv {
  ConvGeometry g;
  std::size_t k;        // output channels
  std::size_t images;
  const float* x;       // NHWC, not padded: the tiles read zeros outside the image
  const float* u;       // U(ξ, c, k) at u[ξ·winograd_u_plane + c·K + k]
  const float* bias;    // (K) or null
  bool relu;
  float* y;             // NHWC
};

// The weight gradient dw(r, r, C, K) = Σ over images and output pixels of x's window·dz, by the
// same algorithm read the other way round: the window's r x r taps are the outputs and a tile's
// m x m values of dz the filter, F(r x r, m x m) on the same 6x6 tiles of x as the forward's:
//   V = Bᵀ·d·B (as the forward)   Z = G'·dz·G'ᵀ (G': 6 x m, as G for m taps)
//   S(ξ, c, k) = Σ_tiles V(ξ, c)·Z(ξ, k)   dw = A'ᵀ·S·A' (A'ᵀ: r x 6, as Aᵀ for r outputs)
// Each S value sums the tiles one by one in order, in registers within a chunk and through
// memory between chunks: the same bits for any chunk, and for any split of the channels.
struct WinogradDw {
  ConvGeometry g;
  std::size_t k;        // output channels
  std::size_t images;
  const float* x;       // NHWC, not padded
  const float* dz;      // (images, OH, OW, K)
  float* dw;            // (r, r, C, K), HWIO, overwritten
};
// S: 36 planes of C x K, as U (winograd_weight_floats); the thread split's unit of channels.
inline constexpr std::size_t kWinoDwChannels = 16;

#if FIRMNET_HAVE_XSIMD
namespace detail {

template <class Arch>
using WBatch = xsimd::batch<float, Arch>;

// t = Bᵀ·d over six values (rows of Bᵀ: the coefficients of Π_{l≠j}(x - a_l), and of Π(x - a_l)
// for ∞).
template <class Arch>
[[gnu::always_inline]] inline void wino_bt(const WBatch<Arch>* d, WBatch<Arch>* t) noexcept {
  using B = WBatch<Arch>;
  const B two(2.0f), four(4.0f), five(5.0f);
  const B d12 = d[1] + d[2], d34 = d[3] + d[4], e12 = d[1] - d[2], e43 = d[4] - d[3];
  const B d31 = d[3] - d[1], d42 = d[4] - d[2];
  t[0] = simd::madd<Arch>(four, d[0], d[4]) - five * d[2];
  t[1] = d34 - four * d12;
  t[2] = simd::madd<Arch>(four, e12, e43);
  t[3] = simd::madd<Arch>(two, d31, d42);
  t[4] = d42 - two * d31;
  t[5] = simd::madd<Arch>(four, d[1], d[5]) - five * d[3];
}

// y = Aᵀ·s over six values, M outputs (2 or 4; 3 or 5 for the weight gradient). Rows of Aᵀ: a_jⁱ
// at the finite points, and 1 at ∞ for the last: y_i = s₀[i = 0] + (s₁ ± s₂) + 2ⁱ(s₃ ± s₄)
// + s₅[i = M - 1], with + for even i.
template <class Arch, std::size_t M>
[[gnu::always_inline]] inline void wino_at(const WBatch<Arch>* s, WBatch<Arch>* y) noexcept {
  using B = WBatch<Arch>;
  const B s12 = s[1] + s[2], s34 = s[3] + s[4], e12 = s[1] - s[2], e34 = s[3] - s[4];
  float p = 1.0f;
#pragma GCC unroll 5
  for (std::size_t i = 0; i < M; ++i, p *= 2.0f) {
    B v = i % 2 == 0 ? simd::madd<Arch>(B(p), s34, s12) : simd::madd<Arch>(B(p), e34, e12);
    if (i == 0) v = s[0] + v;
    if (i == M - 1) v = v + s[5];
    y[i] = v;
  }
}

// The 2-D transform F·X·Fᵀ of an I x I block of vectors by a 1-D transform f of I values into O:
// f along x for every row, then along y for every column of the result. load(i, j) gives X(i, j),
// store(a, b, v) takes element (a, b) of the O x O result.
template <class Arch, std::size_t I, std::size_t O, class F, class Load, class Store>
[[gnu::always_inline]] inline void wino_2d(F f, Load load, Store store) noexcept {
  using B = WBatch<Arch>;
  B rowt[I][O];
#pragma GCC unroll 6
  for (std::size_t i = 0; i < I; ++i) {
    B d[I];
#pragma GCC unroll 6
    for (std::size_t j = 0; j < I; ++j) d[j] = load(i, j);
    f(d, rowt[i]);
  }
#pragma GCC unroll 6
  for (std::size_t b = 0; b < O; ++b) {
    B col[I], o[O];
#pragma GCC unroll 6
    for (std::size_t i = 0; i < I; ++i) col[i] = rowt[i][b];
    f(col, o);
#pragma GCC unroll 6
    for (std::size_t a = 0; a < O; ++a) store(a, b, o[a]);
  }
}

// Tiles [t0, t0 + tn) into v (tn, 36, C): the 6x6 window at output (oy0, ox0) of image n read
// with zeros outside the image, transformed along x, then along y. Tile-major, so a tile's 36
// vectors go to one contiguous block (36 planes, one store stream each, ran 2x slower).
// Channels [c0, c1) only (a thread's share of the weight gradient), at v[(t·36 + ξ)·(c1 - c0)].
template <class Arch>
void wino_input(const ConvGeometry& g, const float* x, std::size_t t0, std::size_t tn, std::size_t c0,
                std::size_t c1, float* v) noexcept {
  using B = WBatch<Arch>;
  constexpr std::size_t W = B::size, N = kWinoTile;
  const std::size_t m = winograd_m(g), tx_n = winograd_tiles_x(g), ty_n = winograd_tiles_y(g), c_n = g.c;
  const std::size_t cs = c1 - c0;  // v's channels
  for (std::size_t t = 0; t < tn; ++t) {
    const std::size_t tile = t0 + t, n = tile / (ty_n * tx_n), ty = tile / tx_n % ty_n, tx = tile % tx_n;
    // Input rows and columns of the window: ty·m - P + i, or none (outside).
    const float* rows[N];
    bool col_in[N];
    std::size_t col_off[N];
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t iy = ty * m + i, ix = tx * m + i;
      rows[i] = iy >= g.pad && iy - g.pad < g.h ? x + (n * g.h + (iy - g.pad)) * g.w * c_n : nullptr;
      col_in[i] = ix >= g.pad && ix - g.pad < g.w;
      col_off[i] = col_in[i] ? (ix - g.pad) * c_n : 0;
    }
    bool inside = true;
    for (std::size_t i = 0; i < N; ++i) inside = inside && rows[i] && col_in[i];
    const std::size_t rs = g.w * c_n;  // one input row on
    float* out = v + t * kWinoPoints * cs;
    // Bᵀ·d·B; load(i, j, c) is input (i, j) of the window.
    auto transform = [&](auto load) __attribute__((always_inline)) {
      for (std::size_t c = c0; c < c1; c += W)
        wino_2d<Arch, N, N>(
            wino_bt<Arch>, [&](std::size_t i, std::size_t j) __attribute__((always_inline)) { return load(i, j, c); },
            [&](std::size_t a, std::size_t b, B value) __attribute__((always_inline)) {
              value.store_unaligned(out + (a * N + b) * cs + (c - c0));
            });
    };
    if (inside) {  // most tiles of a large image: no tests
      const float* base = rows[0] + col_off[0];
      transform([&](std::size_t i, std::size_t j, std::size_t c)
                    __attribute__((always_inline)) { return B::load_unaligned(base + i * rs + j * c_n + c); });
    } else {
      transform([&](std::size_t i, std::size_t j, std::size_t c) __attribute__((always_inline)) {
        return rows[i] && col_in[j] ? B::load_unaligned(rows[i] + col_off[j] + c) : B(0.0f);
      });
    }
  }
}

// Tile `tile` of M x M outputs: its image, its first output row and column, and how many of its
// rows and columns lie inside the image (fewer in the last row and column of tiles).
struct WinoTile {
  std::size_t n, oy0, ox0, rows, cols;
};
template <std::size_t M>
WinoTile wino_tile(const ConvGeometry& g, std::size_t tile) noexcept {
  const std::size_t oh = g.oh(), ow = g.ow(), tx_n = winograd_tiles_x(g), ty_n = winograd_tiles_y(g);
  const std::size_t oy0 = tile / tx_n % ty_n * M, ox0 = tile % tx_n * M;
  return {tile / (ty_n * tx_n), oy0, ox0, oh - oy0 < M ? oh - oy0 : M, ow - ox0 < M ? ow - ox0 : M};
}

// y of tiles [t0, t0 + tn) from their products mm (tn, 36, K): Aᵀ along x, along y, bias, ReLU;
// outputs past the image's last row or column are dropped.
template <class Arch, std::size_t M>
void wino_output(const WinogradConv& p, std::size_t t0, std::size_t tn, const float* mm) noexcept {
  using B = WBatch<Arch>;
  constexpr std::size_t W = B::size, N = kWinoTile;
  const std::size_t oh = p.g.oh(), ow = p.g.ow(), k_n = p.k;
  for (std::size_t t = 0; t < tn; ++t) {
    const WinoTile at = wino_tile<M>(p.g, t0 + t);
    const std::size_t rows = at.rows, cols = at.cols;  // (lambdas below capture them)
    const float* in = mm + t * kWinoPoints * k_n;
    float* out = p.y + ((at.n * oh + at.oy0) * ow + at.ox0) * k_n;
    for (std::size_t k = 0; k < k_n; k += W) {
      const B bias = p.bias ? B::load_unaligned(p.bias + k) : B(0.0f);
      wino_2d<Arch, N, M>(
          wino_at<Arch, M>,
          [&](std::size_t i, std::size_t j)
              __attribute__((always_inline)) { return B::load_unaligned(in + (i * N + j) * k_n + k); },
          [&](std::size_t r, std::size_t q, B v) __attribute__((always_inline)) {
            if (r >= rows || q >= cols) return;
            v = v + bias;
            if (p.relu) v = simd::relu<Arch>(v);
            v.store_unaligned(out + (r * ow + q) * k_n + k);
          });
    }
  }
}

// mm(ξ) (tn x K) = v(ξ) (tn x C)·u(ξ) (C x K) for the 36 points, NR columns per tile, tiles of
// equal height up to MR tiles.
template <class Arch, std::size_t NR>
void wino_products(const WinogradConv& p, std::size_t tn, const float* v, float* mm) noexcept {
  constexpr std::size_t MR = Blocking<Arch>::MR;
  const std::size_t c_n = p.g.c, k_n = p.k;
  const std::size_t tiles = (tn + MR - 1) / MR, base = tn / tiles, extra = tn % tiles;
  for (std::size_t xi = 0; xi < kWinoPoints; ++xi) {
    const float* a = v + xi * c_n;  // row t at a + t·36·C
    const float* b = p.u + xi * winograd_u_plane(p.g, k_n);
    float* c = mm + xi * k_n;
    const std::size_t lda = kWinoPoints * c_n, ldc = kWinoPoints * k_n;
    for (std::size_t j = 0; j < k_n; j += NR)
      for (std::size_t t = 0, i = 0; t < tiles; ++t) {
        const std::size_t rows = base + (t < extra ? 1 : 0);
        conv_rows_tile<Arch, MR, NR>(rows, 1, c_n, a + i * lda, 0, lda, b + j, 0, k_n, c + i * ldc + j, ldc, Init::zero,
                                     nullptr, false);
        i += rows;
      }
  }
}

}  // namespace detail

namespace detail {
// o = G·g for R taps g (vectors). G(j, t) = a_jᵗ / Π_{l≠j}(a_j - a_l) at the finite points
// a = 0, 1, -1, 2, -2, and the last tap alone at ∞: row 0 g₀/4, rows 1 and 2 -(Σ even ± Σ odd)/6,
// rows 3 and 4 (Σ even 2ᵗg_t ± Σ odd 2ᵗg_t)/24, row 5 g_{R-1}.
template <class Arch, std::size_t R>
[[gnu::always_inline]] inline void wino_g_apply(const WBatch<Arch>* g, WBatch<Arch>* o) noexcept {
  using B = WBatch<Arch>;
  B e = g[0], od(0.0f), e2 = g[0], o2(0.0f);
  float p = 1.0f;
#pragma GCC unroll 5
  for (std::size_t t = 1; t < R; ++t) {
    p *= 2.0f;
    if (t % 2 == 0) e = e + g[t], e2 = simd::madd<Arch>(B(p), g[t], e2);
    else od = od + g[t], o2 = simd::madd<Arch>(B(p), g[t], o2);
  }
  const B sixth(-1.0f / 6.0f), twentyfourth(1.0f / 24.0f);
  o[0] = g[0] * B(0.25f);
  o[1] = (e + od) * sixth;
  o[2] = (e - od) * sixth;
  o[3] = (e2 + o2) * twentyfourth;
  o[4] = (e2 - o2) * twentyfourth;
  o[5] = g[R - 1];
}

template <class Arch, std::size_t R>
void winograd_weights_r(std::size_t c_n, std::size_t k_n, const float* w, float* u, std::size_t up) noexcept {
  using B = WBatch<Arch>;
  constexpr std::size_t W = B::size, N = kWinoTile;
  for (std::size_t c = 0; c < c_n; ++c)
    for (std::size_t k = 0; k < k_n; k += W)  // G along y first: the block loaded and stored transposed
      wino_2d<Arch, R, N>(
          wino_g_apply<Arch, R>,
          [&](std::size_t i, std::size_t j)
              __attribute__((always_inline)) { return B::load_unaligned(w + ((j * R + i) * c_n + c) * k_n + k); },
          [&](std::size_t a, std::size_t b, B v)
              __attribute__((always_inline)) { v.store_unaligned(u + (b * N + a) * up + c * k_n + k); });
}
}  // namespace detail

// U(ξ = (a, b), c, k) = Σ_{i,j} G(a, i)·w(i, j, c, k)·G(b, j) from HWIO weights w (r, r, C, K),
// vectors of output channels at a time.
template <class Arch>
void winograd_weights(const ConvGeometry& g, std::size_t k_n, const float* w, float* u) noexcept {
  FIRMNET_EXPECTS(winograd_fits(g, k_n));
  if (g.kh == 3) detail::winograd_weights_r<Arch, 3>(g.c, k_n, w, u, winograd_u_plane(g, k_n));
  else detail::winograd_weights_r<Arch, 5>(g.c, k_n, w, u, winograd_u_plane(g, k_n));
}

// Tiles [first, last) of p (tile t: image t / tiles-per-image, row-major within it), in chunks of
// winograd_chunk tiles through scratch (winograd_scratch floats).
template <class Arch>
void winograd_tiles(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept {
  constexpr std::size_t W = detail::WBatch<Arch>::size;
  FIRMNET_EXPECTS(winograd_fits(p.g, p.k) && scratch.size() >= winograd_scratch(p.g, p.k));
  constexpr std::size_t MR = Blocking<Arch>::MR;
  if (first >= last) return;
  // Chunks of whole register tiles of one height h, as even as the range allows: 49 tiles (an
  // image of 14 x 14 outputs in 2 x 2) as chunks of 7 + 7 tiles, not 13 as 7 + 6 and a last 5 + 5.
  const std::size_t n = last - first, h = (n + (n + MR - 1) / MR - 1) / ((n + MR - 1) / MR);
  const std::size_t most = winograd_chunk(p.g, p.k), chunk = most >= h ? most / h * h : most;
  const std::size_t m = winograd_m(p.g);
  float* v = scratch.data();
  float* mm = v + kWinoPoints * chunk * p.g.c;
  for (std::size_t t0 = first; t0 < last; t0 += chunk) {
    const std::size_t tn = last - t0 < chunk ? last - t0 : chunk;
    detail::wino_input<Arch>(p.g, p.x, t0, tn, 0, p.g.c, v);
    if (p.k % (2 * W) == 0) detail::wino_products<Arch, 2 * W>(p, tn, v, mm);
    else detail::wino_products<Arch, W>(p, tn, v, mm);
    if (m == 2) detail::wino_output<Arch, 2>(p, t0, tn, mm);
    else detail::wino_output<Arch, 4>(p, t0, tn, mm);
  }
}

namespace detail {

// z (tn, 36, K) = G'·dz·G'ᵀ of tiles [t0, t0 + tn): dz's M x M outputs of each tile, zeros past
// the image's last row or column.
template <class Arch, std::size_t M>
void wino_dz(const WinogradDw& p, std::size_t t0, std::size_t tn, float* z) noexcept {
  using B = WBatch<Arch>;
  constexpr std::size_t W = B::size, N = kWinoTile;
  const std::size_t oh = p.g.oh(), ow = p.g.ow(), k_n = p.k;
  for (std::size_t t = 0; t < tn; ++t) {
    const WinoTile at = wino_tile<M>(p.g, t0 + t);
    const std::size_t rows = at.rows, cols = at.cols;
    const float* in = p.dz + ((at.n * oh + at.oy0) * ow + at.ox0) * k_n;
    float* out = z + t * kWinoPoints * k_n;
    for (std::size_t k = 0; k < k_n; k += W)
      wino_2d<Arch, M, N>(
          wino_g_apply<Arch, M>,
          [&](std::size_t i, std::size_t j) __attribute__((always_inline)) {
            return i < rows && j < cols ? B::load_unaligned(in + (i * ow + j) * k_n + k) : B(0.0f);
          },
          [&](std::size_t a, std::size_t b, B v)
              __attribute__((always_inline)) { v.store_unaligned(out + (a * N + b) * k_n + k); });
  }
}

// s(ξ) rows [0, cs) (+)= Σ_t v(t, ξ)ᵀ·z(t, ξ) over tn tiles: the weight-gradient microkernel of
// conv_direct.hpp, a tile of channels (adjacent in v) by panels of K, the tiles its depth.
// Channel tiles hold 8 accumulators or more (cs is a multiple of 16), so each sums one tile after
// the other, in order (ConvDwUkr's two alternating sets are for smaller ones).
template <class Arch>
void wino_dw_products(std::size_t k_n, std::size_t tn, const float* v, std::size_t cs, const float* z, float* s,
                      std::size_t plane, bool from_c) noexcept {
  constexpr std::size_t W = WBatch<Arch>::size, kMaxNV = simd::is_avx512<Arch> ? 4 : 2;
  for (std::size_t xi = 0; xi < kWinoPoints; ++xi) {
    const float* a = v + xi * cs;
    const float* b = z + xi * k_n;
    float* c = s + xi * plane;
    std::size_t j = 0;
    auto panels = [&]<std::size_t NV>() {
      constexpr std::size_t MR = kDwRows<Arch, NV>;
      const std::size_t tiles = (cs + MR - 1) / MR, base = cs / tiles, extra = cs % tiles;
      for (; j + NV * W <= k_n; j += NV * W)
        for (std::size_t t = 0, i = 0; t < tiles; ++t) {
          const std::size_t rows = base + (t < extra ? 1 : 0);
          FIRMNET_EXPECTS(rows * NV >= 8);  // one set of accumulators: tiles summed in order
          conv_dw_tile<Arch, MR, NV>(rows, 1, tn, a + i, kWinoPoints * cs, 0, b + j, kWinoPoints * k_n,
                                     c + i * k_n + j, k_n, from_c);
          i += rows;
        }
    };
    panels.template operator()<kMaxNV>();
    if constexpr (kMaxNV > 2) panels.template operator()<2>();
    panels.template operator()<1>();
  }
}

// dw rows of channels [c0, c1) = A'ᵀ·S·A' (R x R taps).
template <class Arch, std::size_t R>
void wino_dw_out(const float* s, std::size_t plane, std::size_t c_n, std::size_t k_n, std::size_t c0, std::size_t c1,
                 float* dw) noexcept {
  using B = WBatch<Arch>;
  constexpr std::size_t W = B::size, N = kWinoTile;
  for (std::size_t c = c0; c < c1; ++c)
    for (std::size_t k = 0; k < k_n; k += W)
      wino_2d<Arch, N, R>(
          wino_at<Arch, R>,
          [&](std::size_t a, std::size_t b)
              __attribute__((always_inline)) { return B::load_unaligned(s + (a * N + b) * plane + c * k_n + k); },
          [&](std::size_t i, std::size_t j, B v)
              __attribute__((always_inline)) { v.store_unaligned(dw + ((i * R + j) * c_n + c) * k_n + k); });
}

}  // namespace detail

// Channels [c0, c1) of p's weight gradient (multiples of kWinoDwChannels), every tile, in chunks
// of winograd_chunk tiles through scratch (winograd_scratch floats); s: the sums S, 36 planes of
// winograd_u_plane floats (only rows [c0, c1) of each are touched).
template <class Arch>
void winograd_dw(const WinogradDw& p, std::size_t c0, std::size_t c1, float* s, std::span<float> scratch) noexcept {
  const ConvGeometry& g = p.g;
  FIRMNET_EXPECTS(winograd_fits(g, p.k) && scratch.size() >= winograd_scratch(g, p.k));
  FIRMNET_EXPECTS(c0 < c1 && c1 <= g.c && c0 % kWinoDwChannels == 0 && c1 % kWinoDwChannels == 0);
  const std::size_t chunk = winograd_chunk(g, p.k), tiles = winograd_tiles(g, p.images), cs = c1 - c0;
  const std::size_t plane = winograd_u_plane(g, p.k), m = winograd_m(g);
  float* v = scratch.data();
  float* z = v + kWinoPoints * chunk * cs;
  float* rows = s + c0 * p.k;
  if (tiles == 0)
    for (std::size_t xi = 0; xi < kWinoPoints; ++xi)
      for (std::size_t i = 0; i < cs * p.k; ++i) rows[xi * plane + i] = 0.0f;
  for (std::size_t t0 = 0; t0 < tiles; t0 += chunk) {
    const std::size_t tn = tiles - t0 < chunk ? tiles - t0 : chunk;
    detail::wino_input<Arch>(g, p.x, t0, tn, c0, c1, v);
    if (m == 2) detail::wino_dz<Arch, 2>(p, t0, tn, z);
    else detail::wino_dz<Arch, 4>(p, t0, tn, z);
    detail::wino_dw_products<Arch>(p.k, tn, v, cs, z, rows, plane, t0 > 0);
  }
  if (g.kh == 3) detail::wino_dw_out<Arch, 3>(s, plane, g.c, p.k, c0, c1, p.dw);
  else detail::wino_dw_out<Arch, 5>(s, plane, g.c, p.k, c0, c1, p.dw);
}

#endif  // FIRMNET_HAVE_XSIMD

}  // namespace firmnet::kernels
