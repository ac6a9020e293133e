// quant/quantized_two_layer_net.hpp: the two-layer net in int8, and the linear classifier.
// Input: raw uint8 pixels (the float model's pixel/255 − mean is folded into the first layer), so
// firmware feeds the sensor's bytes. Output: int8 logits and the predicted class.
// Shapes are template parameters; each model states its footprint at compile time:
//   kWeightBytes:  the parameter arrays (flash), kWorkingBytes: the Workspace (RAM),
// so a firmware build can static_assert its budget instead of guessing an arena size.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/label.hpp"
#include "firmnet/quant/quantized_fc.hpp"

namespace firmnet::quant {

template <std::size_t In, std::size_t Hidden, std::size_t Classes>
struct QuantizedTwoLayerNet {
  static_assert(Classes >= 2 && Classes <= kMaxClasses && In <= kernels::kQgemvMaxInputs &&
                Hidden <= kernels::kQgemvMaxInputs);
  static constexpr std::size_t kInputs = In, kHidden = Hidden, kClasses = Classes;
  static constexpr const char* kKind = "two-layer";

  // The caller-owned working memory of one prediction (static in firmware).
  struct Workspace {
    alignas(64) std::int32_t acc[Hidden > Classes ? Hidden : Classes];
    alignas(64) std::uint8_t hidden[Hidden];
  };
  static constexpr std::size_t kWeightBytes = (In * Hidden + 12 * Hidden) + (Hidden * Classes + 12 * Classes);
  static constexpr std::size_t kWorkingBytes = sizeof(Workspace);

  QuantizedFcParams fc1;  // In -> Hidden, uint8 output with fused ReLU
  QuantizedFcParams fc2;  // Hidden -> Classes, int8 logits

  constexpr bool shapes_match() const noexcept {
    return fc1.inputs == In && fc1.outputs == Hidden && fc2.inputs == Hidden && fc2.outputs == Classes;
  }

  // Classifies one image of In raw pixels; writes Classes int8 logits.
  Label predict(const std::uint8_t* pixels, std::int8_t* logits, Workspace& ws) const noexcept {
    FIRMNET_EXPECTS(shapes_match());
    quantized_fc(fc1, pixels, ws.acc, ws.hidden);
    quantized_fc(fc2, ws.hidden, ws.acc, logits);
    return static_cast<Label>(argmax_logits(logits, Classes));
  }
};

template <std::size_t In, std::size_t Classes>
struct QuantizedLinearClassifier {
  static_assert(Classes >= 2 && Classes <= kMaxClasses && In <= kernels::kQgemvMaxInputs);
  static constexpr std::size_t kInputs = In, kClasses = Classes;
  static constexpr const char* kKind = "linear";

  struct Workspace {
    alignas(64) std::int32_t acc[Classes];
  };
  static constexpr std::size_t kWeightBytes = In * Classes + 12 * Classes;
  static constexpr std::size_t kWorkingBytes = sizeof(Workspace);

  QuantizedFcParams fc;

  constexpr bool shapes_match() const noexcept { return fc.inputs == In && fc.outputs == Classes; }

  Label predict(const std::uint8_t* pixels, std::int8_t* logits, Workspace& ws) const noexcept {
    FIRMNET_EXPECTS(shapes_match());
    quantized_fc(fc, pixels, ws.acc, logits);
    return static_cast<Label>(argmax_logits(logits, Classes));
  }
};

}  // namespace firmnet::quant
