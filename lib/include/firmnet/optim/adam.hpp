// optim/adam.hpp: Adam (Kingma & Ba) with PyTorch's arithmetic and defaults (beta1 0.9, beta2
// 0.999, eps 1e-8), and AdamW (Loshchilov & Hutter): the same with weight decay decoupled from
// the gradient, w *= 1 - lr·weight_decay before each step (weights only, not biases).
//   t += 1;  m = b1·m + (1 - b1)·g;  v = b2·v + (1 - b2)·g²
//   w -= lr / (1 - b1^t) · m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// With Adam the trainer's --reg is L2 in the loss (the gradient gets reg·w, as PyTorch's Adam
// weight_decay does); with AdamW it is the decoupled decay. m and v are sized at compile time by
// the model's parameter count; t and lr are state too, so a resumed run continues exactly.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/optim_update.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class T>
struct AdamConfig {
  T learning_rate = T(1e-3);
  T beta1 = T(0.9);
  T beta2 = T(0.999);
  T eps = T(1e-8);
  T lr_decay = T(1);  // per epoch
};

template <class T, std::size_t ParamCount, bool Decoupled>
struct AdamBase {
  static_assert(ParamCount > 0);
  static constexpr std::string_view kName = Decoupled ? "adamw" : "adam";
  AdamConfig<T> config;
  std::uint64_t step = 0;
  Matrix<T, 1, ParamCount> m, v;  // first and second moments, params() order

  AdamBase() = default;
  explicit AdamBase(AdamConfig<T> c) noexcept : config(c) {}

  template <std::size_t N>
  void update(const std::array<Param<T>, N>& params, T weight_decay) noexcept {
    ++step;
    // Bias corrections in double: 0.999^t needs the precision for small t and large.
    const double t = static_cast<double>(step);
    const T lr = config.learning_rate;
    const T step_size = static_cast<T>(double(lr) / (1.0 - std::pow(double(config.beta1), t)));
    const T sqrt_bc2 = static_cast<T>(std::sqrt(1.0 - std::pow(double(config.beta2), t)));
    std::size_t used = 0;
    for (const Param<T>& p : params) {
      FIRMNET_EXPECTS(used + p.size() <= ParamCount);
      const T decay = Decoupled && p.regularized ? T(1) - lr * weight_decay : T(1);
      kernels::adam(p.value, p.grad, m.data() + used, v.data() + used, p.size(), config.beta1, config.beta2, step_size,
                    sqrt_bc2, config.eps, decay);
      used += p.size();
    }
  }
  void decay_learning_rate() noexcept { config.learning_rate *= config.lr_decay; }
  constexpr bool decoupled_weight_decay() const noexcept { return Decoupled; }
  constexpr std::string_view name() const noexcept { return kName; }

  template <class F>
  void visit_state(F&& f) {
    f("lr", config.learning_rate);
    f("step", step);
    f("adam_m", std::span<T>(m.data(), ParamCount));
    f("adam_v", std::span<T>(v.data(), ParamCount));
  }
};

template <class T, std::size_t ParamCount>
using Adam = AdamBase<T, ParamCount, false>;
template <class T, std::size_t ParamCount>
using AdamW = AdamBase<T, ParamCount, true>;

}  // namespace firmnet
