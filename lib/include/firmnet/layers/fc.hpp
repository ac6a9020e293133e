// layers/fc.hpp: the fully connected layer. Spec: Fc<N> (N outputs); it takes any input shape,
// flattened (NHWC rows are already flat), so a dense layer after a convolution needs no Flatten.
//   forward:  y(B, N) = act(x(B, In)·w(In, N) + b(N))      act = ReLU when a Relu is fused in
//   backward: dz = dy masked by y > 0 (fused ReLU, in place), dw = xᵀ·dz, db = Σ_rows dz,
//             dx = dz·wᵀ (only where the stack needs it)
// w is (In, N) row-major, a row per input: the forward GEMM reads it with unit stride, and a
// PyTorch Linear weight (N, In) maps onto it transposed. The bias and ReLU are the GEMM's
// epilogue (kernels/gemm.hpp). Gradients are overwritten by each backward, not accumulated.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/relu.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class B, std::size_t N>
struct FcLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  using Out = Flat<N>;
  static constexpr std::size_t kIn = In::kSize, kOut = N, kMaxBatch = B::kMaxBatch;
  static constexpr bool kRelu = B::kFusedRelu, kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("fc:") + number<N>() + only_if<kRelu>(FixedString("+relu"));
  static constexpr std::size_t kParams = 2, kParamScalars = kIn * N + N;
  static constexpr bool kInPlace = false;
  static constexpr bool kPerInputWeights = true;  // each input value has weights of its own (see Network)
  // Backward can step w and b itself (Grads::sgd): w's step is folded into the store of dw's
  // product (kernels::gemm_tn_sgd), so w is read and written once and dw never stored.
  static constexpr bool kFoldsSgd = kTraining;
  // A large w is read by the forward in the two halves of rows the optimizer updates on two
  // threads (kernels::gemm_nn_bias_halves): the bits are the same for any thread count.
  static constexpr bool kHalves = kernels::gemm_halves_pay(kIn, N);
  static constexpr std::size_t kForwardScratch =
      kHalves ? kernels::gemm_nn_halves_scratch(kMaxBatch, N, kIn) : kernels::gemm_nn_scratch(kMaxBatch, N, kIn);
  static constexpr std::size_t kScratch = gemm_floats<T>(std::max({kForwardScratch,
                                                                     kTraining ? kernels::gemm_tn_scratch(kIn, N, kMaxBatch) : 0,
                                                                     kGradInput ? kernels::gemm_nt_scratch(kMaxBatch, kIn, N) : 0}));

  Matrix<T, kIn, N> w;  // (In, N)
  Matrix<T, 1, N> b;    // (N)
  [[no_unique_address]] Maybe<kTraining, Matrix<T, kIn, N>> dw;
  [[no_unique_address]] Maybe<kTraining, Matrix<T, 1, N>> db;

  void forward(ConstView<T, kIn> x, View<T, N> y, Scratch<T> s) const noexcept {
    FIRMNET_EXPECTS(x.rows() <= kMaxBatch && y.rows() == x.rows());
    if constexpr (kHalves) kernels::gemm_nn_bias_halves(x.rows(), N, kIn, x.data(), w.data(), b.data(), kRelu, y.data(), gemm_scratch(s));
    else if constexpr (kRelu) kernels::gemm_nn_bias_relu(x.rows(), N, kIn, x.data(), w.data(), b.data(), y.data(), gemm_scratch(s));
    else kernels::gemm_nn_bias(x.rows(), N, kIn, x.data(), w.data(), b.data(), y.data(), gemm_scratch(s));
  }

  ConstView<T, kIn> backward(ConstView<T, kIn> x, ConstView<T, N> y, View<T, N> dy, View<T, kIn> dx, Scratch<T> s,
                             Grads<T> g = {}) noexcept
    requires kTraining
  {
    const std::size_t rows = x.rows();
    FIRMNET_EXPECTS(y.rows() == rows && dy.rows() == rows);
    if constexpr (kRelu) kernels::relu_bwd(y.data(), dy.data(), dy.data(), rows * N);  // dz, in place
    if (g.sgd) {  // dx first: it reads w before the step
      FIRMNET_EXPECTS(g.w == nullptr && g.b == nullptr);  // a stack in halves never folds (Network)
      if constexpr (kGradInput) {
        FIRMNET_EXPECTS(dx.rows() == rows);
        kernels::gemm_nt(rows, kIn, N, dy.data(), w.data(), dx.data(), false, gemm_scratch(s));  // dx = dz·wᵀ
      }
      kernels::gemm_tn_sgd(kIn, N, rows, x.data(), dy.data(), w.data(), dw.data(), g.sgd->lr, g.sgd->reg, gemm_scratch(s));
      kernels::col_sum(rows, N, dy.data(), db.data());
      kernels::axpy(-g.sgd->lr, db.data(), b.data(), N);  // the bias: no L2
      if constexpr (kGradInput) return dx;
      else return {};
    }
    kernels::gemm_tn(kIn, N, rows, x.data(), dy.data(), g.w ? g.w : dw.data(), false, gemm_scratch(s));  // dw = xᵀ·dz
    kernels::col_sum(rows, N, dy.data(), g.b ? g.b : db.data());  // db = Σ_rows dz
    if constexpr (!kGradInput) return {};
    FIRMNET_EXPECTS(dx.rows() == rows);
    kernels::gemm_nt(rows, kIn, N, dy.data(), w.data(), dx.data(), false, gemm_scratch(s));  // dx = dz·wᵀ
    return dx;
  }

  std::array<Param<T>, 2> params() noexcept {
    T* dw_data = nullptr;
    T* db_data = nullptr;
    if constexpr (kTraining) dw_data = dw.data(), db_data = db.data();
    return {{{"w", w.data(), dw_data, kIn, N, true}, {"b", b.data(), db_data, 1, N, false}}};
  }
};

template <std::size_t N>
struct Fc {
  static_assert(N > 0, "Fc<N>: a layer needs at least one output");
  template <class InShape>
  using Out = Flat<N>;
  template <class B>
  using Layer = FcLayer<B, N>;
  static constexpr bool kFusesRelu = true;
};

}  // namespace firmnet
