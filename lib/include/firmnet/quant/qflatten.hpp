// quant/qflatten.hpp: Flatten in int8: NHWC rows are already flat, so nothing moves (kInPlace).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class Shape>
struct QFlatten {
  using In = Shape;
  using Out = Flat<Shape::kSize>;
  static constexpr std::size_t kIn = Shape::kSize, kOut = kIn;
  static constexpr auto kOp = FixedString("flatten");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QFlatten<firmnet::Shape<") + number<Shape::kH>() +
                                    ", " + number<Shape::kW>() + ", " + number<Shape::kC>() + ">>";
  static constexpr std::size_t kChannels = 0, kFanIn = 0, kAccInts = 0, kScratchBytes = 0;
  static constexpr bool kInPlace = true;

  static void run(const QParams&, const std::uint8_t*, std::uint8_t*, Work) noexcept {}
};

template <class B>
struct Twin<FlattenLayer<B>> {
  using type = QFlatten<typename B::In>;
};

}  // namespace firmnet::quant
