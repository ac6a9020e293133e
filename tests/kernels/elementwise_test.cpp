// kernels/elementwise.hpp against its reference on odd lengths.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "firmnet/kernels/elementwise.hpp"
#include "support/random.hpp"

using namespace firmnet;

TEST_CASE("l2_grad_sumsq equals the reference", "[kernels][elementwise]") {
  for (const std::size_t n : {1, 7, 13, 63, 65, 127, 129, 1000, 100352}) {
    CAPTURE(n);
    const auto w = test::random_vector<float>(n, n);
    const auto dw0 = test::random_vector<float>(n, n + 1);
    auto want = dw0, got = dw0;
    const float s_ref = kernels::l2_grad_sumsq_ref(w.data(), 0.25f, want.data(), n);
    const float s = kernels::l2_grad_sumsq(w.data(), 0.25f, got.data(), n);
    // Both sums against the exact one, within the error bound of a float sum of n positive terms.
    double exact = 0;
    for (const float v : w) exact += double(v) * double(v);
    const double bound = double(n) * 0x1p-24 * exact + 1e-30;
    REQUIRE(std::fabs(double(s_ref) - exact) <= bound);
    REQUIRE(std::fabs(double(s) - exact) <= bound);
    REQUIRE(test::max_rel_diff(got.data(), want.data(), n) < 1e-6);
  }
}

TEST_CASE("axpy equals the reference", "[kernels][elementwise]") {
  for (const std::size_t n : {1, 7, 13, 65, 129, 4099}) {
    const auto x = test::random_vector<float>(n, 2 * n);
    const auto y0 = test::random_vector<float>(n, 2 * n + 1);
    auto want = y0, got = y0;
    kernels::axpy_ref(-0.1f, x.data(), want.data(), n);
    kernels::axpy(-0.1f, x.data(), got.data(), n);
    REQUIRE(test::max_rel_diff(got.data(), want.data(), n) < 1e-6);
  }
}
