// kernels/simd.hpp: the SIMD operations the kernels need that xsimd 8.1 lacks or gets wrong,
// each written once over the xsimd Arch tag (never as a non-template inline function: per-ISA
// translation units would then share one copy and leak AVX code into the SSE2 path).
//  - madd: a·b + c, fused wherever the ISA has it. xsimd 8.1 fuses only on its fma3<...> tags;
//    on avx512bw and neon64 its fma is a plain x*y+z, which firmnet's -ffp-contract=off keeps
//    as two rounded operations (half the speed, other bits).
//  - relu: max(x, 0) on SSE/AVX, whose maxps returns its second operand (+0) when x is NaN or
//    -0, exactly as the scalar reference x > 0 ? x : 0 (one instruction where select is three or
//    four); select(x > 0, x, 0) elsewhere: on AVX-512 it is a mask compare and a masked move (and
//    GCC 12's _mm512_max_ps trips -Wuninitialized inside its own header), and NEON's max would
//    propagate a NaN.
//  - transpose_8x8: 8 x 8 float transposes for the packing routines; store_transposed_6x8 and
//    store_transposed_8x16 for the AVX2 and AVX-512 kernels that compute Cᵀ.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"

#if FIRMNET_HAVE_XSIMD
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>  // declares every x86 intrinsic; only the AVX translation units instantiate them
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace firmnet::kernels::simd {

template <class A>
using FBatch = xsimd::batch<float, A>;

template <class A>
constexpr bool is_avx512 = std::is_base_of_v<xsimd::avx512f, A>;
template <class A>
constexpr bool is_avx = std::is_base_of_v<xsimd::avx, A> || is_avx512<A>;
// The 256-bit AVX/AVX2 variants: 16 ymm registers, tuned apart from AVX-512 (whose summation
// order training reproduces bit for bit, so it is left as it is).
template <class A>
constexpr bool is_avx256 = is_avx<A> && !is_avx512<A>;

template <class A>
FBatch<A> madd(FBatch<A> a, FBatch<A> b, FBatch<A> c) noexcept {
  if constexpr (is_avx512<A>) {
    return _mm512_fmadd_ps(a, b, c);
#if defined(__aarch64__)
  } else if constexpr (std::is_same_v<A, xsimd::neon64>) {
    return vfmaq_f32(c, a, b);
#endif
  } else {
    return xsimd::fma(a, b, c);  // fma3 tags: the intrinsic; sse2, armv7 neon: multiply, then add
  }
}

template <class A>
FBatch<A> relu(FBatch<A> x) noexcept {
  const FBatch<A> zero(0.0f);
#if defined(__x86_64__) || defined(__i386__)
  if constexpr (!is_avx512<A>) return xsimd::max(x, zero);  // maxps(x, 0): 0 unless x > 0
#endif
  return xsimd::select(x > zero, x, zero);
}

// dst (8 x 8, row stride ldd) = transpose of src (8 x 8, row stride lds), with AVX. Rows r and
// r + 4 are loaded into the two 128-bit halves of one register, so two in-lane 4 x 4 transposes
// finish the job: 16 shuffles, no cross-lane permute.
// rows[i] + col is the start of source row i.
#if defined(__x86_64__) || defined(__i386__)
template <class A>
[[gnu::always_inline]] inline void transpose_8x8(const float* const* rows, std::size_t col, float* dst,
                                                 std::size_t ldd) noexcept {
  static_assert(is_avx<A>);
  for (int half = 0; half < 8; half += 4) {  // columns 0-3, then 4-7
    __m256 r[4];
    for (int i = 0; i < 4; ++i)
      r[i] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(rows[i] + col + half)),
                                  _mm_loadu_ps(rows[i + 4] + col + half), 1);
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    _mm256_storeu_ps(dst + (half + 0) * ldd, _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)));
    _mm256_storeu_ps(dst + (half + 1) * ldd, _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)));
    _mm256_storeu_ps(dst + (half + 2) * ldd, _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)));
    _mm256_storeu_ps(dst + (half + 3) * ldd, _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)));
  }
}

// The transposed store of a 6 x 8 block: c[i·ldc + r] = rows[r][i] for r < 6, i < 8, with C added
// first (add_c) and ReLU after (relu), element by element as the row-major epilogue does them.
// Rows 0-3 of column i leave as one 4-float store, rows 4-5 as one 2-float store: 12 shuffles
// and 16 stores per block, where a scalar copy would take 48 of each. The 2-float moves are the
// movlps builtins, which read and write through their own may-alias types (a double* would ask
// for an alignment C does not have).
template <class A>
[[gnu::always_inline]] inline void store_transposed_6x8(const FBatch<A>* rows, float* c, std::size_t ldc, bool add_c,
                                                        bool relu) noexcept {
  static_assert(is_avx<A> && !is_avx512<A>);
  const __m256 t0 = _mm256_unpacklo_ps(rows[0], rows[1]), t1 = _mm256_unpackhi_ps(rows[0], rows[1]);
  const __m256 t2 = _mm256_unpacklo_ps(rows[2], rows[3]), t3 = _mm256_unpackhi_ps(rows[2], rows[3]);
  // q[j]: rows 0-3 of column j (low half) and of column j + 4 (high half)
  const __m256 q[4] = {_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)),
                       _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2))};
  // e[0]: rows 4-5 of columns 0, 1 | 4, 5; e[1]: of columns 2, 3 | 6, 7
  const __m256 e[2] = {_mm256_unpacklo_ps(rows[4], rows[5]), _mm256_unpackhi_ps(rows[4], rows[5])};
  const __m128 zero = _mm_setzero_ps();
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    const int j = i % 4;
    __m128 four = i < 4 ? _mm256_castps256_ps128(q[j]) : _mm256_extractf128_ps(q[j], 1);
    __m128 two = i < 4 ? _mm256_castps256_ps128(e[j / 2]) : _mm256_extractf128_ps(e[j / 2], 1);
    if (j % 2) two = _mm_movehl_ps(two, two);  // column i's pair is the high 64 bits
    float* ci = c + i * ldc;
    if (add_c) {
      four = _mm_add_ps(four, _mm_loadu_ps(ci));
      two = _mm_add_ps(two, _mm_loadl_pi(zero, reinterpret_cast<const __m64*>(ci + 4)));
    }
    if (relu) {  // maxps(x, 0), as relu() above: 0 unless x > 0
      four = _mm_max_ps(four, zero);
      two = _mm_max_ps(two, zero);
    }
    _mm_storeu_ps(ci, four);
    _mm_storel_pi(reinterpret_cast<__m64*>(ci + 4), two);
  }
}

// The AVX-512 counterpart for an 8 x 16 block: c[i·ldc + r] = rows[r][i] for r < 8, i < 16, one
// 8-float store per row of C. Within each 128-bit lane, two rounds of unpacks and shuffles give
// rows 0-3 (u) and rows 4-7 (w) of column 4L + j; two 128-bit-lane shuffles pair u's and w's lane
// L into one 256-bit half. 32 shuffles and 16 stores per block, AVX512F only. Nothing is added
// (the AVX-512 kernel starts from C instead, which the Cᵀ path never asks of it); ReLU, if any,
// is applied to the rows before.
template <class A>
[[gnu::always_inline]] inline void store_transposed_8x16(const FBatch<A>* rows, float* c, std::size_t ldc) noexcept {
  static_assert(is_avx512<A>);
  __m512 t[8];
#pragma GCC unroll 4
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm512_unpacklo_ps(rows[i], rows[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(rows[i], rows[i + 1]);
  }
  // u[j], w[j]: in lane L, rows 0-3 and rows 4-7 of column 4L + j
  const __m512 u[4] = {_mm512_shuffle_ps(t[0], t[2], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t[0], t[2], _MM_SHUFFLE(3, 2, 3, 2)),
                       _mm512_shuffle_ps(t[1], t[3], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t[1], t[3], _MM_SHUFFLE(3, 2, 3, 2))};
  const __m512 w[4] = {_mm512_shuffle_ps(t[4], t[6], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t[4], t[6], _MM_SHUFFLE(3, 2, 3, 2)),
                       _mm512_shuffle_ps(t[5], t[7], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t[5], t[7], _MM_SHUFFLE(3, 2, 3, 2))};
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 lo = _mm512_shuffle_f32x4(u[j], w[j], _MM_SHUFFLE(1, 0, 1, 0));  // u.L0, u.L1, w.L0, w.L1
    const __m512 hi = _mm512_shuffle_f32x4(u[j], w[j], _MM_SHUFFLE(3, 2, 3, 2));  // u.L2, u.L3, w.L2, w.L3
    const __m512 c01 = _mm512_shuffle_f32x4(lo, lo, _MM_SHUFFLE(3, 1, 2, 0));    // columns j | 4 + j
    const __m512 c23 = _mm512_shuffle_f32x4(hi, hi, _MM_SHUFFLE(3, 1, 2, 0));    // columns 8 + j | 12 + j
    _mm256_storeu_ps(c + (j + 0) * ldc, _mm512_castps512_ps256(c01));
    _mm256_storeu_ps(c + (j + 4) * ldc, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(c01), 1)));
    _mm256_storeu_ps(c + (j + 8) * ldc, _mm512_castps512_ps256(c23));
    _mm256_storeu_ps(c + (j + 12) * ldc, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(c23), 1)));
  }
}
#else
// Only AVX builds call them; elsewhere they exist so the callers' discarded branches compile.
template <class A>
inline void store_transposed_8x16(const FBatch<A>* rows, float* c, std::size_t ldc) noexcept {
  for (std::size_t r = 0; r < 8; ++r)
    for (std::size_t i = 0; i < 16; ++i) c[i * ldc + r] = rows[r].get(i);
}
template <class A>
inline void store_transposed_6x8(const FBatch<A>* rows, float* c, std::size_t ldc, bool add_c, bool relu) noexcept {
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t i = 0; i < 8; ++i) {
      const float v = add_c ? rows[r].get(i) + c[i * ldc + r] : rows[r].get(i);
      c[i * ldc + r] = relu && !(v > 0.0f) ? 0.0f : v;
    }
}
template <class A>
inline void transpose_8x8(const float* const* rows, std::size_t col, float* dst, std::size_t ldd) noexcept {
  for (std::size_t i = 0; i < 8; ++i)
    for (std::size_t j = 0; j < 8; ++j) dst[j * ldd + i] = rows[i][col + j];
}
#endif

}  // namespace firmnet::kernels::simd

#endif  // FIRMNET_HAVE_XSIMD
