// quant/qrelu.hpp: ReLU on uint8 activations, twin of a Relu the stack could not fuse (after a
// pooling layer, say). Real 0 is the input's zero point, and the output keeps the input's scale
// and zero point, so y = max(x, input_zero_point): one compare per value, exact.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class Shape>
struct QRelu {
  using In = Shape;
  using Out = Shape;
  static constexpr std::size_t kIn = Shape::kSize, kOut = kIn;
  static constexpr auto kOp = FixedString("relu");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QRelu<firmnet::Shape<") + number<Shape::kH>() + ", " +
                                    number<Shape::kW>() + ", " + number<Shape::kC>() + ">>";
  static constexpr std::size_t kChannels = 0, kFanIn = 0, kAccInts = 0, kScratchBytes = 0;
  static constexpr bool kInPlace = false;

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work) noexcept {
    const auto zero = static_cast<std::uint8_t>(p.input_zero_point);
    for (std::size_t i = 0; i < kIn; ++i) y[i] = x[i] > zero ? x[i] : zero;
  }
};

template <class B>
struct Twin<ReluLayer<B>> {
  using type = QRelu<typename B::In>;
};

}  // namespace firmnet::quant
