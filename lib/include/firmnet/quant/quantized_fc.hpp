// quant/quantized_fc.hpp: a fully connected layer in int8, y = clamp(zp + requant(W·x + b)).
//   x:       uint8, zero point 0 (raw pixels, or the ReLU outputs of the layer before: both >= 0)
//   weights: int8 in [-127, 127], symmetric, one scale per output channel; (outputs, inputs)
//   bias:    int32 in accumulator units (input scale · weight scale of the channel)
//   requant: per channel, acc·M with M = input·weight scale / output scale (quant/fixed_point.hpp)
//   y:       uint8 or int8 with a per-tensor zero point, clamped to [output_min, output_max];
//            [0, 255] with zero point 0 is a fused ReLU.
// The parameters point at arrays the caller keeps alive (constexpr arrays in flash, or a loaded
// model file). Integer-only: every platform computes the same bits. No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/qgemv.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/quant/fixed_point.hpp"

namespace firmnet::quant {

struct QuantizedFcParams {
  std::size_t inputs = 0, outputs = 0;
  const std::int8_t* weights = nullptr;      // (outputs, inputs) row-major: a row per output channel
  const std::int32_t* bias = nullptr;        // (outputs)
  const std::int32_t* multiplier = nullptr;  // (outputs), with shift: the requantization of each channel
  const std::int32_t* shift = nullptr;       // (outputs)
  std::int32_t output_zero_point = 0;
  std::int32_t output_min = 0, output_max = 0;

  // Bytes of parameters: int8 weights plus int32 bias, multiplier and shift per channel.
  constexpr std::size_t parameter_bytes() const noexcept { return inputs * outputs + 3 * 4 * outputs; }
};

// acc (outputs) receives W·x + b; y (outputs) the requantized, clamped outputs. Out: uint8 or int8.
// The requantization (kernels/requantize.hpp, vectorised) equals, output by output,
//   clamp(output_zero_point + multiply_by_quantized_multiplier(acc, {multiplier, shift}), min, max).
template <class Out>
void quantized_fc(const QuantizedFcParams& p, const std::uint8_t* x, std::int32_t* acc, Out* y) noexcept {
  kernels::qgemv_u8s8_s32(x, p.weights, p.inputs, p.outputs, acc);
  for (std::size_t o = 0; o < p.outputs; ++o) acc[o] += p.bias[o];
  // Chunks through a small stack buffer: acc must stay W·x + b (argmax_fine reads it) and the
  // workspace has no room for a second int32 array.
  constexpr std::size_t kChunk = 64;
  alignas(64) std::int32_t q[kChunk];
  for (std::size_t o0 = 0; o0 < p.outputs; o0 += kChunk) {
    const std::size_t n = p.outputs - o0 < kChunk ? p.outputs - o0 : kChunk;
    kernels::requantize_s32(acc + o0, p.multiplier + o0, p.shift + o0, p.output_zero_point, p.output_min,
                            p.output_max, n, q);
    for (std::size_t i = 0; i < n; ++i) y[o0 + i] = static_cast<Out>(q[i]);
  }
}

// The class of the largest logit, compared at 8 more bits of resolution than the int8 logits (the
// requantization with shift + 8, unclamped), so two classes that round to the same int8 logit are
// still told apart; ties go to the lower class. acc: W·x + b of the last layer.
inline std::size_t argmax_fine(const QuantizedFcParams& p, const std::int32_t* acc) noexcept {
  std::size_t best = 0;
  std::int32_t best_value = 0;
  for (std::size_t o = 0; o < p.outputs; ++o) {
    const std::int32_t shift = p.shift[o] + 8 > kMaxShift ? kMaxShift : p.shift[o] + 8;
    const std::int32_t v = multiply_by_quantized_multiplier(acc[o], {p.multiplier[o], shift});
    if (o == 0 || v > best_value) best = o, best_value = v;
  }
  return best;
}

}  // namespace firmnet::quant
