// kernels/relu.hpp must equal the reference bit for bit, special values included.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <vector>

#include "firmnet/kernels/relu.hpp"
#include "firmnet/kernels/relu_ref.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {
std::vector<float> special_inputs(std::size_t n) {
  auto v = test::random_vector<float>(n, n + 5);
  const float specials[] = {0.f, -0.f, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min()};
  for (std::size_t i = 0; i < n; ++i)
    if (i % 5 == 0) v[i] = specials[(i / 5) % 8];
  return v;
}
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("relu forward equals the reference bit for bit", "[kernels][relu]") {
  for (const std::size_t n : {1, 3, 7, 8, 13, 16, 17, 63, 65, 127, 129, 8192}) {
    CAPTURE(n);
    const auto x = special_inputs(n);
    std::vector<float> want(n), got(n);
    kernels::relu_fwd_ref(x.data(), want.data(), n);
    kernels::relu_fwd(x.data(), got.data(), n);
    REQUIRE(same_bits(got, want));
    auto in_place = x;
    kernels::relu_fwd(in_place.data(), in_place.data(), n);
    REQUIRE(same_bits(in_place, want));
  }
}

TEST_CASE("relu backward equals the reference bit for bit", "[kernels][relu]") {
  for (const std::size_t n : {1, 7, 13, 65, 129, 4099}) {
    CAPTURE(n);
    const auto y = special_inputs(n);
    const auto dy = test::random_vector<float>(n, 77);
    std::vector<float> want(n), got(n);
    kernels::relu_bwd_ref(y.data(), dy.data(), want.data(), n);
    kernels::relu_bwd(y.data(), dy.data(), got.data(), n);
    REQUIRE(same_bits(got, want));
  }
}

TEST_CASE("relu maps NaN and negative zero to +0", "[kernels][relu]") {
  const float x[] = {std::numeric_limits<float>::quiet_NaN(), -0.f, -1.f, 2.f};
  float y[4];
  kernels::relu_fwd(x, y, 4);
  REQUIRE(y[0] == 0.f);
  REQUIRE_FALSE(std::signbit(y[1]));
  REQUIRE(y[2] == 0.f);
  REQUIRE(y[3] == 2.f);
}
