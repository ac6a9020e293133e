// kernels/gemm_direct.hpp: the GEMM paths that skip packing where it does not pay.
//  - small M (m <= 4; batch-1 inference): A and B read in place, B streamed once per row group
//    over the whole depth; the last n % W columns (all of them for 10 class scores and n < W)
//    in one more vector tile with independent partial sums.
//  - narrow N (n <= W, or n <= 12 on AVX2; the 10 class scores): B packed once into a
//    zero-padded panel. On AVX the kernel computes Cᵀ, vectorised along M, so every lane works
//    (A stored (K, M), as in Xᵀ·dY, read in place; row-major A transposed 8 x 8 on the way);
//    otherwise tiles of 8 rows by one vector, A read in place.
// Rows past the matrix read the last valid row instead (no branch in the loop, no out-of-bounds
// read) and are not stored; only valid lanes of a last partial vector are stored.
#pragma once

#include <cstddef>

#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/gemm_pack.hpp"
#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

// R rows x NV vectors of C accumulated over all k in registers.
// a: A at (row 0, depth 0) of the tile; RowsContiguous: a.row_stride == 1 (one pointer, immediate
// offsets), else one pointer per row. rows: valid rows (<= R). b: B at (depth 0, column 0), full
// vectors readable for every k. lanes: valid lanes of the last vector (1..W).
template <class Arch, std::size_t R, std::size_t NV, bool RowsContiguous>
void direct_tile(std::size_t k, Strided a, std::size_t rows, const float* b, std::size_t ldb, float* c, std::size_t ldc,
                 std::size_t lanes, Init init, const float* bias, bool relu) noexcept {
  using B = xsimd::batch<float, Arch>;
  constexpr std::size_t W = B::size;
  const float* row[R];
  for (std::size_t r = 0; r < R; ++r) row[r] = a.data + (r < rows ? r : rows - 1) * a.row_stride;
  alignas(64) float edge[W] = {};
  const bool partial = lanes < W;

  B acc[R][NV];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (std::size_t v = 0; v < NV; ++v) {
      const bool last_partial = partial && v + 1 == NV;
      if (init == Init::zero || (init == Init::from_c && r >= rows)) {
        acc[r][v] = B(0.0f);
        continue;
      }
      const float* src = init == Init::from_c ? c + r * ldc + v * W : bias + v * W;
      if (!last_partial) {
        acc[r][v] = B::load_unaligned(src);
        continue;
      }
      for (std::size_t j = 0; j < W; ++j) edge[j] = j < lanes ? src[j] : 0.0f;
      acc[r][v] = B::load_aligned(edge);
    }
  for (std::size_t p = 0; p < k; ++p) {
    B bv[NV];
#pragma GCC unroll 16
    for (std::size_t v = 0; v < NV; ++v) bv[v] = B::load_unaligned(b + p * ldb + v * W);
#pragma GCC unroll 16
    for (std::size_t r = 0; r < R; ++r) {
      const float* ar = RowsContiguous ? a.data + p * a.k_stride + (r < rows ? r : rows - 1) : row[r] + p * a.k_stride;
      const B av(*ar);
#pragma GCC unroll 16
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::madd<Arch>(av, bv[v], acc[r][v]);
    }
  }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t v = 0; v < NV; ++v) {
      const B out = relu ? simd::relu<Arch>(acc[r][v]) : acc[r][v];
      if (!(partial && v + 1 == NV)) {
        out.store_unaligned(c + r * ldc + v * W);
        continue;
      }
      out.store_aligned(edge);
      for (std::size_t j = 0; j < lanes; ++j) c[r * ldc + v * W + j] = edge[j];
    }
}

// One row of C over one depth chunk: `cols` columns (a multiple of NV·W) in tiles of NV vectors.
// The operations of direct_tile<Arch, 1, NV> in the same order, so the same bits, without its
// set-up (row pointers, a partial last vector): the chunked one-row walk below runs two such
// tiles per 16 KiB of B, and with a direct_tile call each perf put 8 % of 1 x 128 x 3072 outside
// the FMA loop (2 % now; AVX2 on a Zen 4: 38.4 -> 39.5 GFLOP/s, 1 x 128 x 784 54.0 -> 55.4).
template <class Arch, std::size_t NV>
void row_tiles(std::size_t kc, const float* a, std::size_t a_step, const float* b, std::size_t ldb, float* c,
               std::size_t cols, Init init, const float* bias, bool relu) noexcept {
  using B = xsimd::batch<float, Arch>;
  constexpr std::size_t W = B::size;
  for (std::size_t j = 0; j < cols; j += NV * W) {
    B acc[NV];
#pragma GCC unroll 16
    for (std::size_t v = 0; v < NV; ++v)
      acc[v] = init == Init::zero      ? B(0.0f)
               : init == Init::from_c ? B::load_unaligned(c + j + v * W)
                                      : B::load_unaligned(bias + j + v * W);
    const float* bp = b + j;
    for (std::size_t p = 0; p < kc; ++p, bp += ldb) {
      const B av(a[p * a_step]);
#pragma GCC unroll 16
      for (std::size_t v = 0; v < NV; ++v) acc[v] = simd::madd<Arch>(av, B::load_unaligned(bp + v * W), acc[v]);
    }
#pragma GCC unroll 16
    for (std::size_t v = 0; v < NV; ++v) (relu ? simd::relu<Arch>(acc[v]) : acc[v]).store_unaligned(c + j + v * W);
  }
}

// row_tiles over `cols` columns in tiles of 15 vectors (16 registers: 15 sums and the broadcast),
// then of NV, then of one, for one row against a B from L3 (gemm_small_m: a chunked B of more
// than 1 MiB, 1 x 128 x 3072). A 15-vector tile reads whole 512-byte rows of B front to back
// where two tiles of 8 each read half of every row: 1 x 128 x 3072 39.3 -> 42.7 GFLOP/s on a
// Zen 4 (Eigen 39.5 in the same rounds). From L2 (1 x 128 x 784) the 8-column remainder's
// single chain of dependent FMAs cost more than that gained (54.3 -> 51.1), so there 8 + 8
// stays. Not inlined: in line, it cost the other one-row paths 3-7 % (their code changed).
// Vector tiles only, so the same bits as row_tiles<Arch, NV> over the same columns.
template <class Arch, std::size_t NV>
[[gnu::noinline]] void row_tiles_wide(std::size_t kc, const float* a, std::size_t a_step, const float* b,
                                      std::size_t ldb, float* c, std::size_t cols, Init init, const float* bias,
                                      bool relu) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size, NVW = 15;
  const std::size_t jw = cols - cols % (NVW * W), jn = jw + (cols - jw) / (NV * W) * (NV * W);
  auto at = [bias](std::size_t j) { return bias ? bias + j : nullptr; };
  row_tiles<Arch, NVW>(kc, a, a_step, b, ldb, c, jw, init, bias, relu);
  row_tiles<Arch, NV>(kc, a, a_step, b + jw, ldb, c + jw, jn - jw, init, at(jw), relu);
  row_tiles<Arch, 1>(kc, a, a_step, b + jn, ldb, c + jn, cols - jn, init, at(jn), relu);
}

// The last `lanes` (< NVT·W) columns of C for up to R rows, B read in place: full vectors from row
// p hold the row's `lanes` values and then the start of row p + 1, lanes that are never stored.
// Only the last rows, where such vectors would run past B's last element, go through a
// zero-padded copy. U partial sums over the depth hide the FMA latency: with one row of ten
// class scores the tile is otherwise a single chain of k dependent FMAs (NVT = 2 on AVX2, where
// ten columns are more than a vector).
template <class Arch, std::size_t R, std::size_t U, std::size_t NVT = 1>
void narrow_tail_tile(std::size_t k, Strided a, std::size_t rows, const float* b, std::size_t ldb, std::size_t lanes,
                      float* c, std::size_t ldc, Init init, const float* bias, bool relu) noexcept {
  using B = xsimd::batch<float, Arch>;
  constexpr std::size_t W = B::size, L = NVT * W;
  const std::size_t end = (k - 1) * ldb + lanes;  // one past B's last element, counted from b
  const std::size_t in_place = end < L ? 0 : ((end - L) / ldb + 1 < k ? (end - L) / ldb + 1 : k);
  const float* row[R];  // rows past the matrix read the last valid one, as in direct_tile
  for (std::size_t r = 0; r < R; ++r) row[r] = a.data + (r < rows ? r : rows - 1) * a.row_stride;
  auto a_at = [&](std::size_t r, std::size_t p) { return row[r][p * a.k_stride]; };
  B acc[R][U][NVT];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < R; ++r)
#pragma GCC unroll 16
    for (std::size_t u = 0; u < U; ++u)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVT; ++v) acc[r][u][v] = B(0.0f);
  std::size_t p = 0;
  for (; p + U <= in_place; p += U)
#pragma GCC unroll 16
    for (std::size_t u = 0; u < U; ++u) {
      B bv[NVT];
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NVT; ++v) bv[v] = B::load_unaligned(b + (p + u) * ldb + v * W);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r) {
        const B av(a_at(r, p + u));
#pragma GCC unroll 4
        for (std::size_t v = 0; v < NVT; ++v) acc[r][u][v] = simd::madd<Arch>(av, bv[v], acc[r][u][v]);
      }
    }
  alignas(64) float edge[L] = {};
  for (; p < k; ++p) {
    const float* src = b + p * ldb;
    if (p >= in_place) {
      for (std::size_t j = 0; j < lanes; ++j) edge[j] = src[j];
      src = edge;
    }
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVT; ++v) {
      const B bv = B::load_unaligned(src + v * W);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < R; ++r) acc[r][0][v] = simd::madd<Arch>(B(a_at(r, p)), bv, acc[r][0][v]);
    }
  }
  for (std::size_t r = 0; r < rows; ++r) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NVT; ++v) {
      B sum = acc[r][0][v];
#pragma GCC unroll 16
      for (std::size_t u = 1; u < U; ++u) sum += acc[r][u][v];
      sum.store_aligned(edge + v * W);
    }
    for (std::size_t j = 0; j < lanes; ++j) {
      float& out = c[r * ldc + j];
      const float v = (init == Init::from_c ? out : (init == Init::from_bias ? bias[j] : 0.0f)) + edge[j];
      out = relu && !(v > 0.0f) ? 0.0f : v;
    }
  }
}

// m <= 4 and B contiguous along n (b.row_stride == 1): nothing is packed.
template <class Arch>
void gemm_small_m(const GemmProblem& p) noexcept {
  using BS = Blocking<Arch>;
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  constexpr std::size_t kAcc = BS::MR * BS::NR / W;  // accumulator registers the ISA affords
  constexpr std::size_t R = 4, NV = kAcc / R, NV1 = 8;
  const Init init = p.accumulate ? Init::from_c : (p.bias ? Init::from_bias : Init::zero);
  const std::size_t ldb = p.b.k_stride;
  const std::size_t vec_end = p.n - p.n % W;
  // AVX2: K is walked in chunks of about 16 KiB of B, every column tile over one chunk before the
  // next, as Eigen's GEMV does; B then comes in once, front to back, and the tiles after the first
  // find the chunk in L1; C carries the sum from chunk to chunk (the vector tiles' operations in
  // the same order, so their bits; a narrow tail's partial sums restart per chunk). Whole depth
  // per tile streams B once per 64 columns: from L3 for 1 x 128 x 3072 (chunked +15 % on a Xeon).
  // A B that fits L2 (1 x 128 x 784) gains less and not everywhere: on an idle host whole depth
  // ran 1.03x faster on a Zen 4 and 1.1x on a Xeon (the chunks' set-up), but on a busy host the
  // chunks ran 1.18x faster on the Zen 4 in six alternating rounds, as Eigen stays, where whole
  // depth reads each row's second half back from L2 after the first tile's pass has evicted it.
  // AVX-512 always runs whole depth.
  constexpr std::size_t kChunkBytes = 16 << 10;
  const std::size_t row_bytes = ldb * sizeof(float);
  const bool chunked = simd::is_avx256<Arch> && p.k * row_bytes > kChunkBytes && row_bytes * 16 <= kChunkBytes;
  const std::size_t chunk = chunked ? kChunkBytes / row_bytes : p.k;
  // A chunked B of more than 1 MiB (beyond the L2 of the CPUs measured) comes from L3: one row
  // then runs row_tiles_wide (above).
  const bool wide = chunked && p.k * row_bytes > (std::size_t{1} << 20);
  for (std::size_t i = 0; i < p.m; i += R) {
    const std::size_t rows = p.m - i < R ? p.m - i : R;
    float* c = p.c + i * p.ldc;
    auto bias_at = [&](std::size_t j) { return p.bias ? p.bias + j : nullptr; };
    for (std::size_t k0 = 0; k0 < p.k; k0 += chunk) {
      const std::size_t kc = p.k - k0 < chunk ? p.k - k0 : chunk;
      const Init ini = k0 == 0 ? init : Init::from_c;
      const bool relu = p.relu && k0 + kc == p.k;
      const Strided a{p.a.data + i * p.a.row_stride + k0 * p.a.k_stride, p.a.row_stride, p.a.k_stride};
      const float* b = p.b.data + k0 * ldb;
      std::size_t j = 0;
      if (rows == 1) {  // one row: 8 vectors at a time (15 from beyond L2), the rest one by one
        j = vec_end - vec_end % (NV1 * W);
        if constexpr (simd::is_avx256<Arch>) {  // (only AVX2 chunks: no wide tiles in the other variants' code)
          if (wide) row_tiles_wide<Arch, NV1>(kc, a.data, a.k_stride, b, ldb, c, j, ini, p.bias, relu);
          else row_tiles<Arch, NV1>(kc, a.data, a.k_stride, b, ldb, c, j, ini, p.bias, relu);
        } else {
          row_tiles<Arch, NV1>(kc, a.data, a.k_stride, b, ldb, c, j, ini, p.bias, relu);
        }
        if constexpr (simd::is_avx256<Arch>) {  // up to two vectors left (10 class scores): 4 partial sums
          if (j < p.n && p.n - j <= 2 * W) {
            narrow_tail_tile<Arch, 1, 4, 2>(kc, a, 1, b + j, ldb, p.n - j, c + j, p.ldc, ini, bias_at(j), relu);
            continue;
          }
        }
        for (; j < vec_end; j += W)
          direct_tile<Arch, 1, 1, false>(kc, a, 1, b + j, ldb, c + j, p.ldc, W, ini, bias_at(j), relu);
      }
      for (; j + NV * W <= vec_end; j += NV * W)
        direct_tile<Arch, R, NV, false>(kc, a, rows, b + j, ldb, c + j, p.ldc, W, ini, bias_at(j), relu);
      for (; j < vec_end; j += W)
        direct_tile<Arch, R, 1, false>(kc, a, rows, b + j, ldb, c + j, p.ldc, W, ini, bias_at(j), relu);
      if (j == p.n) continue;
      if (rows == 1)
        narrow_tail_tile<Arch, 1, 4>(kc, a, 1, b + j, ldb, p.n - j, c + j, p.ldc, ini, bias_at(j), relu);
      else
        narrow_tail_tile<Arch, R, 1>(kc, a, rows, b + j, ldb, p.n - j, c + j, p.ldc, ini, bias_at(j), relu);
    }
  }
}

// Cᵀ(NJ x NV·W tile) = Bᵀ·Aᵀ for n <= NJ: B values broadcast from bp (k x NJ, zero-padded),
// NV vectors of A along M per depth step, the result stored transposed into C (NV·W rows).
// ATransposed: A stored (K, M), row stride lda, read in place. Otherwise A is row-major (M, K),
// row stride lda: every 8 depth steps the tile transposes its NV·W x 8 block into an L1 buffer
// just before the FMAs that read it, so the shuffles overlap the FMAs.
template <class Arch, std::size_t NJ, std::size_t NV, bool ATransposed>
void narrow_transposed_tile(std::size_t k, const float* a, std::size_t lda, const float* bp, std::size_t n, float* c,
                            std::size_t ldc, bool accumulate, const float* bias, bool relu) noexcept {
  using B = xsimd::batch<float, Arch>;
  constexpr std::size_t W = B::size, M = NV * W;
  B acc[NJ][NV];
#pragma GCC unroll 16
  for (std::size_t j = 0; j < NJ; ++j)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) acc[j][v] = B(0.0f);
  auto step = [&](const float* a_p, const float* b_p) {  // one depth step: a_p holds M values along M
    B av[NV];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) av[v] = B::load_unaligned(a_p + v * W);
#pragma GCC unroll 16
    for (std::size_t j = 0; j < NJ; ++j) {
      const B bj(b_p[j]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) acc[j][v] = simd::madd<Arch>(bj, av[v], acc[j][v]);
    }
  };
  if constexpr (ATransposed) {
    for (std::size_t p = 0; p < k; ++p) step(a + p * lda, bp + p * NJ);
  } else {
    alignas(64) float t[8][M];  // 8 depth steps of the tile's A, along M
    std::size_t p0 = 0;
    for (; p0 + 8 <= k; p0 += 8) {
      for (std::size_t g = 0; g < M; g += 8) {
        const float* row[8];
        for (std::size_t i = 0; i < 8; ++i) row[i] = a + (g + i) * lda;
        simd::transpose_8x8<Arch>(row, p0, &t[0][g], M);
      }
      for (std::size_t q = 0; q < 8; ++q) step(t[q], bp + (p0 + q) * NJ);
    }
    for (; p0 < k; ++p0) {
      for (std::size_t i = 0; i < M; ++i) t[0][i] = a[i * lda + p0];
      step(t[0], bp + p0 * NJ);
    }
  }
  // Add what C starts from (the bias, or C itself) before the transposed store.
  if (!accumulate && bias) {
#pragma GCC unroll 16
    for (std::size_t j = 0; j < NJ; ++j)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) acc[j][v] += B(j < n ? bias[j] : 0.0f);
  }
  alignas(64) float out[NJ][M];
#pragma GCC unroll 16
  for (std::size_t j = 0; j < NJ; ++j)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) acc[j][v].store_aligned(&out[j][v * W]);
  if (accumulate) {
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < n; ++j) out[j][i] += c[i * ldc + j];
  }
  if (relu) {
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = out[j][i] > 0.0f ? out[j][i] : 0.0f;
  } else {
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = out[j][i];
  }
}

template <class Arch, std::size_t NJ, bool ATransposed>
void gemm_narrow_transposed(const GemmProblem& p, float* pack_b) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  // AVX-512: about 24 of the 32 zmm registers. AVX2: NJ x NV accumulators, NV loads of A and one
  // broadcast within the 16 ymm registers (one vector of 8 rows for NJ = 8 to 12).
  constexpr std::size_t NV = simd::is_avx512<Arch> ? (24 / NJ > 4 ? 4 : 24 / NJ) : 15 / (NJ + 1);
  pack_panels<Arch, NJ>(p.b, p.n, p.k, pack_b);
  const std::size_t lda = ATransposed ? p.a.k_stride : p.a.row_stride;
  auto at = [&](std::size_t i) { return ATransposed ? p.a.data + i : p.a.data + i * lda; };
  std::size_t i = 0;
  for (; i + NV * W <= p.m; i += NV * W)
    narrow_transposed_tile<Arch, NJ, NV, ATransposed>(p.k, at(i), lda, pack_b, p.n, p.c + i * p.ldc, p.ldc,
                                                      p.accumulate, p.bias, p.relu);
  for (; i + W <= p.m; i += W)
    narrow_transposed_tile<Arch, NJ, 1, ATransposed>(p.k, at(i), lda, pack_b, p.n, p.c + i * p.ldc, p.ldc,
                                                     p.accumulate, p.bias, p.relu);
  for (; i < p.m; ++i)  // the last m % W rows, one at a time
    for (std::size_t j = 0; j < p.n; ++j) {
      float sum = 0.0f;
      for (std::size_t q = 0; q < p.k; ++q) sum += *element<Arch>(p.a, i, q) * pack_b[q * NJ + j];
      float& out = p.c[i * p.ldc + j];
      const float v = sum + (p.accumulate ? out : (p.bias ? p.bias[j] : 0.0f));
      out = p.relu && !(v > 0.0f) ? 0.0f : v;
    }
}

template <class Arch, bool ATransposed>
void gemm_narrow_transposed(const GemmProblem& p, float* pack_b) noexcept {
  if (p.n <= 4) return gemm_narrow_transposed<Arch, 4, ATransposed>(p, pack_b);
  if (p.n <= 8) return gemm_narrow_transposed<Arch, 8, ATransposed>(p, pack_b);
  if (p.n <= 10) return gemm_narrow_transposed<Arch, 10, ATransposed>(p, pack_b);
  return gemm_narrow_transposed<Arch, 12, ATransposed>(p, pack_b);
}

// Cᵀ tiles fit: up to 12 columns, at least a vector of rows, A contiguous along M or K. On AVX2
// this also takes 9 to 12 columns, which the 16-wide blocked kernel would run with 6 of its 16
// lanes idle and every tile an edge tile (the 10 class scores: 12 GFLOP/s against OpenBLAS's 28).
template <class Arch>
bool narrow_transposed_fits(const GemmProblem& p) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  return simd::is_avx<Arch> && p.n <= 12 && p.m >= W && (p.a.row_stride == 1 || p.a.k_stride == 1);
}

// Whether gemm_narrow_n takes p: n no wider than a vector, or Cᵀ tiles on AVX2 (above). B is packed
// once over the whole depth, at most k x kMaxW floats: blocking.hpp's bound for narrow N.
template <class Arch>
bool narrow_n_fits(const GemmProblem& p) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  if (p.k == 0 || p.k * kMaxW > kMaxPackB) return false;
  if constexpr (simd::is_avx256<Arch>) {
    if (narrow_transposed_fits<Arch>(p)) return true;
  }
  return p.n <= W;
}

// narrow_n_fits(p).
template <class Arch>
void gemm_narrow_n(const GemmProblem& p, float* pack_b) noexcept {
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  if constexpr (simd::is_avx<Arch>) {  // Cᵀ tiles, vectorised along M: every lane works
    if (narrow_transposed_fits<Arch>(p)) {
      if (p.a.row_stride == 1) return gemm_narrow_transposed<Arch, true>(p, pack_b);
      return gemm_narrow_transposed<Arch, false>(p, pack_b);
    }
  }
  constexpr std::size_t R = 8;  // row pointers: 8 fit the x86-64 integer registers
  pack_panels<Arch, W>(p.b, p.n, p.k, pack_b);
  const Init init = p.accumulate ? Init::from_c : (p.bias ? Init::from_bias : Init::zero);
  for (std::size_t i = 0; i < p.m; i += R) {
    const std::size_t rows = p.m - i < R ? p.m - i : R;
    const Strided a{p.a.data + i * p.a.row_stride, p.a.row_stride, p.a.k_stride};
    if (p.a.row_stride == 1)
      direct_tile<Arch, R, 1, true>(p.k, a, rows, pack_b, W, p.c + i * p.ldc, p.ldc, p.n, init, p.bias, p.relu);
    else
      direct_tile<Arch, R, 1, false>(p.k, a, rows, pack_b, W, p.c + i * p.ldc, p.ldc, p.n, init, p.bias, p.relu);
  }
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
