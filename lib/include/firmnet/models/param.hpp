// models/param.hpp: a named parameter tensor of a model, with its gradient, as seen by the
// optimizer, the L2 penalty, checkpoints and gradient checks. Models return a fixed-size
// std::array of these from params(): iteration order is the checkpoint order.
#pragma once

#include <cstddef>
#include <span>

namespace firmnet {

template <class T>
struct Param {
  const char* name;   // "w1", "b1", ...: the names of the assignment
  T* value;           // (rows, cols) row-major
  T* grad;            // same shape; filled by the model's backward
  std::size_t rows;
  std::size_t cols;
  bool regularized;   // weight matrices get the L2 penalty, biases do not

  std::size_t size() const noexcept { return rows * cols; }
  std::span<T> values() const noexcept { return {value, size()}; }
  std::span<T> grads() const noexcept { return {grad, size()}; }
};

}  // namespace firmnet
