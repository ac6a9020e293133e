// quant/qfc.hpp: the int8 fully connected layer, twin of layers/fc.hpp.
//   acc = W·x + bias (qgemv, uint8 · int8 -> int32, exact), then per channel
//   y = clamp(output_zero_point + acc·M, output_min, output_max)  (kernels/requantize.hpp)
// x: In uint8 values (any input shape, flattened); W: (Out, In) int8, a row per output.
// Integer-only: every platform computes the same bits. No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/qgemv.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

// The accumulators of In-long int8 dot products stay exact in int32 (kernels/qgemv_ref.hpp).
template <class InShape, std::size_t N>
struct QFc {
  static_assert(InShape::kSize <= kernels::kQgemvMaxInputs, "too many inputs for exact int32 accumulators");
  using In = InShape;
  using Out = Flat<N>;
  static constexpr std::size_t kIn = In::kSize, kOut = N;
  static constexpr auto kOp = FixedString("fc");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QFc<firmnet::Shape<") + number<In::kH>() + ", " +
                                    number<In::kW>() + ", " + number<In::kC>() + ">, " + number<N>() + ">";
  static constexpr std::size_t kChannels = N, kFanIn = kIn;
  static constexpr std::size_t kAccInts = N, kScratchBytes = 0;
  static constexpr bool kInPlace = false;

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    kernels::qgemv_u8s8_s32(x, p.weights, kIn, N, w.acc);
    for (std::size_t o = 0; o < N; ++o) w.acc[o] += p.bias[o];
    kernels::requantize_s32(w.acc, p.multiplier, p.shift, p.output_zero_point, p.output_min, p.output_max, N, w.acc);
    for (std::size_t o = 0; o < N; ++o) y[o] = static_cast<std::uint8_t>(w.acc[o]);
  }
};

template <class B, std::size_t N>
struct Twin<FcLayer<B, N>> {
  using type = QFc<typename B::In, N>;
};

}  // namespace firmnet::quant
