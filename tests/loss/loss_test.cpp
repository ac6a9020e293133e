// loss/: softmax cross-entropy, MSE and L2: values by hand and numeric gradient checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/mse.hpp"
#include "firmnet/loss/softmax_xent.hpp"
#include "support/gradcheck.hpp"

using namespace firmnet;

TEST_CASE("softmax cross-entropy of equal scores is log(C)", "[loss][softmax]") {
  std::vector<float> scores(3 * 10, 0.25f), d(3 * 10);
  const Label labels[3] = {0, 4, 9};
  const float loss = softmax_xent<float, 10>({scores.data(), 3}, labels, {d.data(), 3});
  REQUIRE(loss == Approx(std::log(10.0)).epsilon(1e-6));
  REQUIRE(d[0] == Approx((0.1 - 1.0) / 3).epsilon(1e-5));
  REQUIRE(d[1] == Approx(0.1 / 3).epsilon(1e-5));
}

TEST_CASE("softmax cross-entropy does not overflow on large scores", "[loss][softmax]") {
  std::vector<float> scores = {1000.f, 0.f, -1000.f}, d(3);
  const Label label = 1;
  const float loss = softmax_xent<float, 3>({scores.data(), 1}, &label, {d.data(), 1});
  REQUIRE(std::isfinite(loss));
  REQUIRE(loss == Approx(1000.f));
  REQUIRE(d[0] == Approx(1.f));
  REQUIRE(d[1] == Approx(-1.f));
}

TEST_CASE("softmax cross-entropy gradient matches numeric gradient", "[loss][softmax][gradcheck]") {
  test::RequireSmallError report;
  for (const std::size_t n : {1, 5, 16}) check::softmax_loss<7>(n, 60 + n, report);
  check::softmax_loss<10>(64, 66, report);
}

TEST_CASE("mse value and gradient", "[loss][mse][gradcheck]") {
  std::vector<double> p = {1, 2, 3, 4}, t = {0, 2, 5, 4}, d(4);
  // 0.5·(1 + 0 + 4 + 0)/2 rows = 1.25
  REQUIRE(mse<double, 2>({p.data(), 2}, {t.data(), 2}, {d.data(), 2}) == Approx(1.25));
  REQUIRE(d[0] == Approx(0.5));
  REQUIRE(d[2] == Approx(-1.0));
  test::RequireSmallError report;
  check::mse_loss<5>(1, 71, report);
  check::mse_loss<5>(7, 77, report);
}

TEST_CASE("l2 penalty value and gradient", "[loss][l2][gradcheck]") {
  std::vector<double> w = {1, -2, 3};
  REQUIRE(l2_penalty<double>(w, 0.1) == Approx(0.05 * 14));
  test::RequireSmallError report;
  check::l2_loss(37, 0.3, 90, report);
}

TEST_CASE("apply_l2 regularizes weights and leaves biases alone", "[loss][l2]") {
  std::vector<double> w = {1, 2}, dw = {0, 0}, b = {5}, db = {0};
  std::array<Param<double>, 2> params{{{"w", w.data(), dw.data(), 1, 2, true}, {"b", b.data(), db.data(), 1, 1, false}}};
  REQUIRE(apply_l2(params, 0.5) == Approx(0.25 * 5));
  REQUIRE(dw[0] == Approx(0.5));
  REQUIRE(dw[1] == Approx(1.0));
  REQUIRE(db[0] == 0.0);
}
