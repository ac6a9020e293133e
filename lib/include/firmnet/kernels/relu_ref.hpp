// kernels/relu_ref.hpp: y = max(x, 0) and its gradient; the oracle of kernels/relu.hpp.
// Backward takes the forward *output* y: y > 0 exactly where x > 0, so the layer need not keep x.
// A NaN input gives 0 (the comparison is false); the SIMD versions must do the same bit for bit.
#pragma once

#include <cstddef>

namespace firmnet::kernels {

template <class T>
void relu_fwd_ref(const T* x, T* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

// dx = dy where y > 0, else 0.
template <class T>
void relu_bwd_ref(const T* y, const T* dy, T* dx, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
}

}  // namespace firmnet::kernels
