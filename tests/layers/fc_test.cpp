// layers/fc.hpp: numeric gradient checks of grad_x, grad_w, grad_b in double precision, with and
// without the fused ReLU, at batch 1 and at a partial batch; and the fused path against Fc + Relu.
#include <catch2/catch.hpp>

#include <vector>

#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

TEST_CASE("fc gradients match numeric gradients", "[layers][fc][gradcheck]") {
  test::RequireSmallError report;
  for (const std::size_t batch : {1, 7, 16}) {
    CAPTURE(batch);
    check::fc<Fc<double, 13, 5, 16>>(batch, 100 + batch, report);
    check::fc<Fc<double, 1, 7, 16>>(batch, 200 + batch, report);
    check::fc<Fc<double, 65, 10, 16>>(batch, 300 + batch, report);
  }
}

TEST_CASE("fc with fused relu: gradients match numeric gradients", "[layers][fc][gradcheck]") {
  test::RequireSmallError report;
  for (const std::size_t batch : {1, 9}) {
    CAPTURE(batch);
    check::fc<Fc<double, 13, 7, 9, Activation::relu>>(batch, 400 + batch, report);
    check::fc<Fc<double, 31, 17, 9, Activation::relu, false>>(batch, 500 + batch, report);
  }
}

TEST_CASE("fc fused relu equals fc followed by relu", "[layers][fc]") {
  static Fc<float, 33, 19, 8, Activation::relu> fused;
  static Fc<float, 33, 19, 8> plain;
  static Relu<float, 19, 8> relu;
  Rng rng(7);
  test::fill_normal(fused.w.data(), 33 * 19, rng);
  test::fill_normal(fused.b.data(), 19, rng);
  plain.w = fused.w;
  plain.b = fused.b;
  const auto x = test::random_vector<float>(5 * 33, 8);
  const auto g = test::random_vector<float>(5 * 19, 9);
  const auto y1 = fused.forward(ConstView<float, 33>(x.data(), 5));
  const auto y2 = relu.forward(plain.forward(ConstView<float, 33>(x.data(), 5)));
  for (std::size_t i = 0; i < 5 * 19; ++i) REQUIRE(y1.data()[i] == y2.data()[i]);
  fused.backward(ConstView<float, 19>(g.data(), 5));
  plain.backward(relu.backward(ConstView<float, 19>(g.data(), 5)));
  for (std::size_t i = 0; i < 33 * 19; ++i) REQUIRE(fused.dw.data()[i] == Approx(plain.dw.data()[i]).margin(1e-6));
  for (std::size_t i = 0; i < 19; ++i) REQUIRE(fused.db.data()[i] == Approx(plain.db.data()[i]).margin(1e-6));
  for (std::size_t i = 0; i < 5 * 33; ++i) REQUIRE(fused.dx.data()[i] == Approx(plain.dx.data()[i]).margin(1e-6));
}

TEST_CASE("fc without grad input costs no bytes for dx", "[layers][fc]") {
  using WithDx = Fc<float, 784, 128, 64, Activation::relu, true>;
  using WithoutDx = Fc<float, 784, 128, 64, Activation::relu, false>;
  STATIC_REQUIRE(sizeof(WithDx) - sizeof(WithoutDx) >= 64 * 784 * sizeof(float));
  STATIC_REQUIRE(sizeof(WithoutDx) < sizeof(float) * (2 * 784 * 128 + 2 * 128 + 2 * 64 * 128 + WithoutDx::kScratch) + 256);
}
