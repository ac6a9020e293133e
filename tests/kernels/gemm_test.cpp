// kernels/gemm.hpp against the scalar reference, on edge shapes and the model's shapes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/gemm_ref.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {

struct Shape {
  std::size_t m, n, k;
};

// Odd sizes around every plausible register/cache block edge, plus the model's shapes.
std::vector<Shape> test_shapes() {
  std::vector<Shape> shapes;
  const std::size_t edge[] = {1, 7, 13, 63, 65, 127, 129};
  for (const auto m : edge)
    for (const auto n : edge) shapes.push_back({m, n, (m * 7 + n * 3) % 130 + 1});
  for (const auto k : {std::size_t(1), std::size_t(2), std::size_t(17), std::size_t(257), std::size_t(300)})
    shapes.push_back({9, 33, k});
  // Model shapes (M, N, K) as the layers call them.
  for (const Shape s : {Shape{64, 128, 784}, Shape{784, 128, 64}, Shape{64, 784, 128}, Shape{64, 10, 128},
                        Shape{128, 10, 64}, Shape{64, 128, 10}, Shape{1, 128, 784}, Shape{1, 10, 128},
                        Shape{37, 128, 784}})
    shapes.push_back(s);
  return shapes;
}

// Relative 1e-5 of each output's natural scale, Σ_p |a_ip·b_pj| (+ |c| when accumulating):
// the error bound of a float dot product, whatever the summation order.
constexpr double kTol = 1e-5;

std::vector<float> abs_of(const std::vector<float>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::fabs(v[i]);
  return out;
}

template <class Fast, class Ref>
void check_form(const char* form, Fast fast, Ref ref) {
  for (const Shape s : test_shapes()) {
    CAPTURE(form, s.m, s.n, s.k);
    const auto a = test::random_vector<float>(s.m * s.k, 1 + s.m);
    const auto b = test::random_vector<float>(s.k * s.n, 2 + s.n);
    const auto c0 = test::random_vector<float>(s.m * s.n, 3 + s.k);
    for (const bool accumulate : {false, true}) {
      CAPTURE(accumulate);
      std::vector<float> want = c0, got = c0, scale = abs_of(c0);
      ref(s, a.data(), b.data(), want.data(), accumulate);
      fast(s, a.data(), b.data(), got.data(), accumulate);
      const auto abs_a = abs_of(a), abs_b = abs_of(b);
      ref(s, abs_a.data(), abs_b.data(), scale.data(), accumulate);
      double worst = 0;
      for (std::size_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])) / std::max(1e-30, double(scale[i])));
      REQUIRE(worst < kTol);
    }
  }
}

}  // namespace

TEST_CASE("gemm_nn equals the reference", "[kernels][gemm]") {
  check_form("nn",
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_nn(s.m, s.n, s.k, a, b, c, acc); },
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_nn_ref(s.m, s.n, s.k, a, b, c, acc); });
}

TEST_CASE("gemm_tn equals the reference", "[kernels][gemm]") {
  check_form("tn",
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_tn(s.m, s.n, s.k, a, b, c, acc); },
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_tn_ref(s.m, s.n, s.k, a, b, c, acc); });
}

TEST_CASE("gemm_nt equals the reference", "[kernels][gemm]") {
  check_form("nt",
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_nt(s.m, s.n, s.k, a, b, c, acc); },
             [](Shape s, const float* a, const float* b, float* c, bool acc) { kernels::gemm_nt_ref(s.m, s.n, s.k, a, b, c, acc); });
}

TEST_CASE("gemm epilogues equal the reference", "[kernels][gemm]") {
  for (const Shape s : test_shapes()) {
    CAPTURE(s.m, s.n, s.k);
    const auto a = test::random_vector<float>(s.m * s.k, 11 + s.m);
    const auto b = test::random_vector<float>(s.k * s.n, 12 + s.n);
    const auto bias = test::random_vector<float>(s.n, 13 + s.k);
    std::vector<float> want(s.m * s.n, 99.f), got(s.m * s.n, -99.f);  // overwritten, never read
    kernels::gemm_nn_bias_ref(s.m, s.n, s.k, a.data(), b.data(), bias.data(), want.data());
    kernels::gemm_nn_bias(s.m, s.n, s.k, a.data(), b.data(), bias.data(), got.data());
    REQUIRE(test::max_rel_diff(got.data(), want.data(), got.size()) < 1e-4);
    kernels::gemm_nn_bias_relu_ref(s.m, s.n, s.k, a.data(), b.data(), bias.data(), want.data());
    kernels::gemm_nn_bias_relu(s.m, s.n, s.k, a.data(), b.data(), bias.data(), got.data());
    REQUIRE(test::max_rel_diff(got.data(), want.data(), got.size()) < 1e-4);
    for (const float v : got) REQUIRE(v >= 0.f);
  }
}

TEST_CASE("gemm with beta zero never reads C", "[kernels][gemm]") {
  // A NaN left in C must not leak into an overwriting product.
  const std::size_t m = 13, n = 7, k = 5;
  const auto a = test::random_vector<float>(m * k, 21);
  const auto b = test::random_vector<float>(k * n, 22);
  std::vector<float> c(m * n, std::numeric_limits<float>::quiet_NaN());
  kernels::gemm_nn(m, n, k, a.data(), b.data(), c.data(), false);
  for (const float v : c) REQUIRE(v == v);
  std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
  const auto at = test::random_vector<float>(k * m, 23);  // tn reads A as (k, m)
  kernels::gemm_tn(m, n, k, at.data(), b.data(), c.data(), false);
  for (const float v : c) REQUIRE(v == v);
  std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
  const auto bt = test::random_vector<float>(n * k, 24);  // nt reads B as (n, k)
  kernels::gemm_nt(m, n, k, a.data(), bt.data(), c.data(), false);
  for (const float v : c) REQUIRE(v == v);
}

TEST_CASE("col_sum equals the reference", "[kernels][gemm]") {
  for (const std::size_t m : {1, 7, 64, 65})
    for (const std::size_t n : {1, 10, 13, 128}) {
      const auto a = test::random_vector<float>(m * n, m * 100 + n);
      std::vector<float> want(n), got(n, std::numeric_limits<float>::quiet_NaN());
      kernels::col_sum_ref(m, n, a.data(), want.data());
      kernels::col_sum(m, n, a.data(), got.data());
      REQUIRE(test::max_rel_diff(got.data(), want.data(), n) < 1e-5);
    }
}

TEST_CASE("gemm works in double for gradient checks", "[kernels][gemm]") {
  const std::size_t m = 7, n = 13, k = 65;
  const auto a = test::random_vector<double>(m * k, 31);
  const auto b = test::random_vector<double>(k * n, 32);
  std::vector<double> want(m * n), got(m * n);
  kernels::gemm_nn_ref(m, n, k, a.data(), b.data(), want.data(), false);
  kernels::gemm_nn(m, n, k, a.data(), b.data(), got.data(), false);
  REQUIRE(test::max_rel_diff(got.data(), want.data(), got.size()) < 1e-12);
}
