// loss/mse.hpp: mean squared error, L = 0.5 Σ (p - t)² / N over all N rows, dL/dp = (p - t) / N.
// pred, target, dpred: (N, C). Returns L. No heap.
#pragma once

#include <cstddef>

#include "firmnet/core/tensor.hpp"

namespace firmnet {

template <class T, std::size_t C>
T mse(ConstView<T, C> pred, ConstView<T, C> target, View<T, C> dpred) noexcept {
  const std::size_t n = pred.rows();
  FIRMNET_EXPECTS(n > 0 && target.rows() == n && dpred.rows() == n);
  const T inv_n = T(1) / static_cast<T>(n);
  T sum = 0;
  for (std::size_t i = 0; i < n * C; ++i) {
    const T diff = pred.data()[i] - target.data()[i];
    sum += diff * diff;
    dpred.data()[i] = diff * inv_n;
  }
  return T(0.5) * sum * inv_n;
}

}  // namespace firmnet
