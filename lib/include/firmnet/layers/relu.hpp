// layers/relu.hpp: y = max(x, 0) as a layer of its own. Spec: Relu. Right after a layer that can
// fuse it (Fc, Conv2d) it costs nothing: the stack folds it into that layer's epilogue and the
// spec reads "fc:128+relu". Anywhere else (after pooling, first) it is this layer:
//   forward y = max(x, 0);  backward dx = dy·[y > 0]  (kernels/relu.hpp: NaN -> 0, exact)
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/relu.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class B>
struct ReluLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  using Out = In;
  static constexpr std::size_t kIn = In::kSize, kOut = kIn, kMaxBatch = B::kMaxBatch;
  static constexpr bool kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("relu");
  static constexpr std::size_t kParams = 0, kParamScalars = 0, kScratch = 0;
  static constexpr bool kInPlace = false;

  void forward(ConstView<T, kIn> x, View<T, kOut> y, Scratch<T>) const noexcept {
    FIRMNET_EXPECTS(y.rows() == x.rows());
    kernels::relu_fwd(x.data(), y.data(), x.rows() * kIn);
  }

  ConstView<T, kIn> backward(ConstView<T, kIn>, ConstView<T, kOut> y, View<T, kOut> dy, View<T, kIn> dx, Scratch<T>) noexcept
    requires kTraining
  {
    if constexpr (!kGradInput) return {};
    FIRMNET_EXPECTS(dx.rows() == y.rows() && dy.rows() == y.rows());
    kernels::relu_bwd(y.data(), dy.data(), dx.data(), y.rows() * kIn);
    return dx;
  }

  std::array<Param<T>, 0> params() noexcept { return {}; }
};

struct Relu {
  template <class InShape>
  using Out = InShape;
  template <class B>
  using Layer = ReluLayer<B>;
  static constexpr bool kFusesRelu = false;
};

}  // namespace firmnet
