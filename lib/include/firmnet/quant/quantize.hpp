// quant/quantize.hpp: post-training quantization of a trained float classifier (hosted).
//  1. Fold the preprocessing into the first layer: x = p/255 − mean gives
//     x·W + b = p·(W/255) + (b − mean·W), so the int8 model takes raw pixels p (scale 1, zero 0).
//  2. Calibrate on images of the training split: the largest hidden activation (after ReLU) and
//     the range of the scores, from the float model.
//  3. Weights: int8 symmetric per output channel, scale = max|w| / 127. Biases: int32 in
//     accumulator units. Hidden activations: uint8, zero point 0, scale = max / 255 (ReLU fused as
//     the clamp to [0, 255]). Logits: int8, scale = (max − min) / 255, zero point from min.
//  4. Requantization multipliers: input scale · weight scale / output scale per channel, as
//     fixed-point (multiplier, shift) (quant/fixed_point.hpp).
// Errors (an empty calibration set, non-finite weights) throw std::invalid_argument.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/quant/quantized_model.hpp"

namespace firmnet::quant {

// Ranges seen by the float model over the calibration images.
struct Calibration {
  double hidden_max = 0;            // two-layer: the largest activation after ReLU
  double score_min = 0, score_max = 0;
  std::size_t images = 0;
};

namespace detail {

// A float layer as the quantizer sees it: w (in, out) row-major and b (out), in double.
struct FloatLayer {
  std::size_t in = 0, out = 0;
  std::vector<double> w, b;
};

inline void check_finite(const char* name, const float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      throw std::invalid_argument(std::string("cannot quantize: '") + name + "' holds a non-finite value at index " +
                                  std::to_string(i));
}

inline FloatLayer float_layer(const Param<float>& w, const Param<float>& b) {
  check_finite(w.name, w.value, w.size());
  check_finite(b.name, b.value, b.size());
  FloatLayer l{w.rows, w.cols, std::vector<double>(w.value, w.value + w.size()), std::vector<double>(b.value, b.value + b.size())};
  return l;
}

// p/255 − mean folded in: w' = w/255, b' = b − Σ_i mean_i·w_i.
inline void fold_input(FloatLayer& l, const float* mean) {
  for (std::size_t o = 0; o < l.out; ++o) {
    double shift = 0;
    for (std::size_t i = 0; i < l.in; ++i) shift += double(mean[i]) * l.w[i * l.out + o];
    l.b[o] -= shift;
  }
  for (double& v : l.w) v /= 255.0;
}

inline QuantizedLayer quantize_layer(const FloatLayer& l, double input_scale, double output_scale,
                                     std::int32_t zero_point, std::int32_t lo, std::int32_t hi) {
  QuantizedLayer q;
  q.inputs = l.in;
  q.outputs = l.out;
  q.weights.resize(l.in * l.out);
  q.bias.resize(l.out);
  q.multiplier.resize(l.out);
  q.shift.resize(l.out);
  q.weight_scale.resize(l.out);
  q.input_scale = static_cast<float>(input_scale);
  q.output_scale = static_cast<float>(output_scale);
  q.output_zero_point = zero_point;
  q.output_min = lo;
  q.output_max = hi;
  for (std::size_t o = 0; o < l.out; ++o) {
    double amax = 0;
    for (std::size_t i = 0; i < l.in; ++i) amax = std::max(amax, std::fabs(l.w[i * l.out + o]));
    const double ws = amax > 0 ? amax / 127.0 : 1.0;
    q.weight_scale[o] = static_cast<float>(ws);
    for (std::size_t i = 0; i < l.in; ++i) {
      const long v = std::lround(l.w[i * l.out + o] / ws);
      q.weights[o * l.in + i] = static_cast<std::int8_t>(std::clamp(v, -127L, 127L));
    }
    const double bias = std::round(l.b[o] / (input_scale * ws));
    if (!(std::fabs(bias) < 1e9)) throw std::invalid_argument("cannot quantize: a bias does not fit its int32 range");
    q.bias[o] = static_cast<std::int32_t>(bias);
    const QuantizedMultiplier m = quantize_multiplier(input_scale * ws / output_scale);
    q.multiplier[o] = m.multiplier;
    q.shift[o] = m.shift;
  }
  return q;
}

// int8 logits covering [lo, hi] (and 0, so a zero score is exact).
inline void logit_range(double lo, double hi, double& scale, std::int32_t& zero_point) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  zero_point = static_cast<std::int32_t>(std::clamp(std::lround(-128.0 - lo / scale), -128L, 127L));
}

inline void require_images(const ImageSet& calibration) {
  if (calibration.count == 0)
    throw std::invalid_argument("cannot quantize: the calibration set is empty (give it training images)");
}

// Runs the float model over every calibration image, MaxBatch at a time, recording the score
// range; after each batch `observe(rows, c)` may record more (the hidden layer's range).
template <class Model, std::size_t In, std::size_t MaxBatch, class Observe>
Calibration calibrate(Model& model, const Normalizer<In, float>& norm, const ImageSet& calibration,
                      Matrix<float, MaxBatch, In>& scratch, Observe observe) {
  Calibration c;
  c.score_min = std::numeric_limits<double>::infinity();
  c.score_max = -c.score_min;
  Label labels[MaxBatch];
  for (std::size_t first = 0; first < calibration.count; first += MaxBatch) {
    const std::size_t rows = std::min(MaxBatch, calibration.count - first);
    norm.gather_range(calibration, first, rows, scratch.view(rows), labels);
    const auto scores = model.forward(scratch.view(rows));
    for (std::size_t i = 0; i < rows * Model::kClasses; ++i) {
      c.score_min = std::min(c.score_min, double(scores.data()[i]));
      c.score_max = std::max(c.score_max, double(scores.data()[i]));
    }
    observe(rows, c);
  }
  c.images = calibration.count;
  return c;
}

}  // namespace detail

template <std::size_t In, std::size_t Hidden, std::size_t Classes, std::size_t MaxBatch>
QuantizedModel quantize(TwoLayerNet<In, Hidden, Classes, MaxBatch, float>& model, const Normalizer<In, float>& norm,
                        const ImageSet& calibration, Matrix<float, MaxBatch, In>& scratch, Calibration* seen = nullptr) {
  detail::require_images(calibration);
  const auto params = model.params();
  detail::FloatLayer l1 = detail::float_layer(params[0], params[1]);
  const detail::FloatLayer l2 = detail::float_layer(params[2], params[3]);
  const Calibration c = detail::calibrate(model, norm, calibration, scratch, [&](std::size_t rows, Calibration& seen_so_far) {
    for (std::size_t i = 0; i < rows * Hidden; ++i)
      seen_so_far.hidden_max = std::max(seen_so_far.hidden_max, double(model.fc1.y.storage[i]));
  });
  if (seen) *seen = c;

  detail::fold_input(l1, norm.mean.data());
  const double hidden_scale = c.hidden_max > 0 ? c.hidden_max / 255.0 : 1.0;
  double logit_scale = 1;
  std::int32_t logit_zero = 0;
  detail::logit_range(c.score_min, c.score_max, logit_scale, logit_zero);
  QuantizedModel q;
  q.kind = "two-layer";
  q.layers.push_back(detail::quantize_layer(l1, 1.0, hidden_scale, 0, 0, 255));  // ReLU: clamp at 0
  q.layers.push_back(detail::quantize_layer(l2, hidden_scale, logit_scale, logit_zero, -128, 127));
  return q;
}

template <std::size_t In, std::size_t Classes, std::size_t MaxBatch>
QuantizedModel quantize(LinearClassifier<In, Classes, MaxBatch, float>& model, const Normalizer<In, float>& norm,
                        const ImageSet& calibration, Matrix<float, MaxBatch, In>& scratch, Calibration* seen = nullptr) {
  detail::require_images(calibration);
  const auto params = model.params();
  detail::FloatLayer l = detail::float_layer(params[0], params[1]);
  const Calibration c = detail::calibrate(model, norm, calibration, scratch, [](std::size_t, Calibration&) {});
  if (seen) *seen = c;
  detail::fold_input(l, norm.mean.data());
  double logit_scale = 1;
  std::int32_t logit_zero = 0;
  detail::logit_range(c.score_min, c.score_max, logit_scale, logit_zero);
  QuantizedModel q;
  q.kind = "linear";
  q.layers.push_back(detail::quantize_layer(l, 1.0, logit_scale, logit_zero, -128, 127));
  return q;
}

// Fraction of `set` a quantized model classifies correctly (raw pixels in, no normalizer).
template <class QModel>
double quantized_accuracy(const QModel& model, const ImageSet& set) {
  if (set.count == 0) return 0.0;
  typename QModel::Workspace ws;
  std::int8_t logits[QModel::kClasses];
  std::size_t correct = 0;
  for (std::size_t i = 0; i < set.count; ++i) correct += model.predict(set.image(i), logits, ws) == set.labels[i];
  return static_cast<double>(correct) / static_cast<double>(set.count);
}

}  // namespace firmnet::quant
