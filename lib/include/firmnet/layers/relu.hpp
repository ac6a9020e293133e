// layers/relu.hpp: y = max(x, 0) as a layer of its own (the models fuse it into Fc instead;
// this one exists for models that put ReLU elsewhere, and to check the fused path against).
// Owns its output y and its grad dx, (MaxBatch, N) each. No heap, no exceptions.
#pragma once

#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/relu.hpp"

namespace firmnet {

template <class T, std::size_t N, std::size_t MaxBatch>
struct Relu {
  using Scalar = T;
  Matrix<T, MaxBatch, N> y;   // output of the last forward
  Matrix<T, MaxBatch, N> dx;  // dL/dx of the last backward
  std::size_t rows = 0;

  ConstView<T, N> forward(ConstView<T, N> in) noexcept {
    FIRMNET_EXPECTS(in.rows() <= MaxBatch);
    rows = in.rows();
    kernels::relu_fwd(in.data(), y.data(), rows * N);
    return y.view(rows);
  }

  ConstView<T, N> backward(ConstView<T, N> dout) noexcept {
    FIRMNET_EXPECTS(dout.rows() == rows);
    kernels::relu_bwd(y.data(), dout.data(), dx.data(), rows * N);
    return dx.view(rows);
  }
};

}  // namespace firmnet
