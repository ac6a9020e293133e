// kernels/elementwise_ref.hpp: the scalar references of kernels/elementwise.hpp. Do not optimise.
#pragma once

#include <cstddef>

namespace firmnet::kernels {

// dw += reg·w, returns Σ w² (the L2 gradient and penalty in one pass over w).
template <class T>
T l2_grad_sumsq_ref(const T* w, T reg, T* dw, std::size_t n) noexcept {
  T sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum += w[i] * w[i];
    dw[i] += reg * w[i];
  }
  return sum;
}

// Σ w², as the two passes above and below sum it.
template <class T>
T sumsq_ref(const T* w, std::size_t n) noexcept {
  T sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += w[i] * w[i];
  return sum;
}

// The L2 pass and plain SGD's update in one pass over w: l2_grad_sumsq_ref, then w += (-lr)·dw
// element by element, so w and dw get the bits of the two passes run one after the other.
// Returns Σ w² of the weights before the update.
template <class T>
T l2_sgd_sumsq_ref(T* w, T reg, T* dw, std::size_t n, T lr) noexcept {
  T sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum += w[i] * w[i];
    dw[i] += reg * w[i];
    w[i] += -lr * dw[i];
  }
  return sum;
}

// y += alpha·x
template <class T>
void axpy_ref(T alpha, const T* x, T* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}

}  // namespace firmnet::kernels
