// layers/maxpool2d.hpp: max pooling over NHWC images, no padding. Spec: MaxPool<K> (a K x K window
// moved by K) or MaxPool<K, S>; token maxpool:K, or maxpool:K:sS when S != K.
//   forward:  y(B, OH, OW, C) = max of each window, per channel
//   backward: each output's gradient goes to the first maximum of its window (row-major), found
//             again from x and y, so the layer keeps no argmax indices
// Oracle: kernels/conv_ref.hpp. No parameters.
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/pool.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class B, std::size_t K, std::size_t S>
struct MaxPoolLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  static constexpr bool kFits = In::kH >= K && In::kW >= K;
  static_assert(kFits || In::kH != 1 || In::kW != 1, "MaxPool: its input is a vector (H = W = 1: Input<N>, or after Fc "
                                                     "or Flatten); give images as Input<H, W, C>, e.g. Input<28, 28, 1>");
  static_assert(kFits || (In::kH == 1 && In::kW == 1), "MaxPool: the window is larger than the input");
  // A window that does not fit is planned as 1 x 1, so the static_assert above is the only error
  // (not followed by the next layers' errors about an output shape wrapped around 2^64).
  static constexpr kernels::ConvGeometry kGeometry{In::kH, In::kW, In::kC, kFits ? K : 1, kFits ? K : 1, S, 0};
  using Out = Shape<kGeometry.oh(), kGeometry.ow(), In::kC>;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize, kMaxBatch = B::kMaxBatch;
  static constexpr bool kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("maxpool:") + number<K>() + only_if<S != K>(FixedString(":s") + number<S>());
  static constexpr std::size_t kParams = 0, kParamScalars = 0, kScratch = 0;
  static constexpr bool kInPlace = false;

  void forward(ConstView<T, kIn> x, View<T, kOut> y, Scratch<T>) const noexcept {
    FIRMNET_EXPECTS(y.rows() == x.rows());
    kernels::maxpool_fwd(kGeometry, x.rows(), x.data(), y.data());
  }

  ConstView<T, kIn> backward(ConstView<T, kIn> x, ConstView<T, kOut> y, View<T, kOut> dy, View<T, kIn> dx,
                             Scratch<T>) noexcept
    requires kTraining
  {
    if constexpr (!kGradInput) return {};
    FIRMNET_EXPECTS(dx.rows() == x.rows() && dy.rows() == x.rows());
    kernels::maxpool_bwd(kGeometry, x.rows(), x.data(), y.data(), dy.data(), dx.data());
    return dx;
  }

  std::array<Param<T>, 0> params() noexcept { return {}; }
};

template <std::size_t K, std::size_t S = K>
struct MaxPool {
  static_assert(K > 0 && S > 0, "MaxPool<K, S>: a K x K window moved by S, both > 0");
  template <class B>
  using Layer = MaxPoolLayer<B, K, S>;
  template <class InShape>
  using Out = typename Layer<Bind<Infer<float, 1>, InShape, false, false>>::Out;
  static constexpr bool kFusesRelu = false;
};

}  // namespace firmnet
