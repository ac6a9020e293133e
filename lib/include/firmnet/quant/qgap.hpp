// quant/qgap.hpp: global average pooling on uint8 activations, twin of
// layers/global_avg_pool.hpp. The output keeps the input's scale and zero point (the mean of
// s·(q - z) is s·(mean q - z)), so y = the channel's mean of q rounded half up: (Σq + n/2) / n,
// integer-only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape>
struct QGlobalAvgPool {
  using In = InShape;
  using Out = Flat<In::kC>;
  static constexpr std::size_t kPixels = In::kH * In::kW;
  static_assert(kPixels * 255 < (std::size_t(1) << 31), "the channel sums must fit int32");
  static constexpr std::size_t kIn = In::kSize, kOut = In::kC;
  static constexpr auto kOp = FixedString("gap");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QGlobalAvgPool<firmnet::Shape<") + number<In::kH>() +
                                    ", " + number<In::kW>() + ", " + number<In::kC>() + ">>";
  static constexpr std::size_t kChannels = 0, kFanIn = 0, kAccInts = In::kC, kScratchBytes = 0;
  static constexpr bool kInPlace = false;

  static void run(const QParams&, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    for (std::size_t c = 0; c < In::kC; ++c) w.acc[c] = 0;
    for (std::size_t p = 0; p < kPixels; ++p)
      for (std::size_t c = 0; c < In::kC; ++c) w.acc[c] += x[p * In::kC + c];
    for (std::size_t c = 0; c < In::kC; ++c)
      y[c] = static_cast<std::uint8_t>((w.acc[c] + std::int32_t(kPixels / 2)) / std::int32_t(kPixels));
  }
};

template <class B>
struct Twin<GlobalAvgPoolLayer<B>> {
  using type = QGlobalAvgPool<typename B::In>;
};

}  // namespace firmnet::quant
