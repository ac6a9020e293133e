// quant/qconv.hpp: the int8 2-D convolution, twin of layers/conv2d.hpp, over uint8 NHWC images.
//   for each output pixel: patch = the KH x KW x C window (padding: the input's zero point, which
//   stands for real 0), acc = W·patch + bias (the int8 product, exact), then per channel
//   y = clamp(output_zero_point + acc·M, output_min, output_max)   (kernels/requantize.hpp)
// W: (K, KH·KW·C) int8, a row per output channel, columns in the float layer's HWIO order.
// Scratch: one patch (kScratchBytes); accumulators: K. Integer-only: the same bits everywhere.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/qgemv.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P>
struct QConv2d {
  using In = InShape;
  static constexpr kernels::ConvGeometry kGeometry{In::kH, In::kW, In::kC, KH, KW, S, P};
  using Out = Shape<kGeometry.oh(), kGeometry.ow(), K>;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize, kPatch = KH * KW * In::kC;
  static_assert(kPatch <= kernels::kQgemvMaxInputs, "too many inputs per output for exact int32 accumulators");
  static constexpr auto kOp = FixedString("conv");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QConv2d<firmnet::Shape<") + number<In::kH>() + ", " +
                                    number<In::kW>() + ", " + number<In::kC>() + ">, " + number<K>() + ", " + number<KH>() +
                                    ", " + number<KW>() + ", " + number<S>() + ", " + number<P>() + ">";
  static constexpr std::size_t kChannels = K, kFanIn = kPatch;
  static constexpr std::size_t kAccInts = K, kScratchBytes = kPatch;
  static constexpr bool kInPlace = false;

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    constexpr auto& g = kGeometry;
    const auto pad = static_cast<std::uint8_t>(p.input_zero_point);
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox) {
        std::uint8_t* patch = w.scratch;
        for (std::size_t ky = 0; ky < KH; ++ky)
          for (std::size_t kx = 0; kx < KW; ++kx, patch += In::kC) {
            std::size_t iy = 0, ix = 0;
            const bool inside = g.in_y(oy, ky, iy) && g.in_x(ox, kx, ix);
            const std::uint8_t* src = x + (iy * In::kW + ix) * In::kC;
            for (std::size_t c = 0; c < In::kC; ++c) patch[c] = inside ? src[c] : pad;
          }
        kernels::qgemv_u8s8_s32(w.scratch, p.weights, kPatch, K, w.acc);
        for (std::size_t k = 0; k < K; ++k) w.acc[k] += p.bias[k];
        kernels::requantize_s32(w.acc, p.multiplier, p.shift, p.output_zero_point, p.output_min, p.output_max, K, w.acc);
        std::uint8_t* out = y + (oy * g.ow() + ox) * K;
        for (std::size_t k = 0; k < K; ++k) out[k] = static_cast<std::uint8_t>(w.acc[k]);
      }
  }
};

template <class B, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P>
struct Twin<Conv2dLayer<B, K, KH, KW, S, P>> {
  using type = QConv2d<typename B::In, K, KH, KW, S, P>;
};

}  // namespace firmnet::quant
