// layers/fc.hpp: numeric gradient checks of dL/dx, dL/dw, dL/db in double precision, with and
// without the fused ReLU, with and without dL/dx, on vector and image inputs, at batch 1 and
// partial batches; the fused path against Fc then Relu; what each mode costs; the spec token.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>
#include <vector>

#include "firmnet/kernels/gemm_ref.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {
template <class InShape, std::size_t N, bool Relu = false, bool GradInput = true, class Mode = Train<double, 16>>
using FcOf = FcLayer<Bind<Mode, InShape, GradInput, Relu>, N>;
}  // namespace

TEST_CASE("fc gradients match numeric gradients", "[layers][fc][gradcheck]") {
  test::RequireSmallError report;
  for (const std::size_t batch : {1, 7, 16}) {
    CAPTURE(batch);
    check::layer<FcOf<Flat<13>, 5>>(batch, 100 + batch, report);
    check::layer<FcOf<Flat<1>, 7>>(batch, 200 + batch, report);
    check::layer<FcOf<Flat<65>, 10>>(batch, 300 + batch, report);
    check::layer<FcOf<Shape<3, 5, 2>, 4>>(batch, 600 + batch, report);  // an image input, flattened
  }
}

TEST_CASE("fc with fused relu, and as a first layer: gradients match", "[layers][fc][gradcheck]") {
  test::RequireSmallError report;
  for (const std::size_t batch : {1, 9}) {
    CAPTURE(batch);
    check::layer<FcOf<Flat<13>, 7, true>>(batch, 400 + batch, report);
    check::layer<FcOf<Flat<31>, 17, true, false>>(batch, 500 + batch, report);
  }
}

TEST_CASE("fc fused relu equals fc followed by relu", "[layers][fc]") {
  using Fused = FcOf<Flat<33>, 19, true, true, Train<float, 8>>;
  using Plain = FcOf<Flat<33>, 19, false, true, Train<float, 8>>;
  using R = ReluLayer<Bind<Train<float, 8>, Flat<19>, true, false>>;
  static Fused fused;
  static Plain plain;
  static R relu;
  Rng rng(7);
  test::fill_normal(fused.w.data(), 33 * 19, rng);
  test::fill_normal(fused.b.data(), 19, rng);
  plain.w = fused.w;
  plain.b = fused.b;
  std::vector<float> scratch(std::max(Fused::kScratch, Plain::kScratch) + 1);
  const auto x = test::random_vector<float>(5 * 33, 8);
  const auto g = test::random_vector<float>(5 * 19, 9);
  std::vector<float> y1(5 * 19), z(5 * 19), y2(5 * 19), dy1 = g, dy2(5 * 19), g2 = g, dx1(5 * 33), dx2(5 * 33);
  const ConstView<float, 33> xv(x.data(), 5);
  fused.forward(xv, View<float, 19>(y1.data(), 5), scratch);
  plain.forward(xv, View<float, 19>(z.data(), 5), scratch);
  relu.forward(ConstView<float, 19>(z.data(), 5), View<float, 19>(y2.data(), 5), {});
  REQUIRE(y1 == y2);
  fused.backward(xv, ConstView<float, 19>(y1.data(), 5), View<float, 19>(dy1.data(), 5), View<float, 33>(dx1.data(), 5), scratch);
  relu.backward(ConstView<float, 19>(z.data(), 5), ConstView<float, 19>(y2.data(), 5), View<float, 19>(g2.data(), 5),
                View<float, 19>(dy2.data(), 5), {});
  plain.backward(xv, ConstView<float, 19>(z.data(), 5), View<float, 19>(dy2.data(), 5), View<float, 33>(dx2.data(), 5), scratch);
  REQUIRE(dy1 == dy2);  // the fused layer masked dy in place exactly as the ReLU layer does
  for (std::size_t i = 0; i < 33 * 19; ++i) REQUIRE(fused.dw.data()[i] == plain.dw.data()[i]);
  for (std::size_t i = 0; i < 19; ++i) REQUIRE(fused.db.data()[i] == plain.db.data()[i]);
  REQUIRE(dx1 == dx2);
}

TEST_CASE("fc costs its parameters, gradients only to train, and no activations", "[layers][fc]") {
  using Training = FcOf<Flat<784>, 128, true, false, Train<float, 64>>;
  using Inference = FcOf<Flat<784>, 128, true, false, Infer<float, 1>>;
  constexpr std::size_t params = (784 * 128 + 128) * sizeof(float);
  STATIC_REQUIRE(sizeof(Inference) <= params + 64);  // the bias row padded to a cache line
  STATIC_REQUIRE(sizeof(Training) <= 2 * params + 128);
  STATIC_REQUIRE(Inference::kScratch == 128);  // batch 1 packs nothing: the second half of k's sums
  STATIC_REQUIRE(Inference::kHalves && !FcOf<Flat<1568>, 10, false, false, Infer<float, 1>>::kHalves);
  STATIC_REQUIRE(Training::kParamScalars == 784 * 128 + 128);
}

// A weight matrix of 64 K floats or more is read in two halves of k (kernels::gemm_nn_bias_halves):
// the layer's forward still equals the reference loops, with its bias and fused ReLU.
TEST_CASE("fc with a large weight matrix: the forward in two halves equals the reference", "[layers][fc]") {
  using Layer = FcOf<Flat<784>, 128, true, false, Train<float, 16>>;
  STATIC_REQUIRE(Layer::kHalves);
  auto layer = std::make_unique<Layer>();
  const auto w = test::random_vector<float>(784 * 128, 41), b = test::random_vector<float>(128, 42);
  std::copy(w.begin(), w.end(), layer->w.data());
  std::copy(b.begin(), b.end(), layer->b.data());
  constexpr std::size_t batch = 7;
  const auto x = test::random_vector<float>(batch * 784, 43);
  std::vector<float> y(batch * 128), want(batch * 128), scale(batch * 128), scratch(Layer::kScratch);
  layer->forward(ConstView<float, 784>(x.data(), batch), View<float, 128>(y.data(), batch), scratch);
  kernels::gemm_nn_bias_relu_ref(batch, 128, 784, x.data(), w.data(), b.data(), want.data());
  for (std::size_t i = 0; i < batch * 128; ++i) scale[i] = std::fabs(b[i % 128]);
  std::vector<float> abs_x(x), abs_w(w);
  for (float& v : abs_x) v = std::fabs(v);
  for (float& v : abs_w) v = std::fabs(v);
  kernels::gemm_nn_ref(batch, 128, 784, abs_x.data(), abs_w.data(), scale.data(), true);
  for (std::size_t i = 0; i < batch * 128; ++i) REQUIRE(std::fabs(y[i] - want[i]) <= 1e-5f * scale[i]);
}

TEST_CASE("fc spec tokens", "[layers][fc]") {
  STATIC_REQUIRE(FcOf<Flat<784>, 128, true>::kSpec.view() == std::string_view("fc:128+relu"));
  STATIC_REQUIRE(FcOf<Shape<7, 7, 64>, 10>::kSpec.view() == std::string_view("fc:10"));
}
