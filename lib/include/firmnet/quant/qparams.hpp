// quant/qparams.hpp: the run-time data of one int8 layer, the same struct for every op, so a
// generated header, the .fnq reader and the quantizer treat all layers alike (an op leaves
// unused fields null or 0). Real values follow real = scale·(q - zero_point); every activation
// is uint8 with a per-tensor zero point, weights int8 symmetric per output channel.
//   weights      int8 in [-127, 127], (channels, fan_in) in the kernels' packed layout
//                (kernels/qgemm_ref.hpp; .fnq files keep a row per channel)
//   bias         int32 per channel, in accumulator units (input scale · weight scale of the
//                channel), with -input_zero_point·Σ_row(weights) folded in, so the kernels
//                multiply raw uint8 inputs
//   multiplier,  per channel: the requantization acc·M, M = input scale · weight scale / output
//   shift        scale, as fixed point (quant/fixed_point.hpp)
//   input_zero_point    the value that stands for real 0 in the input (padding fills with it)
//   output_zero_point, output_min, output_max: y = clamp(output_zero_point + acc·M, min, max);
//                min = output_zero_point is a fused ReLU
// The pointers name arrays the caller keeps alive: constexpr arrays in flash, or a loaded model.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::quant {

struct QParams {
  const std::int8_t* weights = nullptr;
  const std::int32_t* bias = nullptr;
  const std::int32_t* multiplier = nullptr;
  const std::int32_t* shift = nullptr;
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int32_t output_min = 0, output_max = 255;
};

// The predicted class: the index of the largest logit, the lowest index on a tie (the rule
// TensorFlow Lite's ArgMax follows). Measured on the Fashion-MNIST two-layer net against a rule
// that compared the logits at 8 more bits: 87.36 % both (AVX-512-trained model), 87.17 against
// 87.23 % (AVX2-trained), linear 83.72 against 83.71 %: the plain rule costs nothing that
// matters and anyone can reproduce it from the logits.
inline std::size_t argmax_logits(const std::uint8_t* logits, std::size_t n) noexcept {
  std::size_t best = 0;
  for (std::size_t o = 1; o < n; ++o)
    if (logits[o] > logits[best]) best = o;
  return best;
}

}  // namespace firmnet::quant
