// layers/relu.hpp: numeric gradient check of the standalone ReLU layer.
#include <catch2/catch.hpp>

#include "support/gradcheck.hpp"

using namespace firmnet;

TEST_CASE("relu layer gradient matches numeric gradient", "[layers][relu][gradcheck]") {
  test::RequireSmallError report;
  check::relu<13, 8>(1, 41, report);
  check::relu<13, 8>(8, 48, report);
  check::relu<64, 3>(3, 43, report);
}
