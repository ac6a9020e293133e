// quant/qmaxpool.hpp: max pooling on uint8 activations, twin of layers/maxpool2d.hpp. The output
// keeps the input's scale and zero point, and a larger uint8 is a larger real value, so the
// maximum of the quantized window is the quantized maximum: exact, no requantization.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape, std::size_t K, std::size_t S>
struct QMaxPool {
  using In = InShape;
  static constexpr kernels::ConvGeometry kGeometry{In::kH, In::kW, In::kC, K, K, S, 0};
  using Out = Shape<kGeometry.oh(), kGeometry.ow(), In::kC>;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize;
  static constexpr auto kOp = FixedString("maxpool");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QMaxPool<firmnet::Shape<") + number<In::kH>() + ", " +
                                    number<In::kW>() + ", " + number<In::kC>() + ">, " + number<K>() + ", " +
                                    number<S>() + ">";
  static constexpr std::size_t kChannels = 0, kFanIn = 0, kAccInts = 0, kScratchBytes = 0;
  static constexpr bool kInPlace = false;

  static void run(const QParams&, const std::uint8_t* x, std::uint8_t* y, Work) noexcept {
    kernels::maxpool_fwd_ref(kGeometry, 1, x, y);  // the reference loop is the kernel: bytes, no FPU
  }
};

template <class B, std::size_t K, std::size_t S>
struct Twin<MaxPoolLayer<B, K, S>> {
  using type = QMaxPool<typename B::In, K, S>;
};

}  // namespace firmnet::quant
