// layers/flatten.hpp: an image Shape<H, W, C> seen as a vector Flat<H·W·C>. Spec: Flatten. NHWC
// samples are already contiguous rows, so it moves nothing: its output is its input (kInPlace)
// and its gradient the gradient it receives. Fc flattens on its own; Flatten exists to say it,
// and to make the spec read like the PyTorch model it came from ("...|maxpool:2|flatten|fc:10").
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <class B>
struct FlattenLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  using Out = Flat<In::kSize>;
  static constexpr std::size_t kIn = In::kSize, kOut = kIn, kMaxBatch = B::kMaxBatch;
  static constexpr bool kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("flatten");
  static constexpr std::size_t kParams = 0, kParamScalars = 0, kScratch = 0;
  static constexpr bool kInPlace = true;  // the network passes views through; nothing to call

  std::array<Param<T>, 0> params() noexcept { return {}; }
};

struct Flatten {
  template <class InShape>
  using Out = Flat<InShape::kSize>;
  template <class B>
  using Layer = FlattenLayer<B>;
  static constexpr bool kFusesRelu = false;
};

}  // namespace firmnet
