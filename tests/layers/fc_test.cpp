// layers/fc.hpp: numeric gradient checks of dL/dx, dL/dw, dL/db in double precision, with and
// without the fused ReLU, with and without dL/dx, on vector and image inputs, at batch 1 and
// partial batches; the fused path against Fc then Relu; what each mode costs; the spec token.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

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
  STATIC_REQUIRE(Inference::kScratch == 0);  // batch 1 packs nothing
  STATIC_REQUIRE(Training::kParamScalars == 784 * 128 + 128);
}

TEST_CASE("fc spec tokens", "[layers][fc]") {
  STATIC_REQUIRE(FcOf<Flat<784>, 128, true>::kSpec.view() == std::string_view("fc:128+relu"));
  STATIC_REQUIRE(FcOf<Shape<7, 7, 64>, 10>::kSpec.view() == std::string_view("fc:10"));
}
