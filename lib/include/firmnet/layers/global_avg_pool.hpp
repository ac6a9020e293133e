// layers/global_avg_pool.hpp: global average pooling, an H x W x C image to its C channel means.
// Spec: GlobalAvgPool; token gap. The usual head of a convolutional net before its last dense
// layer: no parameters, and the dense layer's size no longer depends on the image size.
//   forward y(B, C) = mean over H·W of x(B, H, W, C); backward dx = dy / (H·W) at every pixel
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/pool.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class B>
struct GlobalAvgPoolLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  using Out = Flat<In::kC>;
  static constexpr std::size_t kPixels = In::kH * In::kW;
  static constexpr std::size_t kIn = In::kSize, kOut = In::kC, kMaxBatch = B::kMaxBatch;
  static constexpr bool kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("gap");
  static constexpr std::size_t kParams = 0, kParamScalars = 0, kScratch = 0;
  static constexpr bool kInPlace = false;

  void forward(ConstView<T, kIn> x, View<T, kOut> y, Scratch<T>) const noexcept {
    FIRMNET_EXPECTS(y.rows() == x.rows());
    kernels::avgpool_global_fwd(x.rows(), kPixels, In::kC, x.data(), y.data());
  }

  ConstView<T, kIn> backward(ConstView<T, kIn> x, ConstView<T, kOut>, View<T, kOut> dy, View<T, kIn> dx,
                             Scratch<T>) noexcept
    requires kTraining
  {
    if constexpr (!kGradInput) return {};
    FIRMNET_EXPECTS(dx.rows() == x.rows() && dy.rows() == x.rows());
    kernels::avgpool_global_bwd(x.rows(), kPixels, In::kC, dy.data(), dx.data());
    return dx;
  }

  std::array<Param<T>, 0> params() noexcept { return {}; }
};

struct GlobalAvgPool {
  template <class B>
  using Layer = GlobalAvgPoolLayer<B>;
  template <class InShape>
  using Out = Flat<InShape::kC>;
  static constexpr bool kFusesRelu = false;
};

}  // namespace firmnet
