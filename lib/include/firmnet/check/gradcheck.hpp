// check/gradcheck.hpp: numeric gradient checks of firmnet's layers, losses and networks, shared by
// the tests (which assert) and examples/gradcheck (which prints). Each check builds a scalar
// function of the tensors, compares the analytic gradient with centred differences
// (f(x+h) - f(x-h)) / 2h in double precision, and reports (name, relative error) per tensor:
//   rel_error = max_i |a_i - n_i| / max(1e-8, max_i max(|a_i|, |n_i|)),
// the worst element error relative to the tensor's scale. The assignment divides each element
// by its own |a_i| + |n_i| instead, but a centred difference carries ~1e-11 of absolute rounding
// noise (eps·|L| / 2h), so any element below ~1e-4 would fail 1e-7 however right the code is.
// Scaled by the tensor, a wrong element still shows once its error exceeds 1e-7 of the largest
// gradient component. Hosted code (uses the heap for the layers under test).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet::check {

inline constexpr double kStep = 1e-5;
inline constexpr double kTolerance = 1e-7;

// out[i] = d f / d x[i] by centred differences; x is restored exactly after each probe.
template <class F>
void numeric_gradient(F&& f, double* x, std::size_t n, double* out, double h = kStep) {
  for (std::size_t i = 0; i < n; ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double plus = f();
    x[i] = saved - h;
    const double minus = f();
    x[i] = saved;
    out[i] = (plus - minus) / (2 * h);
  }
}

inline double rel_error(const double* analytic, const double* numeric, std::size_t n) {
  double worst = 0, scale = 1e-8;
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::fmax(worst, std::fabs(analytic[i] - numeric[i]));
    scale = std::fmax(scale, std::fmax(std::fabs(analytic[i]), std::fabs(numeric[i])));
  }
  return worst / scale;
}

// Compares a copy of the analytic gradient with the numeric one and reports the error.
template <class F, class Report>
void compare(const char* name, F&& f, double* x, const double* analytic, std::size_t n, Report&& report) {
  const std::vector<double> a(analytic, analytic + n);
  std::vector<double> numeric(n);
  numeric_gradient(f, x, n, numeric.data());
  report(name, rel_error(a.data(), numeric.data(), n));
}

// The same on `samples` entries of a large tensor, drawn with rng; the scale also counts the
// largest analytic entry of the whole tensor, so sampled near-zero entries do not inflate it.
template <class F, class Report>
void compare_sampled(const char* name, F&& f, double* x, const double* analytic, std::size_t n, std::size_t samples,
                     Rng& rng, Report&& report) {
  double worst = 0, scale = 1e-8;
  for (std::size_t i = 0; i < n; ++i) scale = std::fmax(scale, std::fabs(analytic[i]));
  for (std::size_t s = 0; s < samples; ++s) {
    const std::size_t i = static_cast<std::size_t>(rng.below(n));
    double numeric = 0;
    numeric_gradient(f, x + i, 1, &numeric);
    worst = std::fmax(worst, std::fabs(analytic[i] - numeric));
    scale = std::fmax(scale, std::fabs(numeric));
  }
  report(name, worst / scale);
}

namespace detail {
inline void fill_normal(double* data, std::size_t n, Rng& rng, double scale = 1.0) {
  for (std::size_t i = 0; i < n; ++i) data[i] = scale * rng.normal();
}
}  // namespace detail

// A bound layer L (Scalar double, Train mode) on L = Σ y ⊙ g with g random: the gradient of every
// parameter and, where the layer computes it, of the input. Parameters and x are drawn N(0, 0.5²)
// and N(0, 1); a fused ReLU's kink is hit with probability 0 at these draws.
template <class L>
void layer(std::size_t batch, std::uint64_t seed, auto&& report) {
  static_assert(std::is_same_v<typename L::T, double> && L::kTraining);
  constexpr std::size_t In = L::kIn, Out = L::kOut;
  auto l = std::make_unique<L>();
  Rng rng(seed);
  for (const auto& p : l->params()) detail::fill_normal(p.value, p.size(), rng, 0.5);
  std::vector<double> x(batch * In), y(batch * Out), g(batch * Out), dy(batch * Out), dx(batch * In), scratch(L::kScratch);
  detail::fill_normal(x.data(), x.size(), rng);
  detail::fill_normal(g.data(), g.size(), rng);
  auto loss = [&] {
    l->forward(ConstView<double, In>(x.data(), batch), View<double, Out>(y.data(), batch), scratch);
    double sum = 0;
    for (std::size_t i = 0; i < batch * Out; ++i) sum += y[i] * g[i];
    return sum;
  };
  loss();
  dy = g;  // backward may overwrite dy (a fused ReLU masks it in place)
  l->backward(ConstView<double, In>(x.data(), batch), ConstView<double, Out>(y.data(), batch),
              View<double, Out>(dy.data(), batch), View<double, In>(dx.data(), batch), scratch);
  if constexpr (L::kGradInput) compare("grad_x", loss, x.data(), dx.data(), batch * In, report);
  for (const auto& p : l->params()) compare(p.name, loss, p.value, p.grad, p.size(), report);
}

template <std::size_t C>
void softmax_loss(std::size_t n, std::uint64_t seed, auto&& report) {
  Rng rng(seed);
  std::vector<double> scores(n * C), d(n * C), scratch(n * C);
  detail::fill_normal(scores.data(), scores.size(), rng, 2.0);
  std::vector<Label> labels(n);
  for (auto& y : labels) y = static_cast<Label>(rng.below(C));
  auto loss = [&] { return softmax_xent<double, C>({scores.data(), n}, labels.data(), {scratch.data(), n}); };
  softmax_xent<double, C>({scores.data(), n}, labels.data(), {d.data(), n});
  compare("grad_scores", loss, scores.data(), d.data(), d.size(), report);
}

template <std::size_t C>
void mse_loss(std::size_t n, std::uint64_t seed, auto&& report) {
  Rng rng(seed);
  std::vector<double> pred(n * C), target(n * C), d(n * C), scratch(n * C);
  detail::fill_normal(pred.data(), pred.size(), rng);
  detail::fill_normal(target.data(), target.size(), rng);
  auto loss = [&] { return mse<double, C>({pred.data(), n}, {target.data(), n}, {scratch.data(), n}); };
  mse<double, C>({pred.data(), n}, {target.data(), n}, {d.data(), n});
  compare("grad_pred", loss, pred.data(), d.data(), d.size(), report);
}

inline void l2_loss(std::size_t n, double reg, std::uint64_t seed, auto&& report) {
  Rng rng(seed);
  std::vector<double> w(n), dw(n, 0.0);
  detail::fill_normal(w.data(), n, rng);
  l2_grad_add<double>(w, reg, dw);
  auto loss = [&] { return l2_penalty<double>(w, reg); };
  compare("grad_w", loss, w.data(), dw.data(), n, report);
}

// A whole network on a loss (softmax cross-entropy by default) + L2(reg): every named parameter.
// samples > 0 checks that many entries of each tensor instead of all (networks of real size).
template <Classifier M, class Loss = SoftmaxCrossEntropy>
void model(std::size_t batch, double reg, std::uint64_t seed, auto&& report, Loss loss_fn = Loss{},
           std::size_t samples = 0) {
  static_assert(std::is_same_v<typename M::Scalar, double>);
  constexpr std::size_t In = M::kInputs, C = M::kClasses;
  auto m = std::make_unique<M>();
  Rng rng(seed);
  m->init(rng, InitRule::gaussian(0.3));
  for (const auto& p : m->params())  // non-zero biases exercise more of the graph
    if (!p.regularized) detail::fill_normal(p.value, p.size(), rng, 0.1);
  std::vector<double> x(batch * In), dscores(batch * C);
  detail::fill_normal(x.data(), x.size(), rng);
  std::vector<Label> y(batch);
  for (auto& label : y) label = static_cast<Label>(rng.below(C));
  auto loss = [&] {
    const auto scores = m->forward(ConstView<double, In>(x.data(), batch));
    double l = loss_fn.template compute<double, C>(scores, y.data(), {dscores.data(), batch});
    for (const auto& p : m->params())
      if (p.regularized) l += l2_penalty<double>({p.value, p.size()}, reg);
    return l;
  };
  loss();
  m->backward(View<double, C>(dscores.data(), batch));
  apply_l2(m->params(), reg);
  for (const auto& p : m->params()) {
    if (samples == 0) {
      compare(p.name, loss, p.value, p.grad, p.size(), report);
    } else {
      const std::vector<double> analytic(p.grad, p.grad + p.size());  // the probes' forwards leave grads alone
      compare_sampled(p.name, loss, p.value, analytic.data(), p.size(), samples, rng, report);
    }
  }
}

}  // namespace firmnet::check
