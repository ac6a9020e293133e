// quant/: quantizing trained toy networks of several depths (folded preprocessing, asymmetric
// activations, accuracy kept), the footprint constants, the .fnq file (round trip, version 1,
// every flipped byte and truncation, bad values), and the errors of bad inputs to the quantizer.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <bit>
#include <string>
#include <string_view>
#include <vector>

#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/quant/qfc.hpp"
#include "firmnet/quant/qflatten.hpp"
#include "firmnet/quant/qrelu.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {

// 8x8 images of 4 classes (a bright quadrant each), as the firmware smoke test uses.
struct Toy {
  std::vector<std::uint8_t> pixels;
  std::vector<Label> labels;
  explicit Toy(std::size_t n, std::uint64_t seed) : pixels(n * 64), labels(n) {
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

const Toy& train_set() {
  static const Toy t(800, 1);
  return t;
}
const Toy& test_set() {
  static const Toy t(400, 2);
  return t;
}

// A network trained on the toy data, with its normalizer.
template <class Net>
struct Trained {
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::unique_ptr<Normalizer<64>> norm = std::make_unique<Normalizer<64>>();
  std::unique_ptr<Matrix<float, 16, 64>> scratch = std::make_unique<Matrix<float, 16, 64>>();
  explicit Trained(std::uint64_t seed, std::size_t epochs = 8) {
    Rng rng(seed);
    net->init(rng, InitRule::gaussian(0.1));
    norm->fit(train_set().view());
    Sgd<float> sgd({0.2f, 0.f, 1.f});
    Trainer<Net, SoftmaxCrossEntropy, Sgd<float>> trainer(*net, sgd, 1e-3f);
    std::vector<std::uint32_t> order(800);
    ShufflingSampler sampler(order, 16, false, seed + 1);
    ImageBatches<64> batches(train_set().view(), *norm, sampler);
    Quiet quiet;
    fit(trainer, batches, FitOptions{epochs, 0}, quiet);
  }
  double float_accuracy() { return check_accuracy(*net, *norm, test_set().view(), *scratch); }
};

using Net = TwoLayerNet<64, 32, 4, 16>;
using QNet = quant::QNetworkFor<Net>;

Trained<Net>& trained() {
  static Trained<Net> t(3);
  return t;
}

// The version-1 .fnq layout (two-layer and linear nets, int8 logits), written here the way the
// firmnet of before wrote it, to check it still loads.
std::vector<std::uint8_t> encode_v1(const quant::QuantizedModel& m, const std::string& kind) {
  std::vector<std::uint8_t> out = {0x89, 'F', 'N', 'Q', 0x0D, 0x0A, 0x1A, 0x0A};
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  auto f32 = [&](float f) { u32(std::bit_cast<std::uint32_t>(f)); };
  auto bytes = [&](const auto& v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(v[0]));
  };
  u32(1);
  u32(static_cast<std::uint32_t>(kind.size()));
  out.insert(out.end(), kind.begin(), kind.end());
  u32(static_cast<std::uint32_t>(m.layers.size()));
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const auto& l = m.layers[i];
    const bool last = i + 1 == m.layers.size();
    u32(static_cast<std::uint32_t>(l.inputs));
    u32(static_cast<std::uint32_t>(l.outputs));
    f32(l.input_scale);
    f32(l.output_scale);
    u32(static_cast<std::uint32_t>(l.output_zero_point - (last ? 128 : 0)));
    u32(static_cast<std::uint32_t>(l.output_min - (last ? 128 : 0)));
    u32(static_cast<std::uint32_t>(l.output_max - (last ? 128 : 0)));
    bytes(l.weights), bytes(l.bias), bytes(l.multiplier), bytes(l.shift), bytes(l.weight_scale);
  }
  u32(0);
  u32(io::crc32(out.data(), out.size()));
  return out;
}

}  // namespace

TEST_CASE("quantized two-layer net keeps the float accuracy, from raw pixels", "[quant][quantize]") {
  auto& t = trained();
  const double float_acc = t.float_accuracy();
  quant::Calibration seen;
  quant::QuantizedModel q = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 200), *t.scratch, &seen);
  REQUIRE(seen.images == 200);
  REQUIRE(seen.outputs.size() == 2);
  REQUIRE(seen.outputs[0].lo >= 0);  // ReLU outputs
  REQUIRE(q.spec == "in:64|fc:32+relu|fc:4");
  REQUIRE(q.layers[0].output_zero_point == 0);    // after a ReLU: zero point 0 ...
  REQUIRE(q.layers[0].output_min == 0);           // ... and the ReLU is the clamp at it
  REQUIRE(q.layers[1].output_zero_point > 0);     // logits: asymmetric
  const QNet qnet = quant::bind<QNet>(q);
  const double int8_acc = quant::quantized_accuracy(qnet, test_set().view());
  INFO("float " << float_acc << ", int8 " << int8_acc);
  REQUIRE(float_acc > 0.9);
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.02);

  // The uint8 logits, dequantized, follow the float scores of the normalised input.
  QNet::Workspace ws;
  std::uint8_t logits[4];
  const auto& out = q.layers[1];
  double worst = 0;
  for (std::size_t i = 0; i < 50; ++i) {
    qnet.predict(test_set().view().image(i), logits, ws);
    t.norm->apply(test_set().view().image(i), t.scratch->data());
    const auto scores = t.net->forward(t.scratch->view(1));
    for (std::size_t c = 0; c < 4; ++c)
      worst = std::max(worst, std::fabs(double(out.output_scale) * (logits[c] - out.output_zero_point) - double(scores(0, c))));
  }
  REQUIRE(worst < 12 * double(out.output_scale));  // a few output steps: quantized weights and activations
}

TEST_CASE("deeper stacks quantize: a dense layer without ReLU, an unfused ReLU", "[quant][quantize]") {
  using Deep = Network<Train<float, 16>, Input<64>, Fc<24>, Relu, Fc<12>, Relu, Relu, Fc<16>, Fc<4>>;
  static Trained<Deep> t(7, 10);
  auto q = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 300), *t.scratch);
  REQUIRE(q.layers.size() == 5);
  REQUIRE(q.layers[2].op == "relu");
  REQUIRE(q.layers[2].input_zero_point == q.layers[1].output_zero_point);
  REQUIRE(q.layers[3].output_min == 0);  // fc:16 has no ReLU: its output covers negative values
  using QDeep = quant::QNetworkFor<Deep>;
  const double float_acc = t.float_accuracy(), int8_acc = quant::quantized_accuracy(quant::bind<QDeep>(q), test_set().view());
  INFO("float " << float_acc << ", int8 " << int8_acc);
  REQUIRE(float_acc > 0.85);
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.03);
}

TEST_CASE("quantized linear classifier", "[quant][quantize]") {
  static Trained<LinearClassifier<64, 4, 16>> lin(5, 5);
  const double float_acc = lin.float_accuracy();
  auto q = quant::quantize(*lin.net, *lin.norm, train_set().view().slice(0, 200), *lin.scratch);
  using QLin = quant::QNetworkFor<LinearClassifier<64, 4, 16>>;
  const double int8_acc = quant::quantized_accuracy(quant::bind<QLin>(q), test_set().view());
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.02);
  REQUIRE_THROWS_WITH(quant::bind<QNet>(q), Contains("the quantized model has 1 layers, the network 2"));
}

TEST_CASE("footprints are stated at compile time", "[quant]") {
  using Q = quant::QNetworkFor<TwoLayerNet<784, 128, 10>>;
  STATIC_REQUIRE(Q::kWeightBytes == 784 * 128 + 128 * 12 + 12 * (128 + 10));  // 10 outputs padded to 12 (packed quads)
  STATIC_REQUIRE(Q::kWeightBytes * 100 <= 26 * (TwoLayerNet<784, 128, 10>::kParamCount * 4));  // <= 26% of float
  STATIC_REQUIRE(Q::kWorkingBytes < 1024);
  STATIC_REQUIRE(Q::kTypeName.view() == std::string_view("firmnet::quant::QNetwork<firmnet::Shape<1, 1, 784>, "
                                                         "firmnet::quant::QFc<firmnet::Shape<1, 1, 784>, 128>, "
                                                         "firmnet::quant::QFc<firmnet::Shape<1, 1, 128>, 10>>"));
  STATIC_REQUIRE(quant::QNetworkFor<LinearClassifier<3072, 10>>::kWorkingBytes <= 4 * 64);
}

// A channel whose bias dwarfs its weights (a unit kept off by a large negative bias) once made
// quantize refuse a trained 5x5 CNN ("a bias ... does not fit the int32 accumulator"): its weight
// scale is now coarsened until the bias fits, and the channel still computes its float value.
TEST_CASE("a bias that dwarfs its weights coarsens the channel's weight scale instead of failing", "[quant][quantize]") {
  quant::detail::FloatWeights l;
  l.fan_in = 800, l.channels = 2;
  l.w.resize(l.fan_in * l.channels);
  l.b = {-0.5, 0.3};
  for (std::size_t i = 0; i < l.fan_in; ++i) {
    l.w[i * 2] = 1e-7 * double(int(i % 7) - 3);  // tiny: max|w|/127 would put the bias at ~6e9 units
    l.w[i * 2 + 1] = 0.01 * double(int(i % 5) - 2);
  }
  const double input_scale = 1.0 / 255.0;
  const quant::QuantizedLayer q = quant::detail::quantize_weights(l, input_scale, 3, 0.05, 10, false);
  REQUIRE(q.weight_scale[0] > float(3e-7 / 127.0));        // coarsened
  REQUIRE(q.weight_scale[1] == Approx(0.02 / 127.0));      // the ordinary channel keeps max|w| / 127
  for (std::size_t o = 0; o < 2; ++o) {
    std::int64_t worst = std::abs(std::int64_t(q.bias[o]));
    for (std::size_t i = 0; i < l.fan_in; ++i) worst += 255 * std::abs(int(q.weights[o * l.fan_in + i]));
    REQUIRE(worst <= 2147483647);  // no partial sum can wrap
  }
  // Channel 0 on an input of all 200s: float -0.5 + Σ w·x, int8 bias + Σ w_q·(x_q - zp), both in real units.
  double want = l.b[0], got = double(q.bias[0]);
  for (std::size_t i = 0; i < l.fan_in; ++i) {
    want += l.w[i * 2] * input_scale * (200 - 3);
    got += double(q.weights[i]) * 200;
  }
  REQUIRE(got * input_scale * double(q.weight_scale[0]) == Approx(want).margin(1e-6));
}

TEST_CASE("bad inputs to the quantizer are named", "[quant][quantize]") {
  auto& t = trained();
  REQUIRE_THROWS_WITH(quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 0), *t.scratch),
                      Contains("calibration set is empty"));
  static Net broken;
  broken = *t.net;
  broken.layer<1>().w.storage[7] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(quant::quantize(broken, *t.norm, train_set().view(), *t.scratch),
                      Contains("'w2' holds a non-finite value at index 7"));
  auto q = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 50), *t.scratch);
  using Other = quant::QNetworkFor<TwoLayerNet<64, 16, 4>>;
  REQUIRE_THROWS_WITH(quant::bind<Other>(q), Contains("layer 1 (fc): has 64 inputs and 32 outputs, the network 64 and 16"));
  // A first layer that is not dense cannot fold a per-pixel mean.
  using ReluFirst = Network<Train<float, 16>, Input<64>, Relu, Fc<4>>;
  static Trained<ReluFirst> r(9, 1);
  REQUIRE_THROWS_WITH(quant::quantize(*r.net, *r.norm, train_set().view().slice(0, 50), *r.scratch),
                      Contains("same pixel level for every pixel"));
}

TEST_CASE("the .fnq file round-trips and rejects every flipped byte and truncation", "[quant][io]") {
  auto& t = trained();
  quant::QuantizedModel q = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 100), *t.scratch);
  q.metadata = {{"dataset", "toy"}};
  const auto bytes = io::encode_quantized_model(q);
  const quant::QuantizedModel back = io::decode_quantized_model(bytes, "m.fnq");
  REQUIRE(back.spec == q.spec);
  REQUIRE(io::encode_quantized_model(back) == bytes);
  for (std::size_t l = 0; l < 2; ++l) {
    REQUIRE(back.layers[l].op == "fc");
    REQUIRE(back.layers[l].weights == q.layers[l].weights);
    REQUIRE(back.layers[l].bias == q.layers[l].bias);
    REQUIRE(back.layers[l].multiplier == q.layers[l].multiplier);
    REQUIRE(back.layers[l].shift == q.layers[l].shift);
    REQUIRE(back.layers[l].output_zero_point == q.layers[l].output_zero_point);
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x10;
    CAPTURE(i);
    REQUIRE_THROWS_AS(io::decode_quantized_model(bad, "m.fnq"), io::Error);
  }
  for (std::size_t len = 0; len < bytes.size(); len += 7) {
    CAPTURE(len);
    REQUIRE_THROWS_AS(io::decode_quantized_model(std::span(bytes).first(len), "m.fnq"), io::Error);
  }
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  REQUIRE_THROWS_WITH(io::decode_quantized_model(flipped, "m.fnq"), Contains("m.fnq") && Contains("checksum mismatch"));
}

TEST_CASE("a version-1 .fnq file loads as the same network with uint8 logits", "[quant][io]") {
  auto& t = trained();
  const quant::QuantizedModel q = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 100), *t.scratch);
  const quant::QuantizedModel v1 = io::decode_quantized_model(encode_v1(q, "two-layer"), "old.fnq");
  REQUIRE(v1.spec == "in:64|fc:32+relu|fc:4");
  REQUIRE(io::encode_quantized_model(v1) == io::encode_quantized_model(q));
  REQUIRE_THROWS_WITH(io::decode_quantized_model(encode_v1(q, "conv"), "old.fnq"), Contains("unknown version-1 model kind 'conv'"));
}

TEST_CASE("a .fnq file with values out of range is named, even with a valid checksum", "[quant][io]") {
  auto& t = trained();
  const quant::QuantizedModel good = quant::quantize(*t.net, *t.norm, train_set().view().slice(0, 100), *t.scratch);
  auto reject = [](quant::QuantizedModel m, const char* what) {
    REQUIRE_THROWS_WITH(io::decode_quantized_model(io::encode_quantized_model(m), "m.fnq"), Contains("m.fnq") && Contains(what));
  };
  quant::QuantizedModel m = good;
  m.layers[1].shift[2] = 40;
  reject(m, "shift 40, outside [-31, 30]");
  m = good;
  m.layers[0].multiplier[0] = 5;
  reject(m, "multiplier 5, not 0 or in [2^30, 2^31)");
  m = good;
  m.layers[0].weights[3] = -128;
  reject(m, "weight 3 is -128");
  // fan-in 64: |bias| may be up to 2^31 - 1 - 64·255·127 = 2145411007, no more.
  m = good;
  m.layers[0].bias[1] = 2145411007;
  REQUIRE_NOTHROW(io::decode_quantized_model(io::encode_quantized_model(m), "m.fnq"));
  m.layers[0].bias[1] = 2145411008;
  reject(m, "channel 1 has bias 2145411008: with 64 inputs its int32 accumulator could overflow");
  m.layers[0].bias[1] = -2145411008;
  reject(m, "channel 1 has bias -2145411008");
  m = good;
  m.layers[0].output_zero_point = 300;
  reject(m, "needs 0 <= min <= zero point <= max <= 255");
  m = good;
  m.layers[1].output_min = 200;
  reject(m, "needs 0 <= min <= zero point <= max <= 255");
  m = good;
  m.layers[0].input_zero_point = -1;
  reject(m, "input zero point -1");
  m = good;
  m.layers[1].output_scale = std::numeric_limits<float>::quiet_NaN();
  reject(m, "scale that is not a finite positive number");
  m = good;
  m.spec = "in:64|conv:32:3x3|fc:4";
  reject(m, "layer 1 is a 'fc' record but the spec says conv:32:3x3");
  m = good;
  m.spec = "in:64|fc:4";
  reject(m, "has 1 layers, the file 2");
  m = good;
  m.layers[0].op = "Fc!";
  reject(m, "not a lowercase name");
  m = good;
  m.layers[1].inputs = 31;
  m.layers[1].weights.resize(31 * 4);
  reject(m, "takes 31 inputs but the layer before gives 32");
  REQUIRE_THROWS_WITH(io::decode_quantized_model(std::vector<std::uint8_t>(40, 0), "x.fnq"), Contains("not a firmnet quantized model"));
}

