// kernels/elementwise.hpp against its reference on odd lengths.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "firmnet/kernels/elementwise.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#endif
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

#if FIRMNET_HAVE_XSIMD
// Every element-wise variant this CPU runs gives the baseline's bits (the last in the table): the
// ISA the GEMM dispatch picks never changes a training run's element-wise arithmetic.
TEST_CASE("every element-wise variant gives the baseline's bits", "[kernels][elementwise][variants]") {
  const auto variants = kernels::elementwise_variants();
  const kernels::ElementwiseVariant& base = variants.back();
  std::size_t compared = 0;
  for (const auto& v : variants) {
    if (!v.supported) continue;
    CAPTURE(v.name, base.name);
    for (const std::size_t n : {1, 7, 15, 16, 17, 31, 33, 63, 65, 129, 1000, 100352}) {
      CAPTURE(n);
      const auto w = test::random_vector<float>(n, 3 * n), g = test::random_vector<float>(n, 3 * n + 1);
      auto a = test::random_vector<float>(n, 3 * n + 2), b = a;
      REQUIRE(v.l2_grad_sumsq(w.data(), 0.3f, a.data(), n) == base.l2_grad_sumsq(w.data(), 0.3f, b.data(), n));
      REQUIRE(a == b);
      v.axpy(-0.7f, g.data(), a.data(), n), base.axpy(-0.7f, g.data(), b.data(), n);
      REQUIRE(a == b);
      std::vector<float> ya(n), yb(n);
      v.relu_fwd(w.data(), ya.data(), n), base.relu_fwd(w.data(), yb.data(), n);
      REQUIRE(ya == yb);
      v.relu_bwd(w.data(), g.data(), ya.data(), n), base.relu_bwd(w.data(), g.data(), yb.data(), n);
      REQUIRE(ya == yb);
      auto va = test::random_vector<float>(n, 5 * n), vb = va;
      v.sgd_momentum(a.data(), g.data(), va.data(), n, 0.01f, 0.9f, true);
      base.sgd_momentum(b.data(), g.data(), vb.data(), n, 0.01f, 0.9f, true);
      REQUIRE(a == b);
      REQUIRE(va == vb);
      std::vector<float> ma(n, 0.1f), mb(n, 0.1f);
      for (auto& x : va) x = std::fabs(x);
      vb = va;
      v.adam(a.data(), g.data(), ma.data(), va.data(), n, 0.9f, 0.999f, 1e-3f, 0.5f, 1e-8f, 0.999f);
      base.adam(b.data(), g.data(), mb.data(), vb.data(), n, 0.9f, 0.999f, 1e-3f, 0.5f, 1e-8f, 0.999f);
      REQUIRE(a == b);
      REQUIRE(ma == mb);
      REQUIRE(va == vb);
    }
    ++compared;
  }
  REQUIRE(compared >= 1);
  std::printf("element-wise variants compared with %s: %zu (active: %s)\n", base.name, compared,
              kernels::elementwise_active().name);
}
#endif
