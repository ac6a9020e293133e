// quant/fixed_point.hpp: integer-only requantization, defined to the bit so every platform gives
// the same int8 outputs (the arithmetic of gemmlowp and TensorFlow Lite, written from its
// definition). A real multiplier M > 0 is stored as (multiplier, shift) with
//   M = multiplier · 2^(shift − 31),  multiplier in [2^30, 2^31),  shift in [-31, 30].
// Applying it to an int32 accumulator x:
//   1. y = x · 2^max(shift, 0)                                  (left shift, saturated to int32)
//   2. z = saturating_rounding_doubling_high_mul(y, multiplier) = floor((y · multiplier + 2^30) / 2^31),
//      i.e. rounded to nearest with ties upward (−1.5 -> −1, 1.5 -> 2), as gemmlowp computes it;
//      the one overflow, (-2^31)·(-2^31), saturates to 2^31 − 1
//   3. result = rounding_divide_by_pow2(z, max(-shift, 0))     = round(z / 2^e), ties away from zero
// Only int32/int64 operations: no float, so the result does not depend on the platform's FPU.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace firmnet::quant {

struct QuantizedMultiplier {
  std::int32_t multiplier = 0;  // in [2^30, 2^31), or 0 for M == 0
  std::int32_t shift = 0;       // in [-31, 30]
};

inline constexpr std::int32_t kMinShift = -31, kMaxShift = 30;

// floor((a·b + 2^30) / 2^31): nearest, ties upward; saturates the single overflow case. (The
// negative nudge 1 − 2^30 with C++'s truncating division is the same floor, for every a·b.)
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  // |a·b| < 2^62: no overflow; >> of a negative int64 is an arithmetic shift (floor) in C++20.
  return static_cast<std::int32_t>((std::int64_t(a) * std::int64_t(b) + (std::int64_t(1) << 30)) >> 31);
}

// round(x / 2^exponent), ties away from zero; 0 <= exponent <= 31.
constexpr std::int32_t rounding_divide_by_pow2(std::int32_t x, int exponent) noexcept {
  const std::int64_t mask = (std::int64_t(1) << exponent) - 1;
  const std::int64_t remainder = std::int64_t(x) & mask;
  const std::int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<std::int32_t>((std::int64_t(x) >> exponent) + (remainder > threshold ? 1 : 0));
}

// x · M with M = (q.multiplier, q.shift), as specified above. The caller keeps x · 2^shift within
// int32 (the quantizer bounds it: see quantize.hpp); here it saturates instead of overflowing.
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier q) noexcept {
  if (q.shift <= 0)  // M < 1, the usual case: no left shift, nothing to saturate
    return rounding_divide_by_pow2(saturating_rounding_doubling_high_mul(x, q.multiplier), -q.shift);
  // M >= 1: step 1 shifts left, step 3 divides by 2^0 (nothing to do).
  std::int64_t shifted = std::int64_t(x) * (std::int64_t(1) << q.shift);
  if (shifted > std::numeric_limits<std::int32_t>::max()) shifted = std::numeric_limits<std::int32_t>::max();
  if (shifted < std::numeric_limits<std::int32_t>::min()) shifted = std::numeric_limits<std::int32_t>::min();
  return saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(shifted), q.multiplier);
}

// The (multiplier, shift) closest to real > 0 (0 for 0); real must be < 2^30.
inline QuantizedMultiplier quantize_multiplier(double real) noexcept {
  if (!(real > 0.0)) return {0, 0};
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction · 2^exponent, fraction in [0.5, 1)
  auto q = static_cast<std::int64_t>(std::llround(fraction * double(std::int64_t(1) << 31)));
  if (q == (std::int64_t(1) << 31)) {  // rounding reached 1.0
    q /= 2;
    ++exponent;
  }
  if (exponent < kMinShift) return {0, 0};  // below 2^-32: rounds every input to zero
  if (exponent > kMaxShift) exponent = kMaxShift, q = std::numeric_limits<std::int32_t>::max();
  return {static_cast<std::int32_t>(q), exponent};
}

// The real multiplier a QuantizedMultiplier stands for (for reports and tests).
inline double real_multiplier(QuantizedMultiplier q) noexcept { return std::ldexp(double(q.multiplier), q.shift - 31); }

}  // namespace firmnet::quant
