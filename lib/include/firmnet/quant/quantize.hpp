// quant/quantize.hpp: post-training int8 quantization of any float network (hosted code).
//  1. Calibrate: run the float network over training images and record every layer's output
//     range, reading the network's own activations (Network::output<I>()), never a member name.
//  2. Input: raw uint8 pixels. If the first layer with weights is dense, the preprocessing
//     x = p/255 - mean is folded into it (w' = w/255, b' = b - mean·w: any per-pixel mean), and
//     it takes the pixels as they are (scale 1, zero point 0). Otherwise (a convolution first)
//     the mean must be one pixel level k/255 for every pixel: the input is p with scale 1/255
//     and zero point k, which is also what padding fills in.
//  3. Layers with weights (w (fan_in, channels), b): int8 weights symmetric per channel,
//     scale max|w| / 127 (coarser where the bias would not fit the accumulator beside the
//     products); int32 bias in accumulator units with -input_zero_point·Σw folded in;
//     uint8 output: [0, max] with zero point 0 after a fused ReLU, else [min, max] (with 0)
//     asymmetric; requantization multiplier input scale · weight scale / output scale per
//     channel, as fixed point (quant/fixed_point.hpp).
//  4. Layers without weights (ReLU, pooling, flatten) keep their input's scale and zero point.
// Errors (an empty calibration set, non-finite weights, an input mean the int8 input cannot
// represent) throw std::invalid_argument.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/quant/accumulator.hpp"
#include "firmnet/quant/fixed_point.hpp"
#include "firmnet/quant/qnetwork.hpp"
#include "firmnet/quant/quantized_model.hpp"

namespace firmnet::quant {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
};

// Every layer's output range over the calibration images.
struct Calibration {
  std::vector<Range> outputs;
  std::size_t images = 0;
};

namespace detail {

inline void check_finite(const char* name, const float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i]))
      throw std::invalid_argument(std::string("cannot quantize: '") + name + "' holds a non-finite value at index " +
                                  std::to_string(i));
}

// The scale and zero point of a uint8 tensor covering [lo, hi] and 0 (so real 0 is exact).
inline std::pair<double, std::int32_t> uint8_range(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  const double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
  const auto zero = static_cast<std::int32_t>(std::clamp(std::lround(-lo / scale), 0L, 255L));
  return {scale, zero};
}

// A layer with weights w (fan_in, channels) row-major and bias b (channels), in double.
struct FloatWeights {
  std::size_t fan_in = 0, channels = 0;
  std::vector<double> w, b;
};

inline QuantizedLayer quantize_weights(const FloatWeights& l, double input_scale, std::int32_t input_zero,
                                       double output_scale, std::int32_t output_zero, bool relu) {
  QuantizedLayer q;
  q.weights.resize(l.fan_in * l.channels);
  q.bias.resize(l.channels);
  q.multiplier.resize(l.channels);
  q.shift.resize(l.channels);
  q.weight_scale.resize(l.channels);
  q.input_scale = static_cast<float>(input_scale);
  q.output_scale = static_cast<float>(output_scale);
  q.input_zero_point = input_zero;
  q.output_zero_point = output_zero;
  q.output_min = relu ? output_zero : 0;
  q.output_max = 255;
  for (std::size_t o = 0; o < l.channels; ++o) {
    double amax = 0;
    for (std::size_t i = 0; i < l.fan_in; ++i) amax = std::max(amax, std::fabs(l.w[i * l.channels + o]));
    double ws = amax > 0 ? amax / 127.0 : 1.0;
    // The bias must fit the accumulator beside the products: |b|/(s_in·ws) + |zp|·Σ|w_q| within
    // max_bias_magnitude. A channel whose bias dwarfs its weights (a large negative bias that
    // keeps a unit off: Adam-trained CNNs have some) gets a coarser weight scale, so its weights
    // use fewer of the 255 levels; its output is the bias's anyway.
    const double room = double(max_bias_magnitude(l.fan_in)) - 1.0 - double(input_zero) * 127.0 * double(l.fan_in);
    if (room > 0 && std::fabs(l.b[o]) / (input_scale * ws) > room) ws = std::fabs(l.b[o]) / (input_scale * room);
    q.weight_scale[o] = static_cast<float>(ws);
    std::int64_t row_sum = 0;
    for (std::size_t i = 0; i < l.fan_in; ++i) {
      const long v = std::clamp(std::lround(l.w[i * l.channels + o] / ws), -127L, 127L);
      q.weights[o * l.fan_in + i] = static_cast<std::int8_t>(v);
      row_sum += v;
    }
    const double bias = std::round(l.b[o] / (input_scale * ws)) - double(input_zero) * double(row_sum);
    if (!(std::fabs(bias) <= double(max_bias_magnitude(l.fan_in))))
      throw std::invalid_argument("cannot quantize: a bias (" + std::to_string(bias) + " in accumulator units) and " +
                                  std::to_string(l.fan_in) + " products do not fit the int32 accumulator");
    q.bias[o] = static_cast<std::int32_t>(bias);
    const QuantizedMultiplier m = quantize_multiplier(input_scale * ws / output_scale);
    q.multiplier[o] = m.multiplier;
    q.shift[o] = m.shift;
  }
  return q;
}

template <class L>
constexpr bool fused_relu() noexcept {
  if constexpr (requires { L::kRelu; }) return L::kRelu;
  else return false;
}

// Calibration: forward every image, MaxBatch at a time, widening each layer's output range.
template <class Net, std::size_t... I>
void widen(const Net& net, std::size_t rows, Calibration& c, std::index_sequence<I...>) {
  (
      [&] {
        const auto out = net.template output<I>();
        for (std::size_t k = 0; k < rows * Net::template LayerAt<I>::kOut; ++k) {
          c.outputs[I].lo = std::min(c.outputs[I].lo, double(out.data()[k]));
          c.outputs[I].hi = std::max(c.outputs[I].hi, double(out.data()[k]));
        }
      }(),
      ...);
}

}  // namespace detail

template <class Net>
Calibration calibrate(Net& net, const Normalizer<Net::kInputs, float>& norm, const ImageSet& images,
                      Matrix<float, Net::kMaxBatch, Net::kInputs>& scratch) {
  static_assert(Net::kTraining, "quant::calibrate and quant::quantize read every layer's output, which only a "
                                "Train network keeps: give them a Network<Train<float, B>, ...> (load a checkpoint "
                                "into one with io::load_checkpoint_into)");
  if (images.count == 0) throw std::invalid_argument("cannot quantize: the calibration set is empty (give it training images)");
  Calibration c;
  c.outputs.resize(Net::kLayers);
  Label labels[Net::kMaxBatch];
  for (std::size_t first = 0; first < images.count; first += Net::kMaxBatch) {
    const std::size_t rows = std::min(Net::kMaxBatch, images.count - first);
    norm.gather_range(images, first, rows, scratch.view(rows), labels);
    net.forward(scratch.view(rows));
    detail::widen(net, rows, c, std::make_index_sequence<Net::kLayers>{});
  }
  c.images = images.count;
  return c;
}

// Quantizes a trained float network (Train mode: its activations are read) with its input
// normalizer; seen, if given, receives the calibration ranges.
template <class Net>
QuantizedModel quantize(Net& net, const Normalizer<Net::kInputs, float>& norm, const ImageSet& calibration,
                        Matrix<float, Net::kMaxBatch, Net::kInputs>& scratch, Calibration* seen = nullptr) {
  for (const auto& p : net.params()) detail::check_finite(p.name, p.value, p.size());
  const Calibration c = calibrate(net, norm, calibration, scratch);
  if (seen) *seen = c;

  // The input: raw pixels, and how the first layer with weights takes them (see the top).
  double in_scale = 1.0;
  std::int32_t in_zero = 0;
  const bool fold_mean = Net::kPerPixelMean;
  if (!fold_mean) {
    const float m = norm.mean.data()[0];
    for (std::size_t j = 0; j < Net::kInputs; ++j)
      if (norm.mean.data()[j] != m)
        throw std::invalid_argument("cannot quantize: the network does not start with a dense layer, so its input mean "
                                    "must be the same pixel level for every pixel (train it with one mean level)");
    const double level = double(m) * 255.0;
    if (std::fabs(level - std::round(level)) > 1e-3 || level < 0 || level > 255)
      throw std::invalid_argument("cannot quantize: the input mean " + std::to_string(m) +
                                  " is not a whole pixel level k/255, so no uint8 zero point stands for it");
    in_scale = 1.0 / 255.0;
    in_zero = static_cast<std::int32_t>(std::lround(level));
  }

  QuantizedModel q;
  q.spec = std::string(Net::kSpec.view());
  auto params = net.params();
  std::size_t param_index = 0;
  double scale = in_scale;
  std::int32_t zero = in_zero;
  bool first_weighted = true;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using L = typename Net::template LayerAt<I>;
          using QL = typename Twin<L>::type;
          QuantizedLayer layer;
          if constexpr (L::kParams > 0) {
            const Param<float>& w = params[param_index];
            const Param<float>& b = params[param_index + 1];
            param_index += 2;
            detail::FloatWeights f{w.rows, w.cols, std::vector<double>(w.value, w.value + w.size()),
                                   std::vector<double>(b.value, b.value + b.size())};
            double layer_in_scale = scale;
            if (first_weighted && fold_mean) {  // x = p/255 - mean: w' = w/255, b' = b - mean·w
              for (std::size_t o = 0; o < f.channels; ++o) {
                double shift = 0;
                for (std::size_t i = 0; i < f.fan_in; ++i) shift += double(norm.mean.data()[i]) * f.w[i * f.channels + o];
                f.b[o] -= shift;
              }
              for (double& v : f.w) v /= 255.0;
              layer_in_scale = 1.0;
            }
            first_weighted = false;
            constexpr bool relu = detail::fused_relu<L>();
            const Range r = c.outputs[I];
            const auto [out_scale, out_zero] = relu ? std::pair<double, std::int32_t>{r.hi > 0 ? r.hi / 255.0 : 1.0, 0}
                                                    : detail::uint8_range(r.lo, r.hi);
            layer = detail::quantize_weights(f, layer_in_scale, zero, out_scale, out_zero, relu);
            scale = out_scale;
            zero = out_zero;
          } else {  // ReLU, pooling, flatten: the input's scale and zero point carry through
            layer.input_scale = layer.output_scale = static_cast<float>(scale);
            layer.input_zero_point = layer.output_zero_point = zero;
          }
          layer.op = std::string(QL::kOp.view());
          layer.inputs = L::kIn;
          layer.outputs = L::kOut;
          q.layers.push_back(std::move(layer));
        }(),
        ...);
  }(std::make_index_sequence<Net::kLayers>{});
  return q;
}

// Fraction of `set` a quantized network classifies correctly (raw pixels in, no normalizer).
template <class QNet>
double quantized_accuracy(const QNet& net, const ImageSet& set) {
  if (set.count == 0) return 0.0;
  auto ws = std::make_unique<typename QNet::Workspace>();
  std::uint8_t logits[QNet::kClasses];
  std::size_t correct = 0;
  for (std::size_t i = 0; i < set.count; ++i) correct += net.predict(set.image(i), logits, *ws) == set.labels[i];
  return static_cast<double>(correct) / static_cast<double>(set.count);
}

}  // namespace firmnet::quant
