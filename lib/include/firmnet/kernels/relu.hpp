// kernels/relu.hpp: y = max(x, 0) and dx = dy·[y > 0]; same contract as relu_ref.hpp,
// which it must match bit for bit (NaN maps to 0). In place (y == x, dx == dy) is allowed.
#pragma once

#include <cstddef>

namespace firmnet::kernels {

template <class T>
void relu_fwd(const T* x, T* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
void relu_bwd(const T* y, const T* dy, T* dx, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
}

}  // namespace firmnet::kernels
