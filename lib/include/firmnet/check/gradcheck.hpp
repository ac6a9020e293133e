// check/gradcheck.hpp: numeric gradient checks of firmnet's layers, losses and models, shared by
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
#include "firmnet/layers/relu.hpp"
#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/mse.hpp"
#include "firmnet/loss/softmax_xent.hpp"
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

namespace detail {
inline void fill_normal(double* data, std::size_t n, Rng& rng, double scale = 1.0) {
  for (std::size_t i = 0; i < n; ++i) data[i] = scale * rng.normal();
}
}  // namespace detail

// A fully connected layer (any activation, with or without grad_x) on L = Σ y ⊙ g, g random.
template <class Layer>
void fc(std::size_t batch, std::uint64_t seed, auto&& report) {
  static_assert(std::is_same_v<typename Layer::Scalar, double>);
  constexpr std::size_t In = Layer::kIn, Out = Layer::kOut;
  auto layer = std::make_unique<Layer>();
  Rng rng(seed);
  detail::fill_normal(layer->w.data(), In * Out, rng, 0.5);
  detail::fill_normal(layer->b.data(), Out, rng, 0.5);
  std::vector<double> x(batch * In), g(batch * Out);
  detail::fill_normal(x.data(), x.size(), rng);
  detail::fill_normal(g.data(), g.size(), rng);
  auto loss = [&] {
    const auto y = layer->forward(ConstView<double, In>(x.data(), batch));
    double sum = 0;
    for (std::size_t i = 0; i < batch * Out; ++i) sum += y.data()[i] * g[i];
    return sum;
  };
  loss();
  layer->backward(ConstView<double, Out>(g.data(), batch));
  if constexpr (Layer::kGradInput) compare("grad_x", loss, x.data(), layer->dx.data(), batch * In, report);
  compare("grad_w", loss, layer->w.data(), layer->dw.data(), In * Out, report);
  compare("grad_b", loss, layer->b.data(), layer->db.data(), Out, report);
}

template <std::size_t N, std::size_t MaxBatch>
void relu(std::size_t batch, std::uint64_t seed, auto&& report) {
  auto layer = std::make_unique<Relu<double, N, MaxBatch>>();
  Rng rng(seed);
  std::vector<double> x(batch * N), g(batch * N);
  detail::fill_normal(x.data(), x.size(), rng);
  detail::fill_normal(g.data(), g.size(), rng);
  auto loss = [&] {
    const auto y = layer->forward(ConstView<double, N>(x.data(), batch));
    double sum = 0;
    for (std::size_t i = 0; i < batch * N; ++i) sum += y.data()[i] * g[i];
    return sum;
  };
  loss();
  const auto dx = layer->backward(ConstView<double, N>(g.data(), batch));
  compare("grad_x", loss, x.data(), dx.data(), batch * N, report);
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

// A whole classifier on softmax cross-entropy + L2(reg): every named parameter.
template <Classifier M>
void model(std::size_t batch, double reg, std::uint64_t seed, auto&& report) {
  static_assert(std::is_same_v<typename M::Scalar, double>);
  constexpr std::size_t In = M::kInputs, C = M::kClasses;
  auto m = std::make_unique<M>();
  Rng rng(seed);
  m->init(rng, 0.3);
  for (const auto& p : m->params())  // non-zero biases exercise more of the graph
    if (!p.regularized) detail::fill_normal(p.value, p.size(), rng, 0.1);
  std::vector<double> x(batch * In), dscores(batch * C);
  detail::fill_normal(x.data(), x.size(), rng);
  std::vector<Label> y(batch);
  for (auto& label : y) label = static_cast<Label>(rng.below(C));
  auto loss = [&] {
    const auto scores = m->forward(ConstView<double, In>(x.data(), batch));
    double l = softmax_xent<double, C>(scores, y.data(), {dscores.data(), batch});
    for (const auto& p : m->params())
      if (p.regularized) l += l2_penalty<double>({p.value, p.size()}, reg);
    return l;
  };
  loss();
  m->backward(ConstView<double, C>(dscores.data(), batch));
  apply_l2(m->params(), reg);
  for (const auto& p : m->params()) compare(p.name, loss, p.value, p.grad, p.size(), report);
}

}  // namespace firmnet::check
