// kernels/optim_update_ref.hpp: the optimizers' per-parameter updates, scalar references of
// kernels/optim_update.hpp (which must equal them bit for bit: no fused operations on either
// side). Do not optimise.
#pragma once

#include <cmath>
#include <cstddef>

namespace firmnet::kernels {

// SGD with momentum mu: v = mu·v - lr·g; then w += v, or with Nesterov w += mu·v - lr·g.
template <class T>
void sgd_momentum_ref(T* w, const T* g, T* v, std::size_t n, T lr, T mu, bool nesterov) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = mu * v[i] - lr * g[i];
    w[i] += nesterov ? mu * v[i] - lr * g[i] : v[i];
  }
}

// Adam (PyTorch's arithmetic): m = b1·m + (1 - b1)·g; v = b2·v + (1 - b2)·g²;
// w = w·decay - step·m / (sqrt(v) / sqrt_bc2 + eps), step = lr / (1 - b1^t), sqrt_bc2 = sqrt(1 - b2^t),
// decay = 1 - lr·weight_decay for AdamW's decoupled decay (1: none).
template <class T>
void adam_ref(T* w, const T* g, T* m, T* v, std::size_t n, T b1, T b2, T step, T sqrt_bc2, T eps, T decay) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + (T(1) - b1) * g[i];
    v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
    w[i] = w[i] * decay - step * m[i] / (std::sqrt(v[i]) / sqrt_bc2 + eps);
  }
}

}  // namespace firmnet::kernels
