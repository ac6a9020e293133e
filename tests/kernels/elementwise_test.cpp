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

// The one-pass L2 + SGD step against the two passes it replaces, both on the dispatched kernels
// and on the references: the same w, dw and sum, bit for bit (one and several sum chunks).
TEST_CASE("l2_sgd_sumsq gives the bits of l2_grad_sumsq then axpy", "[kernels][elementwise]") {
  for (const std::size_t n : {1, 7, 15, 16, 17, 63, 65, 1000, 16384, 16385, 100352 + 5}) {
    CAPTURE(n);
    const auto w0 = test::random_vector<float>(n, 4 * n), dw0 = test::random_vector<float>(n, 4 * n + 1);
    auto w_two = w0, dw_two = dw0, w_one = w0, dw_one = dw0;
    const float s_two = kernels::l2_grad_sumsq(w_two.data(), 0.25f, dw_two.data(), n);
    kernels::axpy(-0.125f, dw_two.data(), w_two.data(), n);
    const float s_one = kernels::l2_sgd_sumsq(w_one.data(), 0.25f, dw_one.data(), n, 0.125f);
    REQUIRE(s_one == s_two);
    REQUIRE(w_one == w_two);
    REQUIRE(dw_one == dw_two);
    auto w_ref = w0, dw_ref = dw0, w_ref1 = w0, dw_ref1 = dw0;
    const float r_two = kernels::l2_grad_sumsq_ref(w_ref.data(), 0.25f, dw_ref.data(), n);
    kernels::axpy_ref(-0.125f, dw_ref.data(), w_ref.data(), n);
    REQUIRE(kernels::l2_sgd_sumsq_ref(w_ref1.data(), 0.25f, dw_ref1.data(), n, 0.125f) == r_two);
    REQUIRE(w_ref1 == w_ref);
    REQUIRE(dw_ref1 == dw_ref);
    REQUIRE(test::max_rel_diff(w_one.data(), w_ref.data(), n) < 1e-6);  // SIMD against scalar
  }
}

// The penalty alone (the trainer's, where backward folds the step into the weight gradient):
// the sum l2_sgd_sumsq returns, bit for bit, over one chunk, several (taken several at a time) and
// a short last one; the reference the sum of its reference.
TEST_CASE("sumsq gives the sum of l2_sgd_sumsq", "[kernels][elementwise]") {
  for (const std::size_t n : {0, 1, 15, 16, 17, 1000, 16384, 16385, 3 * 16384, 40000, 100352, 100352 + 5, 393216}) {
    CAPTURE(n);
    const auto w0 = test::random_vector<float>(n, 6 * n), dw0 = test::random_vector<float>(n, 6 * n + 1);
    auto w = w0, dw = dw0;
    const float want = kernels::l2_sgd_sumsq(w.data(), 0.5f, dw.data(), n, 0.01f);
    REQUIRE(kernels::sumsq(w0.data(), n) == want);
    auto w_ref = w0, dw_ref = dw0;
    REQUIRE(kernels::sumsq_ref(w0.data(), n) == kernels::l2_sgd_sumsq_ref(w_ref.data(), 0.5f, dw_ref.data(), n, 0.01f));
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
      REQUIRE(v.sumsq(w.data(), n) == base.sumsq(w.data(), n));
      REQUIRE(v.sumsq(w.data(), n) == base.l2_grad_sumsq(w.data(), 0.3f, std::vector<float>(n).data(), n));
      // 1 to 9 chunks at once (every group size of every width), each chunk as sumsq sums it alone.
      for (std::size_t count = 1; count <= 9 && count <= n; ++count) {
        const std::size_t len = n / count;
        std::vector<float> sums(count);
        v.sumsq_chunks(w.data(), len, count, sums.data());
        for (std::size_t q = 0; q < count; ++q) REQUIRE(sums[q] == base.sumsq(w.data() + q * len, len));
      }
      REQUIRE(a == b);
      v.axpy(-0.7f, g.data(), a.data(), n), base.axpy(-0.7f, g.data(), b.data(), n);
      REQUIRE(a == b);
      auto wa = w, wb = w;
      REQUIRE(v.l2_sgd_sumsq(wa.data(), 0.3f, a.data(), n, 0.05f) == base.l2_sgd_sumsq(wb.data(), 0.3f, b.data(), n, 0.05f));
      REQUIRE(a == b);
      REQUIRE(wa == wb);
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
