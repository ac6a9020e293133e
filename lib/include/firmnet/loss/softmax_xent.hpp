// loss/softmax_xent.hpp: softmax cross-entropy, L = -1/N Σ_i log softmax(s_i)[y_i], and
// dL/ds = (softmax(s) - onehot(y)) / N. Max-shifted so large scores cannot overflow exp.
// scores, dscores: (N, C); labels: N values < C (checked). Returns L. No heap.
#pragma once

#include <cmath>
#include <cstddef>

#include "firmnet/core/label.hpp"
#include "firmnet/core/tensor.hpp"

namespace firmnet {

template <class T, std::size_t C>
T softmax_xent(ConstView<T, C> scores, const Label* labels, View<T, C> dscores) noexcept {
  const std::size_t n = scores.rows();
  FIRMNET_EXPECTS(n > 0 && dscores.rows() == n);
  const T inv_n = T(1) / static_cast<T>(n);
  T loss = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const T* s = scores.row(r);
    T* d = dscores.row(r);
    FIRMNET_EXPECTS(labels[r] < C);
    T max = s[0];
    for (std::size_t c = 1; c < C; ++c) max = s[c] > max ? s[c] : max;
    T sum = 0;
    for (std::size_t c = 0; c < C; ++c) {
      d[c] = std::exp(s[c] - max);
      sum += d[c];
    }
    // log softmax(s)[y] = (s[y] - max) - log(sum)
    loss -= (s[labels[r]] - max) - std::log(sum);
    const T inv_sum = T(1) / sum;
    for (std::size_t c = 0; c < C; ++c) d[c] *= inv_sum * inv_n;
    d[labels[r]] -= inv_n;
  }
  return loss * inv_n;
}

}  // namespace firmnet
