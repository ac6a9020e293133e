// quant/fixed_point.hpp: against golden vectors from an independent implementation of the
// specification (tests/tools/gen_requantize_golden.py), and the multiplier's precision.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "firmnet/quant/fixed_point.hpp"

using namespace firmnet::quant;

namespace {
struct Golden {
  std::int64_t x, multiplier, shift, expected;
};
constexpr Golden kGolden[] = {
#include "quant/requantize_golden.inc"
};
}  // namespace

TEST_CASE("requantization equals the golden vectors bit for bit", "[quant][fixed_point]") {
  REQUIRE(sizeof kGolden / sizeof kGolden[0] > 4000);
  for (const Golden& g : kGolden) {
    CAPTURE(g.x, g.multiplier, g.shift);
    const QuantizedMultiplier q{static_cast<std::int32_t>(g.multiplier), static_cast<std::int32_t>(g.shift)};
    REQUIRE(multiply_by_quantized_multiplier(static_cast<std::int32_t>(g.x), q) == g.expected);
  }
}

TEST_CASE("the fixed-point primitives round as gemmlowp does", "[quant][fixed_point]") {
  STATIC_REQUIRE(rounding_divide_by_pow2(5, 1) == 3);    // 2.5 -> 3
  STATIC_REQUIRE(rounding_divide_by_pow2(-5, 1) == -3);  // -2.5 -> -3
  STATIC_REQUIRE(rounding_divide_by_pow2(-4, 1) == -2);
  STATIC_REQUIRE(rounding_divide_by_pow2(7, 2) == 2);    // 1.75
  STATIC_REQUIRE(rounding_divide_by_pow2(-7, 2) == -2);
  STATIC_REQUIRE(rounding_divide_by_pow2(12345, 0) == 12345);
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(kMin, kMin) == std::numeric_limits<std::int32_t>::max());
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == 1 << 29);
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);    // 1.5 -> 2: ties upward
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);  // -1.5 -> -1: ties upward
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(-5, 1 << 29) == -1);  // -1.25 -> -1
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(-7, 1 << 29) == -2);  // -1.75 -> -2
}

TEST_CASE("quantize_multiplier is within 2^-31 relative and in range", "[quant][fixed_point]") {
  for (double m = 1e-9; m < 1e8; m *= 1.37) {
    CAPTURE(m);
    const QuantizedMultiplier q = quantize_multiplier(m);
    REQUIRE(q.multiplier >= (1 << 30));
    REQUIRE(q.shift >= kMinShift);
    REQUIRE(q.shift <= kMaxShift);
    REQUIRE(std::fabs(real_multiplier(q) - m) <= m * std::ldexp(1.0, -31));
  }
  REQUIRE(quantize_multiplier(0.0).multiplier == 0);
  REQUIRE(quantize_multiplier(1e-12).multiplier == 0);  // below 2^-32: every result rounds to 0
  REQUIRE(multiply_by_quantized_multiplier(1000000, quantize_multiplier(0.25)) == 250000);
  REQUIRE(multiply_by_quantized_multiplier(-1000001, quantize_multiplier(0.5)) == -500000);  // -500000.5: ties upward
  REQUIRE(multiply_by_quantized_multiplier(-1000001, quantize_multiplier(0.25)) == -250000);  // -250000.25
  REQUIRE(multiply_by_quantized_multiplier(-1000002, quantize_multiplier(0.25)) == -250001);  // -250000.5: the shift rounds away
}
