// quant/quantized_model.hpp: an int8 network held in vectors (hosted code: the quantizer, the
// .fnq reader and writer, the header generator), and its binding to the compile-time twin of a
// float network type (quant/qnetwork.hpp). One record per layer, whatever the op; real values
// follow real = scale·(q - zero_point).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/quant/qnetwork.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

struct QuantizedLayer {
  std::string op;                       // the Q-layer's kOp: "fc", "relu", "flatten", ...
  std::size_t inputs = 0, outputs = 0;  // values per sample in and out
  std::vector<std::int8_t> weights;     // (channels, fan_in), a row per output channel
  std::vector<std::int8_t> packed;      // the same, in the kernels' layout: pack() fills it
  std::vector<std::int32_t> bias, multiplier, shift;  // (channels) each
  std::int32_t input_zero_point = 0, output_zero_point = 0, output_min = 0, output_max = 255;
  float input_scale = 1.0f, output_scale = 1.0f;  // of the layer's input and output tensors
  std::vector<float> weight_scale;                // (channels)

  // Fills `packed` from `weights` (kernels/qgemm_ref.hpp); bind() calls it.
  void pack() {
    packed.clear();
    if (bias.empty() || weights.empty()) return;
    const std::size_t channels = bias.size(), fan_in = weights.size() / channels;
    packed.resize(kernels::qpacked_size(fan_in, channels));
    kernels::qpack_weights(weights.data(), fan_in, channels, packed.data());
  }

  QParams params() const noexcept {
    return {packed.empty() ? nullptr : packed.data(), bias.empty() ? nullptr : bias.data(),
            multiplier.empty() ? nullptr : multiplier.data(), shift.empty() ? nullptr : shift.data(),
            input_zero_point, output_zero_point, output_min, output_max};
  }
};

struct QuantizedModel {
  std::string spec;  // the float network's architecture spec
  std::vector<QuantizedLayer> layers;
  std::vector<std::pair<std::string, std::string>> metadata;

  std::size_t parameter_bytes() const noexcept {
    std::size_t bytes = 0;
    for (const auto& l : layers)
      bytes += (l.bias.empty() ? 0 : kernels::qpacked_size(l.weights.size() / l.bias.size(), l.bias.size())) +
               4 * (l.bias.size() + l.multiplier.size() + l.shift.size());
    return bytes;
  }
};

namespace detail {
template <class QL>
void check_record(const QuantizedLayer& l, std::size_t index) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("layer " + std::to_string(index + 1) + " (" + l.op + "): " + what);
  };
  if (l.op != QL::kOp.view()) {  // appended piece by piece: GCC 12 warns falsely on "literal" + std::string&&
    std::string what = "is not a '";
    what += QL::kOp.view();
    fail(what + "' layer");
  }
  if (l.inputs != QL::kIn || l.outputs != QL::kOut)
    fail("has " + std::to_string(l.inputs) + " inputs and " + std::to_string(l.outputs) + " outputs, the network " +
         std::to_string(QL::kIn) + " and " + std::to_string(QL::kOut));
  if (l.weights.size() != QL::kChannels * QL::kFanIn || l.bias.size() != QL::kChannels ||
      l.multiplier.size() != QL::kChannels || l.shift.size() != QL::kChannels)
    fail("its parameter arrays do not have the network's sizes");
}

// A stage's records: one, or one per part of a fused layer.
template <class QL>
void check_stage(const QuantizedModel& m, std::size_t first) {
  if constexpr (requires { typename QL::Parts; }) {
    [&]<std::size_t... P>(std::index_sequence<P...>) {
      (check_record<std::tuple_element_t<P, typename QL::Parts>>(m.layers[first + P], first + P), ...);
    }(std::make_index_sequence<std::tuple_size_v<typename QL::Parts>>{});
  } else {
    check_record<QL>(m.layers[first], first);
  }
}
}  // namespace detail

// The model as QNet's parameters: packs m's weights (QuantizedLayer::pack) and points into m,
// which must outlive the result. std::invalid_argument if m is not a model of QNet's architecture.
template <class QNet>
QNet bind(QuantizedModel& m) {
  if (m.layers.size() != QNet::kLayers)
    throw std::invalid_argument("the quantized model has " + std::to_string(m.layers.size()) + " layers, the network " +
                                std::to_string(QNet::kLayers));
  QNet net{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::size_t first = 0;
    ((detail::check_stage<typename QNet::template StageAt<I>>(m, first),
      first += records_of<typename QNet::template StageAt<I>>()),
     ...);
  }(std::make_index_sequence<QNet::kStages>{});
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    m.layers[i].pack();
    net.layers[i] = m.layers[i].params();
  }
  return net;
}

}  // namespace firmnet::quant
