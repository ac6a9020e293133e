// optim/sgd.hpp: stochastic gradient descent over a model's named parameters, with optional
// momentum (and Nesterov's look-ahead):
//   momentum 0:   w -= lr·g                 (exactly the assignment's update; no state touched)
//   momentum mu:  v = mu·v - lr·g;  w += v  (Nesterov: w += mu·v - lr·g)
// ParamCount sizes the velocity (the model's kParamCount); Sgd<T> (ParamCount 0) has none and
// takes momentum 0 only: a firmware trainer pays no RAM for state it never uses.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/kernels/optim_update.hpp"
#include "firmnet/layers/param.hpp"
#include "firmnet/optim/optimizer.hpp"

namespace firmnet {

template <class T>
struct SgdConfig {
  T learning_rate = T(0.1);
  T momentum = T(0);
  T lr_decay = T(1);  // per epoch
  bool nesterov = false;
};

template <class T, std::size_t ParamCount = 0>
struct Sgd {
  static constexpr std::string_view kName = "sgd";
  SgdConfig<T> config;
  [[no_unique_address]] Maybe<(ParamCount > 0), Matrix<T, 1, ParamCount>> velocity;  // params() order

  Sgd() = default;
  // Sgd<T> keeps no velocity: momentum is refused here, where the mistake is made, rather than
  // at the first step.
  explicit Sgd(SgdConfig<T> c) noexcept : config(c) {
    if constexpr (ParamCount == 0)
      FIRMNET_EXPECTS(c.momentum == T(0) && "Sgd<T> has no velocity: momentum needs Sgd<T, Net::kParamCount>");
  }

  template <std::size_t N>
  void update(const std::array<Param<T>, N>& params, T /*weight_decay: L2 goes through the loss*/) noexcept {
    const T lr = config.learning_rate;
    if (config.momentum == T(0)) {
      for (const Param<T>& p : params) kernels::axpy(-lr, p.grad, p.value, p.size());
      return;
    }
    if constexpr (ParamCount > 0) {
      T* v = velocity.data();
      std::size_t used = 0;
      for (const Param<T>& p : params) {
        FIRMNET_EXPECTS(used + p.size() <= ParamCount);
        kernels::sgd_momentum(p.value, p.grad, v + used, p.size(), lr, config.momentum, config.nesterov);
        used += p.size();
      }
    } else {
      FIRMNET_EXPECTS(!"Sgd<T> has no velocity: momentum needs Sgd<T, Net::kParamCount>");
    }
  }
  // The trainer's step when --reg is L2 and the network does not make the step in its backward
  // (optim/optimizer.hpp, plain_sgd_lr): each regularized gradient gets
  // reg·w (kernels::l2_grad_sumsq) and then the update. Without momentum both go in one pass over
  // each weight matrix (kernels::l2_sgd_sumsq), with the bits of the two passes. Returns Σ w² of
  // the regularized weights before the update, summed in params() order as apply_l2 sums it.
  template <std::size_t N>
  T update_l2(const std::array<Param<T>, N>& params, T reg) noexcept {
    if (config.momentum != T(0)) return l2_then_update(*this, params, reg);  // two passes
    T sum_sq = 0;
    const T lr = config.learning_rate;
    for (const Param<T>& p : params) {
      if (p.regularized) sum_sq += kernels::l2_sgd_sumsq(p.value, reg, p.grad, p.size(), lr);
      else kernels::axpy(-lr, p.grad, p.value, p.size());
    }
    return sum_sq;
  }
  // Momentum 0: the learning rate of a step w -= lr·g that needs no state, which a network can
  // make in its backward (Network::kFoldsSgd; the trainer asks). Otherwise none.
  std::optional<T> plain_sgd_lr() const noexcept {
    if (config.momentum != T(0)) return std::nullopt;
    return config.learning_rate;
  }
  void decay_learning_rate() noexcept { config.learning_rate *= config.lr_decay; }
  constexpr bool decoupled_weight_decay() const noexcept { return false; }
  constexpr std::string_view name() const noexcept { return kName; }

  template <class F>
  void visit_state(F&& f) {
    f("lr", config.learning_rate);
    if constexpr (ParamCount > 0) f("velocity", std::span<T>(velocity.data(), ParamCount));
  }
};

}  // namespace firmnet
