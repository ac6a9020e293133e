// quant/quantized_model.hpp: a quantized model held in vectors (hosted code: the quantizer, the
// model file reader and writer), and its views as the compile-time-shaped models of
// quantized_two_layer_net.hpp. Real values follow real = scale · (q − zero_point).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "firmnet/quant/quantized_two_layer_net.hpp"

namespace firmnet::quant {

struct QuantizedLayer {
  std::size_t inputs = 0, outputs = 0;
  std::vector<std::int8_t> weights;  // (outputs, inputs)
  std::vector<std::int32_t> bias, multiplier, shift;  // (outputs) each
  std::int32_t output_zero_point = 0, output_min = 0, output_max = 0;
  float input_scale = 1.0f, output_scale = 1.0f;  // of the layer's input and output tensors
  std::vector<float> weight_scale;                // (outputs): one per channel

  QuantizedFcParams params() const noexcept {
    return {inputs, outputs, weights.data(), bias.data(), multiplier.data(), shift.data(),
            output_zero_point, output_min, output_max};
  }
};

struct QuantizedModel {
  std::string kind;                    // "two-layer" (fc1, fc2) or "linear" (fc)
  std::vector<QuantizedLayer> layers;
  std::vector<std::pair<std::string, std::string>> metadata;

  std::vector<std::uint32_t> shape() const {
    std::vector<std::uint32_t> s;
    if (!layers.empty()) s.push_back(static_cast<std::uint32_t>(layers.front().inputs));
    for (const auto& l : layers) s.push_back(static_cast<std::uint32_t>(l.outputs));
    return s;
  }
  std::size_t parameter_bytes() const {
    std::size_t bytes = 0;
    for (const auto& l : layers) bytes += l.params().parameter_bytes();
    return bytes;
  }
};

// Views of a QuantizedModel as a shaped model; std::invalid_argument if kind or shape differ.
template <std::size_t In, std::size_t Hidden, std::size_t Classes>
QuantizedTwoLayerNet<In, Hidden, Classes> as_two_layer(const QuantizedModel& m) {
  QuantizedTwoLayerNet<In, Hidden, Classes> net;
  if (m.kind != "two-layer" || m.layers.size() != 2)
    throw std::invalid_argument("the quantized model is a '" + m.kind + "' model, not a two-layer net");
  net.fc1 = m.layers[0].params();
  net.fc2 = m.layers[1].params();
  if (!net.shapes_match()) throw std::invalid_argument("the quantized model's shape does not match");
  return net;
}

template <std::size_t In, std::size_t Classes>
QuantizedLinearClassifier<In, Classes> as_linear(const QuantizedModel& m) {
  QuantizedLinearClassifier<In, Classes> net;
  if (m.kind != "linear" || m.layers.size() != 1)
    throw std::invalid_argument("the quantized model is a '" + m.kind + "' model, not a linear classifier");
  net.fc = m.layers[0].params();
  if (!net.shapes_match()) throw std::invalid_argument("the quantized model's shape does not match");
  return net;
}

}  // namespace firmnet::quant
