// kernels/requantize.hpp: a whole layer's requantization,
//   out[o] = clamp(zero_point + acc[o]·M_o, lo, hi),   M_o = multiplier[o]·2^(shift[o] − 31),
// the arithmetic of quant/fixed_point.hpp (multiply_by_quantized_multiplier, the specification)
// written without branches (loop(), which compilers vectorise with each ISA's int64 products and
// per-lane shifts) and with AVX2 intrinsics in int32 lanes (avx2(), 3x faster on the default CNN);
// integer-only, so every path gives the specification's bits (tested).
// SIMD builds run the copy compiled with the active int8 variant's flags (kernels/qgemm.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/kernels/qgemm.hpp"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace firmnet::kernels {

namespace requant {
namespace {  // internal linkage: each ISA's translation unit compiles and keeps its own copy (qgemm_simd.hpp)
static inline void loop(const std::int32_t* acc, const std::int32_t* multiplier, const std::int32_t* shift,
                        std::int32_t zero_point, std::int32_t lo, std::int32_t hi, std::size_t n,
                        std::int32_t* out) noexcept {
  constexpr std::int64_t kMax = 2147483647, kMin = -kMax - 1;
  for (std::size_t o = 0; o < n; ++o) {
    const std::int32_t s = shift[o];
    const std::int32_t left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
    // x·2^left, saturated to int32 (left <= 30: exact in int64).
    std::int64_t v = std::int64_t(acc[o]) << left;
    v = v > kMax ? kMax : (v < kMin ? kMin : v);
    // Rounding doubling high multiply; its one overflow, (−2^31)·(−2^31), saturates. Both factors
    // are int32 widened, which lets the compiler use a 32 x 32 -> 64 multiply (vpmuldq, smull).
    const std::int32_t v32 = static_cast<std::int32_t>(v);
    std::int64_t z = (std::int64_t(v32) * std::int64_t(multiplier[o]) + (std::int64_t(1) << 30)) >> 31;
    z = z > kMax ? kMax : z;
    const std::int32_t zi = static_cast<std::int32_t>(z);
    // Divide by 2^right, rounding half away from zero.
    const std::int32_t mask = static_cast<std::int32_t>((std::uint32_t(1) << right) - 1u);
    const std::int32_t threshold = (mask >> 1) + (zi < 0 ? 1 : 0);
    const std::int32_t r = (zi >> right) + ((zi & mask) > threshold ? 1 : 0);
    const std::int64_t q = std::int64_t(zero_point) + r;  // in int64: no overflow near the int32 ends
    out[o] = static_cast<std::int32_t>(q < lo ? lo : (q > hi ? hi : q));
  }
}

// The end of a layer with weights, for rows >= 1 accumulator rows (the pixels under one pooling
// window; 1 without pooling), 0 <= lo <= hi <= 255:
//   out[o] = clamp(zero_point + (max_r acc[r·stride + o] + bias[o])·M_o, lo, hi)   as uint8
// The bias is added with int32 wraparound, as every SIMD path adds. The requantization is
// monotone (M_o >= 0), so the max of the accumulators gives the max of the requantized values.
static inline void finish_loop(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                               const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point,
                               std::int32_t lo, std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept {
  for (std::size_t o = 0; o < n; ++o) {
    std::int32_t best = acc[o];
    for (std::size_t r = 1; r < rows; ++r) best = acc[r * stride + o] > best ? acc[r * stride + o] : best;
    const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(best) + static_cast<std::uint32_t>(bias[o]));
    std::int32_t y = 0;
    loop(&x, multiplier + o, shift + o, zero_point, lo, hi, 1, &y);
    out[o] = static_cast<std::uint8_t>(y);
  }
}

// The same arithmetic one output at a time, with branches where loop() has masks, for builds
// without SIMD (Cortex-M, scalar): the usual M < 1 takes no 64-bit shift, step 2 is one
// 32 x 32 -> 64 multiply (SMULL), step 3 stays in 32 bits, and the clamp is applied before the
// zero point is added, against bounds moved by it. Half the instructions of finish_loop on a
// Cortex-M4, where the first convolution of a CNN spends as much on its outputs as on its products.
static inline void finish_scalar(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                                 const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point,
                                 std::int32_t lo, std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept {
  constexpr std::int64_t kMax = 2147483647, kMin = -kMax - 1;
  const std::int64_t lo_r = std::int64_t(lo) - zero_point, hi_r = std::int64_t(hi) - zero_point;
  if (lo_r > kMax) {  // every result is below lo (a zero point near -2^31)
    for (std::size_t o = 0; o < n; ++o) out[o] = static_cast<std::uint8_t>(lo);
    return;
  }
  const auto lo32 = static_cast<std::int32_t>(lo_r < kMin ? kMin : lo_r);
  const auto hi32 = static_cast<std::int32_t>(hi_r > kMax ? kMax : hi_r);
  for (std::size_t o = 0; o < n; ++o) {
    std::int32_t best = acc[o];
    for (std::size_t r = 1; r < rows; ++r) best = acc[r * stride + o] > best ? acc[r * stride + o] : best;
    auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(best) + static_cast<std::uint32_t>(bias[o]));
    const std::int32_t s = shift[o];
    if (s > 0) {  // M >= 1: x·2^s, saturated
      const std::int64_t v = std::int64_t(x) * (std::int64_t(1) << s);
      x = static_cast<std::int32_t>(v > kMax ? kMax : (v < kMin ? kMin : v));
    }
    std::int64_t z = (std::int64_t(x) * std::int64_t(multiplier[o]) + (std::int64_t(1) << 30)) >> 31;
    z = z > kMax ? kMax : z;  // (−2^31)·(−2^31)
    auto y = static_cast<std::int32_t>(z);
    if (s < 0) {  // divide by 2^−s, rounding half away from zero
      const std::uint32_t mask = (std::uint32_t(1) << -s) - 1u;
      const std::uint32_t threshold = (mask >> 1) + (y < 0 ? 1u : 0u);
      y = (y >> -s) + ((static_cast<std::uint32_t>(y) & mask) > threshold ? 1 : 0);
    }
    y = y < lo32 ? lo32 : (y > hi32 ? hi32 : y);
    out[o] = static_cast<std::uint8_t>(y + zero_point);
  }
}

// One channel's requantization on a 32-bit core, the short way, where it gives the bits above:
// a multiplier below 1/2 (shift in [-30, -1]) and a value x = acc + bias with |x| < 2^30, so that
//   step 2, (x·m + 2^30) >> 31, is SMMULR(2x, m) = (2x·m + 2^31) >> 32 (the same quotient, and
//           |2x| < 2^31: no saturation case), one instruction on Armv7E-M;
//   step 3, z / 2^e rounded half away from zero (e = -shift >= 1), is (z + 2^(e−1) − [z < 0]) >> e
//           (|z| < 2^30: no overflow), the [z < 0] being z's sign word, z >> 31;
//   step 4 adds the zero point (|zp| <= 2^29) before clamping.
// Callers check fits() for the channel and its range of x and take finish_scalar otherwise.
inline std::int32_t smmulr(std::int32_t a, std::int32_t b) noexcept {
#if defined(__ARM_FEATURE_DSP)
  std::int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return static_cast<std::int32_t>((std::int64_t(a) * b + (std::int64_t(1) << 31)) >> 32);
#endif
}

struct ShortRequant {
  std::int32_t multiplier, e, half, zero_point, lo, hi;

  // Usable for values x with |x| <= bound.
  static bool fits(std::int32_t shift, std::int32_t zero_point, std::int64_t bound) noexcept {
    return shift <= -1 && shift >= -30 && bound < (std::int64_t(1) << 30) && zero_point >= -(1 << 29) &&
           zero_point <= (1 << 29);
  }
  ShortRequant(std::int32_t m, std::int32_t shift, std::int32_t zp, std::int32_t lo_, std::int32_t hi_) noexcept
      : multiplier(m), e(-shift), half(std::int32_t(1) << (-shift - 1)), zero_point(zp), lo(lo_), hi(hi_) {}

  // zero point + x·M, before the clamp.
  std::int32_t unclamped(std::int32_t x) const noexcept {
    const std::int32_t z = smmulr(x * 2, multiplier);
    return ((z + half + (z >> 31)) >> e) + zero_point;
  }
  std::uint8_t operator()(std::int32_t x) const noexcept {
    const std::int32_t z = unclamped(x);
    return static_cast<std::uint8_t>(z < lo ? lo : (z > hi ? hi : z));
  }
};

#if defined(__AVX2__)
// The same arithmetic, 8 channels at a time in int32 lanes: the 64-bit products of step 2 are
// formed for the even and the odd lanes (vpmuldq), and bits 31..62 of each are what the spec
// keeps. The clamp is applied before the zero point is added, against bounds moved by it, so
// nothing overflows near the int32 ends. The last n % 8 channels (and lo > hi) take the loops.
struct Avx2Bounds {
  __m256i lo, hi, zp;
  Avx2Bounds(std::int32_t zero_point, std::int32_t lo_, std::int32_t hi_) noexcept {
    constexpr std::int64_t kMax = 2147483647, kMin = -kMax - 1;
    const std::int64_t lo_r = std::int64_t(lo_) - zero_point, hi_r = std::int64_t(hi_) - zero_point;
    lo = _mm256_set1_epi32(std::int32_t(lo_r < kMin ? kMin : lo_r));
    hi = _mm256_set1_epi32(std::int32_t(hi_r > kMax ? kMax : hi_r));
    zp = _mm256_set1_epi32(zero_point);
  }
};
static inline __m256i requantize8(__m256i x, __m256i m, __m256i s, const Avx2Bounds& b) noexcept {
  const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi32(1);
  const __m256i int_max = _mm256_set1_epi32(2147483647), int_min = _mm256_set1_epi32(-2147483647 - 1);
  const __m256i nudge = _mm256_set1_epi64x(std::int64_t(1) << 30);
  const __m256i left = _mm256_max_epi32(s, zero), right = _mm256_max_epi32(_mm256_sub_epi32(zero, s), zero);
  // 1. x·2^left, saturated.
  __m256i v = _mm256_sllv_epi32(x, left);
  v = _mm256_blendv_epi8(v, int_max, _mm256_cmpgt_epi32(x, _mm256_srav_epi32(int_max, left)));
  v = _mm256_blendv_epi8(v, int_min, _mm256_cmpgt_epi32(_mm256_srav_epi32(int_min, left), x));
  // 2. (v·m + 2^30) >> 31, even and odd lanes; (−2^31)·(−2^31) saturates.
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(v, m), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(v, 32), _mm256_srli_epi64(m, 32)), nudge);
  __m256i z = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  z = _mm256_blendv_epi8(z, int_max, _mm256_and_si256(_mm256_cmpeq_epi32(v, int_min), _mm256_cmpeq_epi32(m, int_min)));
  // 3. z / 2^right, rounding half away from zero (a compare gives -1 where true).
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_cmpgt_epi32(zero, z));
  __m256i r = _mm256_sub_epi32(_mm256_srav_epi32(z, right), _mm256_cmpgt_epi32(_mm256_and_si256(z, mask), threshold));
  // 4. + zero point, within [lo, hi].
  return _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r, b.lo), b.hi), b.zp);
}
static inline __m256i load8(const std::int32_t* p) noexcept { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

static inline void avx2(const std::int32_t* acc, const std::int32_t* multiplier, const std::int32_t* shift,
                        std::int32_t zero_point, std::int32_t lo, std::int32_t hi, std::size_t n,
                        std::int32_t* out) noexcept {
  std::size_t o = 0;
  if (lo <= hi) {
    const Avx2Bounds b(zero_point, lo, hi);
    for (; o + 8 <= n; o += 8)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + o), requantize8(load8(acc + o), load8(multiplier + o), load8(shift + o), b));
  }
  loop(acc + o, multiplier + o, shift + o, zero_point, lo, hi, n - o, out + o);
}

static inline void finish_avx2(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                               const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point,
                               std::int32_t lo, std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept {
  std::size_t o = 0;
  if (lo <= hi) {
    const Avx2Bounds b(zero_point, lo, hi);
    // Byte 0 of each int32 lane to the lane's first 4 bytes, then both lanes' words together.
    const __m256i bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12, -1,
                                           -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i words = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
    for (; o + 8 <= n; o += 8) {
      __m256i best = load8(acc + o);
      for (std::size_t r = 1; r < rows; ++r) best = _mm256_max_epi32(best, load8(acc + r * stride + o));
      const __m256i y = requantize8(_mm256_add_epi32(best, load8(bias + o)), load8(multiplier + o), load8(shift + o), b);
      const __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(y, bytes), words);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + o), _mm256_castsi256_si128(packed));
    }
  }
  finish_loop(acc + o, rows, stride, bias + o, multiplier + o, shift + o, zero_point, lo, hi, n - o, out + o);
}
#endif
#if defined(__AVX512F__) && defined(__AVX512BW__)
// requantize8 on 16 lanes, compares into masks, the tail masked instead of left to the loop.
static inline __m512i requantize16(__m512i x, __m512i m, __m512i s, __m512i lo, __m512i hi, __m512i zp) noexcept {
  const __m512i zero = _mm512_setzero_si512(), one = _mm512_set1_epi32(1);
  const __m512i int_max = _mm512_set1_epi32(2147483647), int_min = _mm512_set1_epi32(-2147483647 - 1);
  const __m512i nudge = _mm512_set1_epi64(std::int64_t(1) << 30);
  const __m512i left = _mm512_max_epi32(s, zero), right = _mm512_max_epi32(_mm512_sub_epi32(zero, s), zero);
  __m512i v = _mm512_sllv_epi32(x, left);  // 1. x·2^left, saturated
  v = _mm512_mask_mov_epi32(v, _mm512_cmpgt_epi32_mask(x, _mm512_srav_epi32(int_max, left)), int_max);
  v = _mm512_mask_mov_epi32(v, _mm512_cmpgt_epi32_mask(_mm512_srav_epi32(int_min, left), x), int_min);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(v, m), nudge);  // 2. (v·m + 2^30) >> 31
  const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(v, 32), _mm512_srli_epi64(m, 32)), nudge);
  __m512i z = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  z = _mm512_mask_mov_epi32(z, _mm512_cmpeq_epi32_mask(v, int_min) & _mm512_cmpeq_epi32_mask(m, int_min), int_max);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);  // 3. / 2^right, half away from 0
  const __m512i threshold = _mm512_mask_add_epi32(_mm512_srai_epi32(mask, 1), _mm512_cmplt_epi32_mask(z, zero),
                                                  _mm512_srai_epi32(mask, 1), one);
  __m512i r = _mm512_srav_epi32(z, right);
  r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(_mm512_and_si512(z, mask), threshold), r, one);
  return _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, lo), hi), zp);  // 4. + zero point, clamped
}

static inline void finish_avx512(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                                 const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point,
                                 std::int32_t lo, std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept {
  if (lo > hi) return finish_loop(acc, rows, stride, bias, multiplier, shift, zero_point, lo, hi, n, out);
  const __m512i vlo = _mm512_set1_epi32(lo - zero_point), vhi = _mm512_set1_epi32(hi - zero_point);  // |.| <= 2^9
  const __m512i vzp = _mm512_set1_epi32(zero_point);
  for (std::size_t o = 0; o < n; o += 16) {
    const __mmask16 k = n - o >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (n - o)) - 1u);
    __m512i best = _mm512_maskz_loadu_epi32(k, acc + o);
    for (std::size_t r = 1; r < rows; ++r) best = _mm512_max_epi32(best, _mm512_maskz_loadu_epi32(k, acc + r * stride + o));
    const __m512i y = requantize16(_mm512_add_epi32(best, _mm512_maskz_loadu_epi32(k, bias + o)),
                                   _mm512_maskz_loadu_epi32(k, multiplier + o), _mm512_maskz_loadu_epi32(k, shift + o),
                                   vlo, vhi, vzp);
    _mm512_mask_cvtepi32_storeu_epi8(out + o, k, y);  // each lane is in [lo, hi], within 0..255
  }
}
#endif
}  // namespace
}  // namespace requant

inline void requantize_s32(const std::int32_t* acc, const std::int32_t* multiplier, const std::int32_t* shift,
                           std::int32_t zero_point, std::int32_t lo, std::int32_t hi, std::size_t n,
                           std::int32_t* out) noexcept {
#if FIRMNET_HAVE_XSIMD
  qgemm_active().requantize(acc, multiplier, shift, zero_point, lo, hi, n, out);
#else
  requant::loop(acc, multiplier, shift, zero_point, lo, hi, n, out);
#endif
}

// The end of a layer with weights (requant::finish_loop says what it computes).
inline void requantize_u8(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                          const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point,
                          std::int32_t lo, std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept {
#if FIRMNET_HAVE_XSIMD
  qgemm_active().finish(acc, rows, stride, bias, multiplier, shift, zero_point, lo, hi, n, out);
#else
  requant::finish_scalar(acc, rows, stride, bias, multiplier, shift, zero_point, lo, hi, n, out);
#endif
}

}  // namespace firmnet::kernels
