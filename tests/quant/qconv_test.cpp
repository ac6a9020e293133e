// quant/qconv.hpp, qconvpool.hpp, qnetwork.hpp: the int8 convolution against its definition on
// odd geometries, the fused conv + max pooling against the two layers it replaces (the same bits),
// the fusion QNetworkFor applies, the arena's size, and a trained toy CNN quantized end to end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/quant/fixed_point.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/qnetwork.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/quant/quantized_model.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"

using namespace firmnet;

namespace {

// Random parameters for a layer of `channels` x `fan_in`: rows (for the definition) and packed.
struct RandomLayer {
  std::vector<std::int8_t> rows, packed;
  std::vector<std::int32_t> bias, multiplier, shift;
  quant::QParams params;
  RandomLayer(std::size_t channels, std::size_t fan_in, Rng& rng, std::int32_t in_zero, std::int32_t out_zero, bool relu)
      : rows(channels * fan_in), packed(kernels::qpacked_size(fan_in, channels)), bias(channels), multiplier(channels),
        shift(channels) {
    for (auto& w : rows) w = static_cast<std::int8_t>(int(rng.below(255)) - 127);
    kernels::qpack_weights(rows.data(), fan_in, channels, packed.data());
    for (std::size_t o = 0; o < channels; ++o) {
      bias[o] = static_cast<std::int32_t>(rng.below(20001)) - 10000;
      multiplier[o] = static_cast<std::int32_t>((1u << 30) + rng.below(1u << 30));
      shift[o] = -static_cast<std::int32_t>(8 + rng.below(6));  // outputs that use the uint8 range
    }
    params = {packed.data(), bias.data(), multiplier.data(), shift.data(), in_zero, out_zero, relu ? out_zero : 0, 255};
  }
  std::uint8_t output(std::int32_t acc, std::size_t o) const {
    const std::int64_t q = std::int64_t(params.output_zero_point) +
                           quant::multiply_by_quantized_multiplier(acc + bias[o], {multiplier[o], shift[o]});
    return static_cast<std::uint8_t>(std::clamp<std::int64_t>(q, params.output_min, params.output_max));
  }
};

// The definition, written out: every output pixel's window, the zero point in the padding.
template <class QC>
std::vector<std::uint8_t> conv_definition(const RandomLayer& l, const std::vector<std::uint8_t>& x) {
  constexpr auto g = QC::kGeometry;
  constexpr std::size_t K = QC::Out::kC;
  std::vector<std::uint8_t> y(QC::kOut);
  for (std::size_t oy = 0; oy < g.oh(); ++oy)
    for (std::size_t ox = 0; ox < g.ow(); ++ox)
      for (std::size_t k = 0; k < K; ++k) {
        std::int32_t acc = 0;
        for (std::size_t ky = 0; ky < g.kh; ++ky)
          for (std::size_t kx = 0; kx < g.kw; ++kx)
            for (std::size_t c = 0; c < g.c; ++c) {
              std::size_t iy = 0, ix = 0;
              const bool inside = g.in_y(oy, ky, iy) && g.in_x(ox, kx, ix);
              const std::int32_t v = inside ? x[(iy * g.w + ix) * g.c + c] : l.params.input_zero_point;
              acc += v * l.rows[k * g.patch() + (ky * g.kw + kx) * g.c + c];
            }
        y[(oy * g.ow() + ox) * K + k] = l.output(acc, k);
      }
  return y;
}

template <class QC>
void check_conv(std::uint64_t seed) {
  Rng rng(seed);
  const auto in_zero = static_cast<std::int32_t>(rng.below(256));
  RandomLayer l(QC::kChannels, QC::kFanIn, rng, in_zero, 3, seed % 2 == 0);
  std::vector<std::uint8_t> x(QC::kIn), y(kernels::qpad4(QC::kOut));
  std::vector<std::int32_t> acc(QC::kAccInts);
  std::vector<std::uint8_t> scratch(QC::kScratchBytes);
  for (int trial = 0; trial < 3; ++trial) {
    for (auto& v : x) v = trial == 1 ? 255 : static_cast<std::uint8_t>(rng.below(256));
    QC::run(l.params, x.data(), y.data(), quant::Work{acc.data(), scratch.data()});
    const auto want = conv_definition<QC>(l, x);
    CAPTURE(seed, trial);
    REQUIRE(std::equal(want.begin(), want.end(), y.begin()));
  }
}

}  // namespace

TEST_CASE("the int8 convolution equals its definition on odd geometries", "[quant][qconv]") {
  check_conv<quant::QConv2d<Shape<5, 4, 2>, 3, 3, 3, 1, 1>>(1);    // H != W, pixels not a multiple of 4
  check_conv<quant::QConv2d<Shape<7, 6, 3>, 4, 3, 3, 2, 0>>(2);    // stride 2, no padding
  check_conv<quant::QConv2d<Shape<6, 5, 1>, 2, 5, 5, 1, 2>>(3);    // 5x5, padding 2, C = 1: patch 25
  check_conv<quant::QConv2d<Shape<3, 4, 3>, 5, 1, 1, 1, 0>>(4);    // 1x1
  check_conv<quant::QConv2d<Shape<6, 7, 5>, 17, 3, 2, 1, 1>>(5);   // KH != KW, 17 channels
  check_conv<quant::QConv2d<Shape<9, 9, 33>, 65, 3, 3, 2, 1>>(6);  // wide patch and output
  check_conv<quant::QConv2d<Shape<28, 28, 1>, 32, 3, 3, 1, 1>>(7);  // the default CNN's first layer
}

TEST_CASE("conv + max pooling fused gives the bits of the two layers", "[quant][qconv]") {
  using Conv = quant::QConv2d<Shape<9, 7, 3>, 6, 3, 3, 1, 1>;  // 9x7: the pooling drops a row and a column
  using Pool = quant::QMaxPool<Conv::Out, 2, 2>;
  using Fc = quant::QFc<Pool::Out, 5>;
  using Unfused = quant::QNetwork<Shape<9, 7, 3>, Conv, Pool, Fc>;
  using Fused = quant::QNetwork<Shape<9, 7, 3>, quant::QConvPool<Conv, 2>, Fc>;
  STATIC_REQUIRE(Unfused::kLayers == 3);
  STATIC_REQUIRE(Fused::kLayers == 3);  // the same records
  STATIC_REQUIRE(Fused::kStages == 2);
  STATIC_REQUIRE(Fused::kWorkingBytes < Unfused::kWorkingBytes);  // no full-resolution conv output
  Rng rng(9);
  for (const bool relu : {true, false}) {
    RandomLayer conv(6, 27, rng, 17, relu ? 0 : 40, relu), fc(5, Pool::kOut, rng, relu ? 0 : 40, 100, false);
    const quant::QParams none{nullptr, nullptr, nullptr, nullptr, relu ? 0 : 40, relu ? 0 : 40, 0, 255};
    const Unfused a{{{conv.params, none, fc.params}}};
    const Fused b{{{conv.params, none, fc.params}}};
    auto wa = std::make_unique<Unfused::Workspace>();
    auto wb = std::make_unique<Fused::Workspace>();
    std::uint8_t x[9 * 7 * 3], la[5], lb[5];
    for (int trial = 0; trial < 50; ++trial) {
      for (auto& v : x) v = static_cast<std::uint8_t>(rng.below(256));
      const Label ca = a.predict(x, la, *wa), cb = b.predict(x, lb, *wb);
      REQUIRE(ca == cb);
      REQUIRE(std::equal(la, la + 5, lb));
    }
  }
}

TEST_CASE("QNetworkFor fuses each conv with the max pooling after it", "[quant][qconv]") {
  using Cnn = Network<Infer<float, 1>, Input<28, 28, 1>, Conv2d<32, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<64, 3, 3, Pad<1>>,
                      Relu, MaxPool<2>, Fc<10>>;
  using Q = quant::QNetworkFor<Cnn>;
  using C1 = quant::QConv2d<Shape<28, 28, 1>, 32, 3, 3, 1, 1>;
  using C2 = quant::QConv2d<Shape<14, 14, 32>, 64, 3, 3, 1, 1>;
  STATIC_REQUIRE(std::is_same_v<Q, quant::QNetwork<Shape<28, 28, 1>, quant::QConvPool<C1, 2>, quant::QConvPool<C2, 2>,
                                                   quant::QFc<Shape<7, 7, 64>, 10>>>);
  STATIC_REQUIRE(Q::kLayers == 5);  // conv, maxpool, conv, maxpool, fc records
  // The arena holds the largest input + output pair: 14·14·32 + 7·7·64 bytes; 4 patches of the
  // second conv (4 x 288) and its 4 x 64 accumulators; nothing else.
  STATIC_REQUIRE(Q::kArena == 14 * 14 * 32 + 7 * 7 * 64);
  STATIC_REQUIRE(Q::kScratch == 4 * 288);
  STATIC_REQUIRE(Q::kAcc == 4 * 64);
  STATIC_REQUIRE(Q::kWorkingBytes <= 9408 + 1152 + 1024 + 3 * 64);
  // Weights: packed 3x3x1 -> 32 (fan-in 9 padded to 12), 288 -> 64, 3136 -> 10 (10 padded to 12).
  STATIC_REQUIRE(Q::kWeightBytes == 12 * 32 + 288 * 64 + 3136 * 12 + 12 * (32 + 64 + 10));
  // A pooling that overlaps (size 3, stride 2) stays a layer of its own.
  using Overlap = Network<Infer<float, 1>, Input<9, 9, 1>, Conv2d<4, 3, 3>, MaxPool<3, 2>, Fc<3>>;
  STATIC_REQUIRE(quant::QNetworkFor<Overlap>::kStages == 3);
}

TEST_CASE("an input whose size is not a multiple of 4 is copied, not read past its end", "[quant][qconv]") {
  using Q = quant::QNetwork<Shape<1, 1, 7>, quant::QFc<Shape<1, 1, 7>, 3>>;
  Rng rng(4);
  RandomLayer fc(3, 7, rng, 0, 50, false);
  const Q q{{{fc.params}}};
  auto ws = std::make_unique<Q::Workspace>();
  auto x = std::make_unique<std::uint8_t[]>(7);  // exactly 7 bytes: ASan sees any read past them
  for (std::size_t i = 0; i < 7; ++i) x[i] = static_cast<std::uint8_t>(30 * i);
  std::uint8_t logits[3];
  q.predict(x.get(), logits, *ws);
  for (std::size_t o = 0; o < 3; ++o) {
    std::int32_t acc = 0;
    for (std::size_t i = 0; i < 7; ++i) acc += std::int32_t(x[i]) * fc.rows[o * 7 + i];
    REQUIRE(logits[o] == fc.output(acc, o));
  }
}

namespace {
// 8x8 images of 4 classes, a bright quadrant each (as quantize_test.cpp's toy set).
struct Toy {
  std::vector<std::uint8_t> pixels;
  std::vector<Label> labels;
  Toy(std::size_t n, std::uint64_t seed) : pixels(n * 64), labels(n) {
    Rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      labels[i] = static_cast<Label>(rng.below(4));
      for (std::size_t p = 0; p < 64; ++p)
        pixels[i * 64 + p] = static_cast<std::uint8_t>(rng.below(128) + (((p / 8) / 4) * 2 + (p % 8) / 4 == labels[i] ? 90 : 0));
    }
  }
  ImageSet view() const { return {pixels.data(), labels.data(), labels.size(), 64}; }
};
struct Quiet {
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double) {}
  bool on_epoch_end(std::size_t) { return true; }
};
}  // namespace

TEST_CASE("a trained toy CNN keeps its accuracy in int8, fused layers and all", "[quant][qconv]") {
  using Cnn = Network<Train<float, 16>, Input<8, 8, 1>, Conv2d<6, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<8, 3, 3>, Relu,
                      GlobalAvgPool, Fc<4>>;
  const Toy train(800, 1), test(400, 2);
  auto net = std::make_unique<Cnn>();
  auto norm = std::make_unique<Normalizer<64>>();
  auto scratch = std::make_unique<Matrix<float, 16, 64>>();
  Rng rng(5);
  net->init(rng, InitRule::he());
  norm->fit_level(train.view());
  Sgd<float, Cnn::kParamCount> sgd({0.05f, 0.9f, 1.f});
  Trainer<Cnn, SoftmaxCrossEntropy, Sgd<float, Cnn::kParamCount>> trainer(*net, sgd, 1e-4f);
  std::vector<std::uint32_t> order(800);
  ShufflingSampler sampler(order, 16, false, 6);
  ImageBatches<64> batches(train.view(), *norm, sampler);
  Quiet quiet;
  fit(trainer, batches, FitOptions{6, 0}, quiet);

  auto q = quant::quantize(*net, *norm, train.view().slice(0, 300), *scratch);
  REQUIRE(q.layers.size() == 5);  // conv+relu, maxpool, conv+relu, gap, fc
  REQUIRE(q.layers[0].input_zero_point == static_cast<std::int32_t>(std::lround(norm->mean.data()[0] * 255)));
  using Q = quant::QNetworkFor<Cnn>;
  STATIC_REQUIRE(Q::kStages == 4);  // conv+pool fused, conv, gap, fc
  const double float_acc = check_accuracy(*net, *norm, test.view(), *scratch);
  const double int8_acc = quant::quantized_accuracy(quant::bind<Q>(q), test.view());
  INFO("float " << float_acc << ", int8 " << int8_acc);
  REQUIRE(float_acc > 0.9);
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.02);
}
