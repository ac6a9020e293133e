// train/sgd.hpp: stochastic gradient descent, w -= lr·dw, over a model's named parameters.
// SgdMomentum keeps a velocity per parameter scalar (v = μ·v - lr·dw; w += v) in storage sized at
// compile time; with μ = 0 it performs exactly the plain update and never touches the velocity.
// decay_learning_rate() is called once per epoch (lr *= decay), as the assignment's solver does.
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/models/param.hpp"

namespace firmnet {

template <class T>
struct SgdConfig {
  T learning_rate = T(0.1);
  T momentum = T(0);
  T lr_decay = T(1);  // per epoch
};

template <class T>
struct Sgd {
  SgdConfig<T> config;

  template <std::size_t N>
  void update(const std::array<Param<T>, N>& params) noexcept {
    for (const Param<T>& p : params) kernels::axpy(-config.learning_rate, p.grad, p.value, p.size());
  }
  void decay_learning_rate() noexcept { config.learning_rate *= config.lr_decay; }
};

// ParamCount: total scalars of the model (Model::kParamCount).
template <class T, std::size_t ParamCount>
struct SgdMomentum {
  SgdConfig<T> config;
  Matrix<T, 1, ParamCount> velocity;  // params() order, concatenated

  template <std::size_t N>
  void update(const std::array<Param<T>, N>& params) noexcept {
    const T lr = config.learning_rate;
    if (config.momentum == T(0)) {
      for (const Param<T>& p : params) kernels::axpy(-lr, p.grad, p.value, p.size());
      return;
    }
    const T mu = config.momentum;
    T* v = velocity.data();
    std::size_t used = 0;
    for (const Param<T>& p : params) {
      FIRMNET_EXPECTS(used + p.size() <= ParamCount);
      for (std::size_t i = 0; i < p.size(); ++i) {
        v[i] = mu * v[i] - lr * p.grad[i];
        p.value[i] += v[i];
      }
      v += p.size();
      used += p.size();
    }
  }
  void decay_learning_rate() noexcept { config.learning_rate *= config.lr_decay; }
};

}  // namespace firmnet
