// layers/fc.hpp: fully connected layer, y(B,Out) = act(x(B,In)·w(In,Out) + b(Out)).
// Owns its parameters (w, b), their gradients (dw, db), its output y and, when asked for,
// grad_x. The backward cache is a view of the forward input: the caller keeps that input alive
// and unchanged until backward (the model's own buffers do). Act = relu fuses the ReLU into the
// GEMM epilogue; backward then masks dout with y > 0 first. GradInput = false (a first layer)
// drops dx and its GEMM. B is chosen per call, B <= MaxBatch. The GEMMs pack into the layer's own
// scratch, sized at compile time for its shapes (none for batch-1 inference). No heap, no exceptions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/relu.hpp"

namespace firmnet {

enum class Activation { none, relu };

template <class T, std::size_t In, std::size_t Out, std::size_t MaxBatch,
          Activation Act = Activation::none, bool GradInput = true>
struct Fc {
  using Scalar = T;
  static constexpr std::size_t kIn = In, kOut = Out, kMaxBatch = MaxBatch;
  static constexpr Activation kActivation = Act;
  static constexpr bool kGradInput = GradInput;

  Matrix<T, In, Out> w;   // (In, Out): a row per input, so forward is x·w with unit stride
  Matrix<T, 1, Out> b;    // (Out)
  Matrix<T, In, Out> dw;  // dL/dw of the last backward (overwritten, not accumulated)
  Matrix<T, 1, Out> db;
  Matrix<T, MaxBatch, Out> y;  // output of the last forward, after the activation
  [[no_unique_address]] Maybe<Act == Activation::relu, Matrix<T, MaxBatch, Out>> dz;  // dL/d(pre-activation)
  [[no_unique_address]] Maybe<GradInput, Matrix<T, MaxBatch, In>> dx;               // dL/dx
  ConstView<T, In> x;  // cache: the last forward input

  // Pack buffers of the float GEMMs (kernels/blocking.hpp's bound for the largest batch).
  static constexpr std::size_t kScratch =
      !std::is_same_v<T, float> ? 0
                                : std::max({kernels::gemm_nn_scratch(MaxBatch, Out, In), kernels::gemm_tn_scratch(In, Out, MaxBatch),
                                            GradInput ? kernels::gemm_nt_scratch(MaxBatch, In, Out) : 0});
  [[no_unique_address]] Maybe<(kScratch > 0), Matrix<float, 1, kScratch>> scratch;
  kernels::Scratch scratch_span() noexcept {
    if constexpr (kScratch > 0) return {scratch.data(), kScratch};
    else return {};
  }

  ConstView<T, Out> forward(ConstView<T, In> in) noexcept {
    FIRMNET_EXPECTS(in.rows() <= MaxBatch);
    x = in;
    const std::size_t batch = in.rows();
    if constexpr (Act == Activation::relu)
      kernels::gemm_nn_bias_relu(batch, Out, In, in.data(), w.data(), b.data(), y.data(), scratch_span());
    else
      kernels::gemm_nn_bias(batch, Out, In, in.data(), w.data(), b.data(), y.data(), scratch_span());
    return y.view(batch);
  }

  // dout: dL/dy for the rows of the last forward.
  void backward(ConstView<T, Out> dout) noexcept {
    const std::size_t batch = x.rows();
    FIRMNET_EXPECTS(dout.rows() == batch);
    const T* grad = dout.data();
    if constexpr (Act == Activation::relu) {
      kernels::relu_bwd(y.data(), dout.data(), dz.data(), batch * Out);
      grad = dz.data();
    }
    kernels::gemm_tn(In, Out, batch, x.data(), grad, dw.data(), false, scratch_span());  // dw = xᵀ·dz
    kernels::col_sum(batch, Out, grad, db.data());                                      // db = Σ_rows dz
    if constexpr (GradInput)
      kernels::gemm_nt(batch, In, Out, grad, w.data(), dx.data(), false, scratch_span());  // dx = dz·wᵀ
  }

  ConstView<T, In> grad_input() const noexcept
    requires GradInput
  {
    return dx.view(x.rows());
  }
};

}  // namespace firmnet
