// quant/: quantizing a trained toy model (folded preprocessing, accuracy kept), the footprint
// constants, the .fnq file (round trip, every flipped byte and truncation, bad values), and the
// errors of bad inputs to the quantizer.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/train/fit.hpp"
#include "firmnet/train/sgd.hpp"

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
  void on_evaluate(std::size_t) {}
  bool on_epoch_end(std::size_t, double, double) { return true; }
};

using Net = TwoLayerNet<64, 32, 4, 16>;

struct Trained {
  Toy train{800, 1}, test{400, 2};
  std::unique_ptr<Net> net = std::make_unique<Net>();
  std::unique_ptr<Normalizer<64>> norm = std::make_unique<Normalizer<64>>();
  std::unique_ptr<Matrix<float, 16, 64>> scratch = std::make_unique<Matrix<float, 16, 64>>();
  Trained() {
    Rng rng(3);
    net->init(rng, 0.1f);
    norm->fit(train.view());
    Sgd<float> sgd{{0.2f, 0.f, 1.f}};
    Trainer<Net, Sgd<float>> trainer(*net, sgd, 1e-3f);
    std::vector<std::uint32_t> order(800);
    ShufflingSampler sampler(order, 16, false, 4);
    Quiet quiet;
    fit(trainer, sampler, train.view(), test.view(), *norm, *scratch, FitOptions{8, 0}, quiet);
  }
};

Trained& trained() {
  static Trained t;
  return t;
}

}  // namespace

TEST_CASE("quantized two-layer net keeps the float accuracy, from raw pixels", "[quant][quantize]") {
  Trained& t = trained();
  const double float_acc = check_accuracy(*t.net, *t.norm, t.test.view(), *t.scratch);
  quant::Calibration seen;
  const quant::QuantizedModel q = quant::quantize(*t.net, *t.norm, t.train.view().slice(0, 200), *t.scratch, &seen);
  REQUIRE(seen.images == 200);
  REQUIRE(seen.hidden_max > 0);
  const auto qnet = quant::as_two_layer<64, 32, 4>(q);
  const double int8_acc = quant::quantized_accuracy(qnet, t.test.view());
  INFO("float " << float_acc << ", int8 " << int8_acc);
  REQUIRE(float_acc > 0.9);
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.02);

  // The int8 logits, dequantized, follow the float scores of the normalised input.
  typename decltype(qnet)::Workspace ws;
  std::int8_t logits[4];
  const auto& out = q.layers[1];
  double worst = 0;
  for (std::size_t i = 0; i < 50; ++i) {
    qnet.predict(t.test.view().image(i), logits, ws);
    t.norm->apply(t.test.view().image(i), t.scratch->data());
    const auto scores = t.net->forward(t.scratch->view(1));
    for (std::size_t c = 0; c < 4; ++c)
      worst = std::max(worst, std::fabs(double(out.output_scale) * (logits[c] - out.output_zero_point) - double(scores(0, c))));
  }
  REQUIRE(worst < 12 * double(out.output_scale));  // a few output steps: quantized weights and activations
}

TEST_CASE("quantized linear classifier", "[quant][quantize]") {
  Trained& t = trained();
  static LinearClassifier<64, 4, 16> lin;
  Rng rng(5);
  lin.init(rng, 0.01f);
  Sgd<float> sgd{{0.2f, 0.f, 1.f}};
  Trainer<LinearClassifier<64, 4, 16>, Sgd<float>> trainer(lin, sgd, 1e-3f);
  std::vector<std::uint32_t> order(800);
  ShufflingSampler sampler(order, 16, false, 6);
  Quiet quiet;
  fit(trainer, sampler, t.train.view(), t.test.view(), *t.norm, *t.scratch, FitOptions{5, 0}, quiet);
  const double float_acc = check_accuracy(lin, *t.norm, t.test.view(), *t.scratch);
  const auto q = quant::quantize(lin, *t.norm, t.train.view().slice(0, 200), *t.scratch);
  const double int8_acc = quant::quantized_accuracy(quant::as_linear<64, 4>(q), t.test.view());
  REQUIRE(std::fabs(int8_acc - float_acc) <= 0.02);
  REQUIRE_THROWS_WITH((quant::as_two_layer<64, 32, 4>(q)), Contains("'linear' model, not a two-layer net"));
}

TEST_CASE("footprints are stated at compile time", "[quant]") {
  using Q = quant::QuantizedTwoLayerNet<784, 128, 10>;
  STATIC_REQUIRE(Q::kWeightBytes == 784 * 128 + 128 * 10 + 12 * (128 + 10));
  STATIC_REQUIRE(Q::kWeightBytes * 100 <= 26 * (TwoLayerNet<784, 128, 10>::kParamCount * 4));  // <= 26% of float
  STATIC_REQUIRE(Q::kWorkingBytes < 1024);
  STATIC_REQUIRE(quant::QuantizedLinearClassifier<3072, 10>::kWorkingBytes == 64);
}

TEST_CASE("bad inputs to the quantizer are named", "[quant][quantize]") {
  Trained& t = trained();
  REQUIRE_THROWS_WITH(quant::quantize(*t.net, *t.norm, t.train.view().slice(0, 0), *t.scratch),
                      Contains("calibration set is empty"));
  static Net broken;
  broken = *t.net;
  broken.fc2.w.storage[7] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(quant::quantize(broken, *t.norm, t.train.view(), *t.scratch),
                      Contains("'w2' holds a non-finite value at index 7"));
  const auto q = quant::quantize(*t.net, *t.norm, t.train.view().slice(0, 50), *t.scratch);
  REQUIRE_THROWS_WITH((quant::as_two_layer<64, 16, 4>(q)), Contains("shape does not match"));
}

TEST_CASE("the .fnq file round-trips and rejects every flipped byte and truncation", "[quant][io]") {
  Trained& t = trained();
  quant::QuantizedModel q = quant::quantize(*t.net, *t.norm, t.train.view().slice(0, 100), *t.scratch);
  q.metadata = {{"dataset", "toy"}};
  const auto bytes = io::encode_quantized_model(q);
  const quant::QuantizedModel back = io::decode_quantized_model(bytes, "m.fnq");
  REQUIRE(back.kind == "two-layer");
  REQUIRE(back.shape() == std::vector<std::uint32_t>{64, 32, 4});
  for (std::size_t l = 0; l < 2; ++l) {
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

TEST_CASE("a .fnq file with values out of range is named, even with a valid checksum", "[quant][io]") {
  Trained& t = trained();
  const quant::QuantizedModel good = quant::quantize(*t.net, *t.norm, t.train.view().slice(0, 100), *t.scratch);
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
  m = good;
  m.layers[0].output_zero_point = 3;
  reject(m, "a hidden layer");
  m = good;
  m.layers[1].output_min = 10;
  reject(m, "-128 <= min <= zero point <= max <= 127");
  m = good;
  m.layers[1].output_scale = std::numeric_limits<float>::quiet_NaN();
  reject(m, "scale that is not a finite positive number");
  m = good;
  m.kind = "conv";
  reject(m, "unknown model kind 'conv'");
  m = good;
  m.layers[1].inputs = 31;
  m.layers[1].weights.resize(31 * 4);
  reject(m, "takes 31 inputs but the layer before gives 32");
  REQUIRE_THROWS_WITH(io::decode_quantized_model(std::vector<std::uint8_t>(40, 0), "x.fnq"), Contains("not a firmnet quantized model"));
}
