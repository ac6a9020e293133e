// models/: numeric gradient checks of the full loss (softmax + L2) through LinearClassifier and
// TwoLayerNet in double precision, on odd shapes and batch 1; the Classifier concept; init.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

static_assert(Classifier<TwoLayerNet<784, 128, 10>>);
static_assert(Classifier<LinearClassifier<3072, 10>>);
static_assert(Classifier<TwoLayerNet<5, 3, 2, 1, double>>);

TEST_CASE("two-layer net gradients match numeric gradients", "[models][two_layer][gradcheck]") {
  test::RequireSmallError report;
  check::model<TwoLayerNet<13, 7, 5, 9, double>>(1, 0.1, 1, report);
  check::model<TwoLayerNet<13, 7, 5, 9, double>>(9, 0.0, 2, report);
  check::model<TwoLayerNet<13, 7, 5, 9, double>>(4, 0.7, 3, report);
  check::model<TwoLayerNet<31, 17, 10, 3, double>>(3, 0.05, 4, report);
}

TEST_CASE("linear classifier gradients match numeric gradients", "[models][linear][gradcheck]") {
  test::RequireSmallError report;
  check::model<LinearClassifier<13, 5, 9, double>>(1, 0.1, 5, report);
  check::model<LinearClassifier<13, 5, 9, double>>(9, 0.3, 6, report);
  check::model<LinearClassifier<65, 10, 2, double>>(2, 0.0, 7, report);
}

TEST_CASE("parameters have the assignment's names and shapes", "[models]") {
  static TwoLayerNet<784, 128, 10> net;
  const auto p = net.params();
  REQUIRE(std::string(p[0].name) == "w1");
  REQUIRE(p[0].rows == 784);
  REQUIRE(p[0].cols == 128);
  REQUIRE(std::string(p[1].name) == "b1");
  REQUIRE(std::string(p[2].name) == "w2");
  REQUIRE(std::string(p[3].name) == "b2");
  REQUIRE((p[0].regularized && !p[1].regularized && p[2].regularized && !p[3].regularized));
  static LinearClassifier<784, 10> linear;
  REQUIRE(std::string(linear.params()[0].name) == "w");
  REQUIRE(std::string(linear.params()[1].name) == "b");
  std::size_t total = 0;
  for (const auto& q : p) total += q.size();
  REQUIRE(total == TwoLayerNet<784, 128, 10>::kParamCount);
}

TEST_CASE("init draws N(0, scale^2) weights from the seed and zero biases", "[models]") {
  static TwoLayerNet<784, 128, 10> a, b;
  Rng r1(42), r2(42);
  a.init(r1, 1e-3f);
  b.init(r2, 1e-3f);
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 0; i < 784 * 128; ++i) {
    REQUIRE(a.fc1.w.data()[i] == b.fc1.w.data()[i]);
    sum += a.fc1.w.data()[i];
    sum_sq += double(a.fc1.w.data()[i]) * a.fc1.w.data()[i];
  }
  const double n = 784 * 128;
  REQUIRE(std::fabs(sum / n) < 1e-5);
  REQUIRE(std::sqrt(sum_sq / n) == Approx(1e-3).epsilon(0.01));
  for (const float v : a.fc1.b.storage) REQUIRE(v == 0.f);
  for (const float v : a.fc2.b.storage) REQUIRE(v == 0.f);
}

TEST_CASE("predict returns the argmax and works at batch 1", "[models]") {
  static LinearClassifier<2, 3, 4> m;
  // scores = x·w: w columns pick out x0, x1, -x0.
  const float w[6] = {1, 0, -1, 0, 1, 0};
  std::copy(w, w + 6, m.fc.w.data());
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
