// kernels/requantize.hpp: a whole layer's requantization,
//   out[o] = clamp(zero_point + acc[o]·M_o, lo, hi),   M_o = multiplier[o]·2^(shift[o] − 31),
// the arithmetic of quant/fixed_point.hpp (multiply_by_quantized_multiplier, the specification)
// written without branches, so the compiler vectorises it with each ISA's int64 products and
// per-lane shifts; integer-only, so every path gives the specification's bits (tested).
// SIMD builds run the copy compiled with the active int8 variant's flags (kernels/qgemm.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/kernels/qgemm.hpp"

namespace firmnet::kernels {

namespace requant {
// static: each ISA's translation unit compiles and keeps its own copy (see qgemm_simd.hpp).
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
    // Rounding doubling high multiply; its one overflow, (−2^31)·(−2^31), saturates.
    std::int64_t z = (v * std::int64_t(multiplier[o]) + (std::int64_t(1) << 30)) >> 31;
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

}  // namespace firmnet::kernels
