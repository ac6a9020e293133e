// models/network.hpp: stacks of any depth. Numeric gradient checks of the whole loss through
// networks of depth 1 to 4 at batch 1 and odd sizes, and of convolutional stacks (trained in
// halves of the batch); the spec each type derives; parameter
// names, shapes and init; Fc + Relu fusion; the inference-only form against the training form;
// what each form costs; the registry of compiled stacks.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/models/registry.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

template <class... Specs>
using DNet = Network<Train<double, 9>, Specs...>;

static_assert(Classifier<TwoLayerNet<784, 128, 10>>);
static_assert(Classifier<LinearClassifier<3072, 10>>);
static_assert(Classifier<TwoLayerNet<5, 3, 2, 1, double>>);
static_assert(Classifier<Network<Train<float, 4>, Input<28, 28, 1>, Flatten, Fc<64>, Relu, Fc<32>, Relu, Fc<10>>>);

TEST_CASE("networks of depth 1 to 4: gradients match numeric gradients", "[models][network][gradcheck]") {
  test::RequireSmallError report;
  check::model<DNet<Input<13>, Fc<5>>>(1, 0.1, 5, report);
  check::model<DNet<Input<13>, Fc<5>>>(9, 0.3, 6, report);
  check::model<DNet<Input<13>, Fc<7>, Relu, Fc<5>>>(1, 0.1, 1, report);
  check::model<DNet<Input<13>, Fc<7>, Relu, Fc<5>>>(9, 0.0, 2, report);
  check::model<DNet<Input<31>, Fc<17>, Relu, Fc<10>>>(3, 0.05, 4, report);
  check::model<DNet<Input<11>, Fc<9>, Relu, Fc<7>, Relu, Fc<3>>>(1, 0.01, 7, report);
  check::model<DNet<Input<11>, Fc<9>, Relu, Fc<7>, Relu, Fc<3>>>(5, 0.01, 8, report);
  check::model<DNet<Input<7>, Fc<13>, Relu, Fc<5>, Relu, Fc<9>, Relu, Fc<4>>>(1, 0.02, 9, report);
  check::model<DNet<Input<7>, Fc<13>, Relu, Fc<5>, Relu, Fc<9>, Relu, Fc<4>>>(7, 0.02, 10, report);
  // Unfused ReLUs, a dense layer without ReLU in the middle, a flattened image input.
  check::model<DNet<Input<2, 3, 2>, Flatten, Fc<13>, Relu, Relu, Fc<7>, Fc<5>, Relu, Fc<4>>>(3, 0.02, 11, report);
  check::model<DNet<Input<2, 3, 2>, Relu, Fc<6>, Relu, Fc<3>>>(2, 0.0, 12, report);
  // MSE on one-hot targets through a deep stack.
  check::model<DNet<Input<11>, Fc<9>, Relu, Fc<7>, Relu, Fc<3>>>(4, 0.01, 13, report, MeanSquaredError{});
}

TEST_CASE("convolutional stacks, trained in two halves of the batch: gradients match numeric gradients",
          "[models][network][gradcheck]") {
  test::RequireSmallError report;
  using Small = DNet<Input<6, 4, 2>, Conv2d<3, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<4>>;
  static_assert(Small::kHalves);
  check::model<Small>(1, 0.0, 21, report);  // one row: no second half
  check::model<Small>(5, 0.02, 22, report);  // halves of 3 and 2 rows
  check::model<Small>(9, 0.0, 23, report);
  // Stride 2, a 1x1 window, global average pooling, a dense layer in the middle.
  check::model<DNet<Input<7, 5, 1>, Conv2d<4, 3, 3, Stride<2>>, Relu, Conv2d<3, 1, 1>, GlobalAvgPool, Fc<5>, Relu, Fc<3>>>(
      4, 0.01, 24, report);
  static_assert(!DNet<Input<13>, Fc<5>>::kHalves);  // dense stacks keep one pass
}

TEST_CASE("a network's type spells its architecture", "[models][network]") {
  STATIC_REQUIRE(TwoLayerNet<784, 128, 10>::kSpec.view() == std::string_view("in:784|fc:128+relu|fc:10"));
  STATIC_REQUIRE(LinearClassifier<3072, 10>::kSpec.view() == std::string_view("in:3072|fc:10"));
  using Deep = Network<Train<float, 8>, Input<784>, Fc<256>, Relu, Fc<128>, Relu, Fc<10>>;
  STATIC_REQUIRE(Deep::kSpec.view() == std::string_view("in:784|fc:256+relu|fc:128+relu|fc:10"));
  using Image = Network<Infer<float, 1>, Input<28, 28, 1>, Relu, Flatten, Fc<10>>;
  STATIC_REQUIRE(Image::kSpec.view() == std::string_view("in:28x28x1|relu|flatten|fc:10"));
  // A Relu after a layer that cannot fuse it stays a layer; two in a row: the first fuses.
  using Double = Network<Train<float, 8>, Input<4>, Fc<3>, Relu, Relu, Fc<2>>;
  STATIC_REQUIRE(Double::kSpec.view() == std::string_view("in:4|fc:3+relu|relu|fc:2"));
  STATIC_REQUIRE(Double::kLayers == 3);
  STATIC_REQUIRE(Stack<Input<784>, Fc<10>>::kSpec.view() == std::string_view("in:784|fc:10"));
}

TEST_CASE("parameters are named by layer: w1, b1, w2, ...", "[models][network]") {
  static Network<Train<float, 2>, Input<20>, Fc<9>, Relu, Fc<8>, Relu, Fc<7>, Relu, Fc<3>> net;
  const auto p = net.params();
  REQUIRE(p.size() == 8);
  const char* names[] = {"w1", "b1", "w2", "b2", "w3", "b3", "w4", "b4"};
  const std::size_t rows[] = {20, 1, 9, 1, 8, 1, 7, 1}, cols[] = {9, 9, 8, 8, 7, 7, 3, 3};
  std::size_t total = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    REQUIRE(std::string(p[i].name) == names[i]);
    REQUIRE(p[i].rows == rows[i]);
    REQUIRE(p[i].cols == cols[i]);
    REQUIRE(p[i].regularized == (i % 2 == 0));
    REQUIRE(p[i].grad != nullptr);
    total += p[i].size();
  }
  REQUIRE(total == decltype(net)::kParamCount);
  static LinearClassifier<784, 10> linear;
  REQUIRE(std::string(linear.params()[0].name) == "w1");
}

TEST_CASE("init: N(0, scale²) or He weights from the seed, zero biases", "[models][network]") {
  static TwoLayerNet<784, 128, 10> a, b;
  Rng r1(42), r2(42);
  a.init(r1, InitRule::gaussian(1e-3));
  b.init(r2, InitRule::gaussian(1e-3));
  const auto& w = a.layer<0>().w;
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < 784 * 128; ++i) {
    REQUIRE(w.data()[i] == b.layer<0>().w.data()[i]);
    sum += w.data()[i];
    sum_sq += double(w.data()[i]) * w.data()[i];
  }
  const double n = 784 * 128;
  REQUIRE(std::fabs(sum / n) < 1e-5);
  REQUIRE(std::sqrt(sum_sq / n) == Approx(1e-3).epsilon(0.01));
  for (const float v : a.layer<0>().b.storage) REQUIRE(v == 0.f);
  a.init(r1, InitRule::he());
  sum_sq = 0;
  for (std::size_t i = 0; i < 784 * 128; ++i) sum_sq += double(w.data()[i]) * w.data()[i];
  REQUIRE(std::sqrt(sum_sq / n) == Approx(std::sqrt(2.0 / 784)).epsilon(0.01));
  sum_sq = 0;
  for (const float v : a.layer<1>().w.storage) sum_sq += double(v) * v;
  REQUIRE(std::sqrt(sum_sq / (128 * 10)) == Approx(std::sqrt(2.0 / 128)).epsilon(0.1));  // 1280 draws: ~2 % noise
}

TEST_CASE("predict returns the argmax and works at batch 1", "[models][network]") {
  static LinearClassifier<2, 3, 4> m;
  // scores = x·w: w columns pick out x0, x1, -x0.
  const float w[6] = {1, 0, -1, 0, 1, 0};
  std::copy(w, w + 6, m.layer<0>().w.data());
  const float x[8] = {3, 1, 0, 5, -2, 1, -1, -1};
  Label out[4];
  m.predict(ConstView<float, 2>(x, 4), out);
  REQUIRE(out[0] == 0);
  REQUIRE(out[1] == 1);
  REQUIRE(out[2] == 2);
  REQUIRE(out[3] == 2);
  m.predict(ConstView<float, 2>(x + 2, 1), out);
  REQUIRE(out[0] == 1);
}

TEST_CASE("the inference-only form gives the training form's bits, from const weights", "[models][network]") {
  using Stack3 = Stack<Input<2, 5, 3>, Flatten, Fc<64>, Relu, Fc<33>, Relu, Fc<10>>;
  using Trained = Stack3::Bind<Train<float, 16>>;
  using Deployed = Stack3::Bind<Infer<float, 16>>;
  auto trained = std::make_unique<Trained>();
  auto deployed = std::make_unique<Deployed>();
  Rng rng(3);
  trained->init(rng, InitRule::he());
  const auto from = trained->params();
  const auto to = deployed->params();
  for (std::size_t i = 0; i < from.size(); ++i) {
    std::memcpy(to[i].value, from[i].value, from[i].size() * sizeof(float));
    REQUIRE(to[i].grad == nullptr);
  }
  const Deployed& flash = *deployed;  // forward is const: the weights may sit in flash
  auto ws = std::make_unique<Deployed::Workspace>();
  const auto x = test::random_vector<float>(13 * 30, 4);
  for (const std::size_t rows : {1, 13}) {
    const auto a = trained->forward(ConstView<float, 30>(x.data(), rows));
    const auto b = flash.forward(ConstView<float, 30>(x.data(), rows), *ws);
    REQUIRE(std::memcmp(a.data(), b.data(), rows * 10 * sizeof(float)) == 0);
  }
}

TEST_CASE("the inference-only form costs its weights, its workspace two activations and a layer's scratch", "[models][network]") {
  using Net = Network<Infer<float, 1>, Input<784>, Fc<128>, Relu, Fc<10>>;
  constexpr std::size_t params = (784 * 128 + 128 + 128 * 10 + 10) * sizeof(float);
  STATIC_REQUIRE(Net::kWeightBytes == params);
  STATIC_REQUIRE(sizeof(Net) <= params + 4 * 64);  // cache-line padding of the four tensors, a view
  // ping-pong, and at batch 1 no pack buffers: only the 128 sums of the first layer's second half of k
  STATIC_REQUIRE(Net::kWorkingBytes == (2 * 128 + 128) * sizeof(float));
  using Trainable = Net::Rebind<Train<float, 1>>;
  STATIC_REQUIRE(sizeof(Trainable) > 2 * params);  // gradients and every layer's output
}

TEST_CASE("the registry finds compiled stacks by their spec", "[models][registry]") {
  using List = ModelList<Stack<Input<4>, Fc<2>>, Stack<Input<4>, Fc<3>, Relu, Fc<2>>>;
  STATIC_REQUIRE(List::kCount == 2);
  std::string seen;
  REQUIRE(List::visit("in:4|fc:3+relu|fc:2", [&](auto stack) { seen = decltype(stack)::type::kSpec.c_str(); }));
  REQUIRE(seen == "in:4|fc:3+relu|fc:2");
  REQUIRE_FALSE(List::visit("in:4|fc:5+relu|fc:2", [](auto) {}));
  REQUIRE(List::contains("in:4|fc:2"));
}
