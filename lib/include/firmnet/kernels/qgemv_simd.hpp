// kernels/qgemv_simd.hpp: the SIMD int8 matrix-vector products, one per instruction set, each
// with the contract of qgemv_ref.hpp (exact int32 results: the same bits on every path).
// xsimd 8.1 has no int8 dot product, so these use the ISA's instructions directly:
//   avx512vnni: vpdpbusd, 64 u8·s8 products summed into 16 int32 lanes per instruction;
//   avx2, sse2: widen to int16 and pmaddwd (never pmaddubsw: its int16 saturation would break
//               exactness for 255·127 + 255·127);
//   neon:       widen to int16 and vmlal_s16;
//   dotprod:    aarch64's sdot (Armv8.2 dot product: Cortex-A55/A76 and later), 16 s8·s8 products
//               into 4 int32 lanes per instruction; x is fed as x - 128 and the lost 128·Σw added
//               back (see below).
// Four weight rows share each load of x; a scalar loop takes the last in % W inputs.
// Everything here is static (internal linkage): each per-ISA translation unit keeps its own copy,
// so the linker can never hand the SSE2 path a function compiled for AVX-512.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace firmnet::kernels::qgemv {

namespace detail {
static inline std::int32_t tail_dot(const std::uint8_t* x, const std::int8_t* w, std::size_t from, std::size_t in) noexcept {
  std::int32_t sum = 0;
  for (std::size_t i = from; i < in; ++i) sum += std::int32_t(x[i]) * std::int32_t(w[i]);
  return sum;
}
}  // namespace detail

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
static inline void avx512vnni(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out,
                       std::int32_t* acc) noexcept {
  const std::size_t tail = in % 64;
  const __mmask64 tail_mask = tail ? (~0ull >> (64 - tail)) : 0;
  std::size_t o = 0;
  for (; o + 4 <= out; o += 4) {
    const std::int8_t* r[4] = {w + o * in, w + (o + 1) * in, w + (o + 2) * in, w + (o + 3) * in};
    __m512i s[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    std::size_t i = 0;
    for (; i + 64 <= in; i += 64) {
      const __m512i xv = _mm512_loadu_si512(x + i);
      for (int k = 0; k < 4; ++k) s[k] = _mm512_dpbusd_epi32(s[k], xv, _mm512_loadu_si512(r[k] + i));
    }
    if (tail) {  // masked loads: nothing past the row is read
      const __m512i xv = _mm512_maskz_loadu_epi8(tail_mask, x + i);
      for (int k = 0; k < 4; ++k) s[k] = _mm512_dpbusd_epi32(s[k], xv, _mm512_maskz_loadu_epi8(tail_mask, r[k] + i));
    }
    for (int k = 0; k < 4; ++k) acc[o + k] = _mm512_reduce_add_epi32(s[k]);
  }
  for (; o < out; ++o) {
    __m512i s = _mm512_setzero_si512();
    std::size_t i = 0;
    for (; i + 64 <= in; i += 64) s = _mm512_dpbusd_epi32(s, _mm512_loadu_si512(x + i), _mm512_loadu_si512(w + o * in + i));
    if (tail) s = _mm512_dpbusd_epi32(s, _mm512_maskz_loadu_epi8(tail_mask, x + i), _mm512_maskz_loadu_epi8(tail_mask, w + o * in + i));
    acc[o] = _mm512_reduce_add_epi32(s);
  }
}
#endif

#if defined(__AVX2__)
static inline std::int32_t hsum_epi32(__m256i v) noexcept {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

static inline void avx2(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out, std::int32_t* acc) noexcept {
  const std::size_t end = in - in % 16;
  std::size_t o = 0;
  for (; o + 4 <= out; o += 4) {
    const std::int8_t* r[4] = {w + o * in, w + (o + 1) * in, w + (o + 2) * in, w + (o + 3) * in};
    __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (std::size_t i = 0; i < end; i += 16) {
      const __m256i xv = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
      for (int k = 0; k < 4; ++k)
        s[k] = _mm256_add_epi32(s[k], _mm256_madd_epi16(xv, _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r[k] + i)))));
    }
    for (int k = 0; k < 4; ++k) acc[o + k] = hsum_epi32(s[k]) + detail::tail_dot(x, r[k], end, in);
  }
  for (; o < out; ++o) {
    __m256i s = _mm256_setzero_si256();
    for (std::size_t i = 0; i < end; i += 16)
      s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))),
                                                _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + o * in + i)))));
    acc[o] = hsum_epi32(s) + detail::tail_dot(x, w + o * in, end, in);
  }
}
#endif

#if defined(__SSE2__)
static inline void sse2(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out, std::int32_t* acc) noexcept {
  const std::size_t end = in - in % 8;
  const __m128i zero = _mm_setzero_si128();
  for (std::size_t o = 0; o < out; ++o) {
    const std::int8_t* row = w + o * in;
    __m128i s = zero;
    for (std::size_t i = 0; i < end; i += 8) {
      const __m128i xv = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x + i)), zero);
      const __m128i wb = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + i));
      const __m128i wv = _mm_srai_epi16(_mm_unpacklo_epi8(wb, wb), 8);  // sign-extend int8 -> int16
      s = _mm_add_epi32(s, _mm_madd_epi16(xv, wv));
    }
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    acc[o] = _mm_cvtsi128_si32(s) + detail::tail_dot(x, row, end, in);
  }
}
#endif

#if defined(__ARM_NEON)
static inline void neon(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out, std::int32_t* acc) noexcept {
  const std::size_t end = in - in % 8;
  for (std::size_t o = 0; o < out; ++o) {
    const std::int8_t* row = w + o * in;
    int32x4_t s = vdupq_n_s32(0);
    for (std::size_t i = 0; i < end; i += 8) {
      const int16x8_t xv = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(x + i)));  // 0..255 fits int16
      const int16x8_t wv = vmovl_s8(vld1_s8(row + i));
      s = vmlal_s16(s, vget_low_s16(xv), vget_low_s16(wv));
      s = vmlal_s16(s, vget_high_s16(xv), vget_high_s16(wv));
    }
#if defined(__aarch64__)
    std::int32_t total = vaddvq_s32(s);
#else
    const int32x2_t pair = vadd_s32(vget_low_s32(s), vget_high_s32(s));
    std::int32_t total = vget_lane_s32(vpadd_s32(pair, pair), 0);
#endif
    acc[o] = total + detail::tail_dot(x, row, end, in);
  }
}
#endif

#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
// sdot multiplies int8 by int8, but x is uint8. Flipping its top bit gives x - 128 as an int8,
// and x·w = (x - 128)·w - (-128)·w: a second sdot against a vector of -128 gives the correction.
// Both accumulate exactly (|16 products| < 2^19 per lane per step) and the final subtraction is
// modular, so the result equals the reference whenever the true sum fits int32 (kQgemvMaxInputs).
static inline void dotprod(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out,
                           std::int32_t* acc) noexcept {
  const std::size_t end = in - in % 16;
  const uint8x16_t flip = vdupq_n_u8(0x80);
  const int8x16_t minus128 = vdupq_n_s8(-128);
  std::size_t o = 0;
  for (; o + 4 <= out; o += 4) {
    const std::int8_t* r[4] = {w + o * in, w + (o + 1) * in, w + (o + 2) * in, w + (o + 3) * in};
    int32x4_t s[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    int32x4_t c[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
    for (std::size_t i = 0; i < end; i += 16) {
      const int8x16_t xv = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x + i), flip));
      for (int k = 0; k < 4; ++k) {
        const int8x16_t wv = vld1q_s8(r[k] + i);
        s[k] = vdotq_s32(s[k], xv, wv);
        c[k] = vdotq_s32(c[k], minus128, wv);
      }
    }
    for (int k = 0; k < 4; ++k) acc[o + k] = vaddvq_s32(vsubq_s32(s[k], c[k])) + detail::tail_dot(x, r[k], end, in);
  }
  for (; o < out; ++o) {
    const std::int8_t* row = w + o * in;
    int32x4_t s = vdupq_n_s32(0), c = vdupq_n_s32(0);
    for (std::size_t i = 0; i < end; i += 16) {
      const int8x16_t wv = vld1q_s8(row + i);
      s = vdotq_s32(s, vreinterpretq_s8_u8(veorq_u8(vld1q_u8(x + i), flip)), wv);
      c = vdotq_s32(c, minus128, wv);
    }
    acc[o] = vaddvq_s32(vsubq_s32(s, c)) + detail::tail_dot(x, row, end, in);
  }
}
#endif

}  // namespace firmnet::kernels::qgemv
