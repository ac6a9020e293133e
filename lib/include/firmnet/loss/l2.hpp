// loss/l2.hpp: L2 regularisation of weight matrices, penalty reg/2·Σw², gradient reg·w.
// Applied to the parameters a model marks `regularized` (weights, not biases).
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class T>
T l2_penalty(std::span<const T> w, T reg) noexcept {
  T sum = 0;
  for (const T v : w) sum += v * v;
  return T(0.5) * reg * sum;
}

// dw += reg·w, in place on the gradient the backward pass just wrote.
template <class T>
void l2_grad_add(std::span<const T> w, T reg, std::span<T> dw) noexcept {
  FIRMNET_EXPECTS(w.size() == dw.size());
  for (std::size_t i = 0; i < w.size(); ++i) dw[i] += reg * w[i];
}

// Over a model's parameters: adds reg·w to every regularized gradient, one pass over each weight
// matrix (kernels::l2_grad_sumsq); l2_grad_sum returns Σw² (summed in params() order), apply_l2
// the penalty reg/2·Σw².
template <class T, std::size_t N>
T l2_grad_sum(const std::array<Param<T>, N>& params, T reg) noexcept {
  T sum_sq = 0;
  for (const Param<T>& p : params)
    if (p.regularized) sum_sq += kernels::l2_grad_sumsq(p.value, reg, p.grad, p.size());
  return sum_sq;
}

template <class T, std::size_t N>
T apply_l2(const std::array<Param<T>, N>& params, T reg) noexcept {
  if (reg == T(0)) return T(0);
  return T(0.5) * reg * l2_grad_sum(params, reg);
}

}  // namespace firmnet
