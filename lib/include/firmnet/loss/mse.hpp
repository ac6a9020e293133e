// loss/mse.hpp: mean squared error, L = 0.5 Σ (p - t)² / N over all N rows, dL/dp = (p - t) / N.
// pred, target, dpred: (N, C). Returns L. mse_one_hot: the same with t the one-hot encoding of
// class labels (t_c = 1 for c == label, else 0), so a classifier trains on it without a target
// matrix. No heap.
#pragma once

#include <cstddef>

#include "firmnet/core/label.hpp"
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

template <class T, std::size_t C>
T mse_one_hot(ConstView<T, C> pred, const Label* labels, View<T, C> dpred) noexcept {
  const std::size_t n = pred.rows();
  FIRMNET_EXPECTS(n > 0 && dpred.rows() == n);
  const T inv_n = T(1) / static_cast<T>(n);
  T sum = 0;
  for (std::size_t r = 0; r < n; ++r) {
    FIRMNET_EXPECTS(labels[r] < C);
    for (std::size_t c = 0; c < C; ++c) {
      const T diff = pred(r, c) - (c == labels[r] ? T(1) : T(0));
      sum += diff * diff;
      dpred(r, c) = diff * inv_n;
    }
  }
  return T(0.5) * sum * inv_n;
}

}  // namespace firmnet
