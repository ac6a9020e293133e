// optim/: SGD (plain, momentum, Nesterov), Adam and AdamW: each update against its formula, the
// SIMD update kernels against their references bit for bit on odd lengths, learning-rate decay,
// and the state every optimizer exposes for checkpoints.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "firmnet/kernels/optim_update.hpp"
#include "firmnet/optim/adam.hpp"
#include "firmnet/optim/optimizer.hpp"
#include "firmnet/optim/runtime_optimizer.hpp"
#include "firmnet/optim/sgd.hpp"
#include "support/random.hpp"

using namespace firmnet;

static_assert(Optimizer<Sgd<float>, float, 2>);
static_assert(Optimizer<Sgd<float, 10>, float, 2>);
static_assert(Optimizer<Adam<float, 10>, float, 2>);
static_assert(Optimizer<AdamW<double, 10>, double, 2>);
static_assert(Optimizer<RuntimeOptimizer<float, 10>, float, 2>);

TEST_CASE("sgd: plain, momentum and Nesterov updates", "[optim][sgd]") {
  std::vector<float> w = {1.f, 2.f}, dw = {0.5f, -1.f};
  std::array<Param<float>, 1> params{{{"w", w.data(), dw.data(), 1, 2, true}}};
  Sgd<float> sgd({0.1f, 0.f, 0.5f});
  sgd.update(params, 0.f);
  REQUIRE(w[0] == Approx(0.95f));
  REQUIRE(w[1] == Approx(2.1f));
  sgd.decay_learning_rate();
  REQUIRE(sgd.config.learning_rate == Approx(0.05f));
  STATIC_REQUIRE(sizeof(Sgd<float>) == sizeof(SgdConfig<float>));  // no velocity without a parameter count

  Sgd<float, 2> momentum({0.1f, 0.9f, 1.f});
  w = {1.f, 2.f};
  momentum.update(params, 0.f);  // v = -0.1·dw
  momentum.update(params, 0.f);  // v = 0.9·v - 0.1·dw
  REQUIRE(w[0] == Approx(1.f - 0.05f - (0.045f + 0.05f)));
  Sgd<float, 2> nesterov({0.1f, 0.9f, 1.f, true});
  w = {1.f, 2.f};
  nesterov.update(params, 0.f);  // v = -0.05; w += 0.9·v - 0.05
  REQUIRE(w[0] == Approx(1.f + 0.9f * -0.05f - 0.05f));
}

TEST_CASE("adam and adamw follow PyTorch's formulas", "[optim][adam]") {
  const std::vector<double> g0 = {0.5, -1.0, 2.0, 0.0};
  for (const bool decoupled : {false, true}) {
    CAPTURE(decoupled);
    std::vector<double> w = {1.0, -2.0, 0.5, 3.0}, g = g0;
    std::array<Param<double>, 2> params{{{"w", w.data(), g.data(), 1, 3, true}, {"b", w.data() + 3, g.data() + 3, 1, 1, false}}};
    AdamBase<double, 4, false> adam({0.01, 0.9, 0.999, 1e-8, 1.0});
    AdamBase<double, 4, true> adamw({0.01, 0.9, 0.999, 1e-8, 1.0});
    std::vector<double> want = w, m(4, 0.0), v(4, 0.0);
    for (int t = 1; t <= 3; ++t) {
      for (std::size_t i = 0; i < 4; ++i) {
        g[i] = g0[i] * t;
        if (decoupled && i < 3) want[i] *= 1.0 - 0.01 * 0.1;  // AdamW decays weights, not the bias
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        const double mhat = m[i] / (1 - std::pow(0.9, t)), vhat = v[i] / (1 - std::pow(0.999, t));
        want[i] -= 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
      }
      if (decoupled) adamw.update(params, 0.1);
      else adam.update(params, 0.1);  // plain Adam ignores it: the trainer adds L2 to the gradient
      for (std::size_t i = 0; i < 4; ++i) REQUIRE(w[i] == Approx(want[i]).epsilon(1e-12));
    }
    REQUIRE((decoupled ? adamw.step : adam.step) == 3);
  }
}

TEST_CASE("the update kernels equal their references bit for bit", "[optim][kernels]") {
  for (const std::size_t n : {1, 3, 7, 8, 9, 15, 16, 17, 63, 65, 1000}) {
    CAPTURE(n);
    const auto g = test::random_vector<float>(n, 1 + n);
    auto w1 = test::random_vector<float>(n, 2 + n), w2 = w1;
    auto m1 = test::random_vector<float>(n, 3 + n), m2 = m1;
    auto v1 = test::random_vector<float>(n, 4 + n);
    for (auto& x : v1) x = x * x;  // second moments are >= 0
    auto v2 = v1;
    kernels::adam(w1.data(), g.data(), m1.data(), v1.data(), n, 0.9f, 0.999f, 0.0123f, 0.317f, 1e-8f, 0.999f);
    kernels::adam_ref(w2.data(), g.data(), m2.data(), v2.data(), n, 0.9f, 0.999f, 0.0123f, 0.317f, 1e-8f, 0.999f);
    REQUIRE(std::memcmp(w1.data(), w2.data(), n * 4) == 0);
    REQUIRE(std::memcmp(m1.data(), m2.data(), n * 4) == 0);
    REQUIRE(std::memcmp(v1.data(), v2.data(), n * 4) == 0);
    for (const bool nesterov : {false, true}) {
      auto a = w1, b = w1, va = m1, vb = m1;
      kernels::sgd_momentum(a.data(), g.data(), va.data(), n, 0.05f, 0.9f, nesterov);
      kernels::sgd_momentum_ref(b.data(), g.data(), vb.data(), n, 0.05f, 0.9f, nesterov);
      REQUIRE(std::memcmp(a.data(), b.data(), n * 4) == 0);
      REQUIRE(std::memcmp(va.data(), vb.data(), n * 4) == 0);
    }
  }
}

TEST_CASE("every optimizer names its state for checkpoints", "[optim]") {
  auto names = [](auto& o) {
    std::string s;
    o.visit_state([&](const char* name, auto&& value) {
      if (!s.empty()) s += ',';  // appended piece by piece: GCC 12 warns falsely on string + string
      s += name;
      if constexpr (requires { value.size(); }) {
        s += '[';
        s += std::to_string(value.size());
        s += ']';
      }
    });
    return s;
  };
  static Sgd<float, 5> sgd;
  static Adam<float, 5> adam;
  REQUIRE(names(sgd) == "lr,velocity[5]");
  REQUIRE(names(adam) == "lr,step,adam_m[5],adam_v[5]");
  static RuntimeOptimizer<float, 5> runtime(AdamConfig<float>{}, true);
  REQUIRE(runtime.name() == "adamw");
  REQUIRE(runtime.decoupled_weight_decay());
  REQUIRE(names(runtime) == "lr,step,adam_m[5],adam_v[5]");
  static RuntimeOptimizer<float, 5> plain(SgdConfig<float>{0.1f, 0.f, 0.5f, false});
  plain.decay_learning_rate();
  float lr = 0;
  plain.visit_state([&](const char* name, auto&& value) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, float>)
      if (std::string(name) == "lr") lr = value;
  });
  REQUIRE(lr == 0.05f);
}
