// models/: numeric gradient checks of the full loss (softmax + L2) through LinearClassifier and
// TwoLayerNet in double precision, on odd shapes and batch 1; the Classifier concept; init.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/softmax_xent.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

static_assert(Classifier<TwoLayerNet<784, 128, 10>>);
static_assert(Classifier<LinearClassifier<3072, 10>>);
static_assert(Classifier<TwoLayerNet<5, 3, 2, 1, double>>);

namespace {

// Checks every named parameter of model M on loss = softmax_xent + L2(reg).
template <class M>
void check_model(std::size_t batch, double reg, std::uint64_t seed) {
  static M model;
  Rng rng(seed);
  model.init(rng, 0.3);
  for (auto& p : model.params())  // non-zero biases exercise more of the graph
    if (!p.regularized) test::fill_normal(p.value, p.size(), rng, 0.1);
  std::vector<double> x(batch * M::kInputs);
  test::fill_normal(x.data(), x.size(), rng);
  std::vector<Label> y(batch);
  for (std::size_t i = 0; i < batch; ++i) y[i] = static_cast<Label>(rng.below(M::kClasses));
  std::vector<double> dscores(batch * M::kClasses);

  auto loss = [&] {
    const auto scores = model.forward(ConstView<double, M::kInputs>(x.data(), batch));
    double l = softmax_xent<double, M::kClasses>(scores, y.data(), {dscores.data(), batch});
    for (const auto& p : model.params())
      if (p.regularized) l += l2_penalty<double>({p.value, p.size()}, reg);
    return l;
  };
  loss();
  model.backward(ConstView<double, M::kClasses>(dscores.data(), batch));
  apply_l2(model.params(), reg);
  std::vector<std::vector<double>> analytic;
  for (const auto& p : model.params()) analytic.emplace_back(p.grad, p.grad + p.size());
  std::size_t i = 0;
  for (const auto& p : model.params()) {
    INFO("parameter " << p.name);
    test::require_gradient(p.name, loss, p.value, analytic[i].data(), p.size());
    ++i;
  }
}

}  // namespace

TEST_CASE("two-layer net gradients match numeric gradients", "[models][two_layer][gradcheck]") {
  check_model<TwoLayerNet<13, 7, 5, 9, double>>(1, 0.1, 1);
  check_model<TwoLayerNet<13, 7, 5, 9, double>>(9, 0.0, 2);
  check_model<TwoLayerNet<13, 7, 5, 9, double>>(4, 0.7, 3);
  check_model<TwoLayerNet<31, 17, 10, 3, double>>(3, 0.05, 4);
}

TEST_CASE("linear classifier gradients match numeric gradients", "[models][linear][gradcheck]") {
  check_model<LinearClassifier<13, 5, 9, double>>(1, 0.1, 5);
  check_model<LinearClassifier<13, 5, 9, double>>(9, 0.3, 6);
  check_model<LinearClassifier<65, 10, 2, double>>(2, 0.0, 7);
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
