// layers/param.hpp: a named parameter tensor of a layer, with its gradient, as seen by the
// optimizer, the L2 penalty, checkpoints, importers and gradient checks. Layers return a
// fixed-size std::array of these from params(); a network concatenates them in layer order,
// which is the checkpoint order, and names them w1, b1, w2, ... by parameterized layer.
#pragma once

#include <cstddef>
#include <span>

namespace firmnet {

template <class T>
struct Param {
  const char* name;   // "w1", "b1", ... in a network ("w", "b" from a lone layer)
  T* value;           // (rows, cols) row-major; rows is the fan-in of a weight matrix
  T* grad;            // same shape, filled by backward; null in an inference-only network
  std::size_t rows;
  std::size_t cols;
  bool regularized;   // weight matrices get the L2 penalty, biases do not

  std::size_t size() const noexcept { return rows * cols; }
  std::span<T> values() const noexcept { return {value, size()}; }
  std::span<T> grads() const noexcept { return {grad, size()}; }
};

}  // namespace firmnet
