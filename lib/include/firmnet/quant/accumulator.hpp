// quant/accumulator.hpp: the bound that keeps an int8 layer's int32 accumulator exact.
// A channel adds fan_in products x·w of uint8 activations (0..255) and int8 weights (-127..127)
// to its int32 bias. Every kernel (and the fused conv + max-pool, which compares accumulators
// before it adds the bias) gives the reference's bits only if no partial sum wraps, so the
// quantizer and the .fnq reader both require |bias| + fan_in·255·127 ≤ 2^31 − 1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::quant {

inline constexpr std::int64_t kMaxProduct = 255 * 127;

// The largest |bias| a channel of this fan-in may have; negative: no bias fits (fan_in too large).
constexpr std::int64_t max_bias_magnitude(std::size_t fan_in) noexcept {
  constexpr std::int64_t kInt32Max = 2147483647;
  if (fan_in > std::size_t(kInt32Max / kMaxProduct)) return -1;
  return kInt32Max - std::int64_t(fan_in) * kMaxProduct;
}

}  // namespace firmnet::quant
