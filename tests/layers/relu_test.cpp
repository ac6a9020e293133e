// layers/relu.hpp and layers/flatten.hpp: the standalone ReLU's numeric gradient check, and
// Flatten as the reshape it is (no buffer, no work).
#include <catch2/catch.hpp>

#include <string_view>

#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/relu.hpp"
#include "support/gradcheck.hpp"

using namespace firmnet;

TEST_CASE("relu layer gradient matches numeric gradient", "[layers][relu][gradcheck]") {
  test::RequireSmallError report;
  using R13 = ReluLayer<Bind<Train<double, 8>, Flat<13>, true, false>>;
  using RImage = ReluLayer<Bind<Train<double, 3>, Shape<4, 4, 4>, true, false>>;
  check::layer<R13>(1, 41, report);
  check::layer<R13>(8, 48, report);
  check::layer<RImage>(3, 43, report);
  STATIC_REQUIRE(R13::kSpec.view() == std::string_view("relu"));
  STATIC_REQUIRE(R13::kParams == 0);
}

TEST_CASE("flatten is a reshape: NHWC rows are already flat", "[layers][flatten]") {
  using F = FlattenLayer<Bind<Train<float, 4>, Shape<7, 7, 64>, true, false>>;
  STATIC_REQUIRE(F::kInPlace);
  STATIC_REQUIRE(F::kOut == 7 * 7 * 64);
  STATIC_REQUIRE(std::is_same_v<F::Out, Flat<7 * 7 * 64>>);
  STATIC_REQUIRE(F::kSpec.view() == std::string_view("flatten"));
}
