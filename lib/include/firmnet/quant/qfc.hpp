// quant/qfc.hpp: the int8 fully connected layer, twin of layers/fc.hpp.
//   acc = W·x + bias (the int8 product, uint8 · int8 -> int32, exact), then per channel
//   y = clamp(output_zero_point + acc·M, output_min, output_max)  (kernels/requantize.hpp)
// x: In uint8 values (any input shape, flattened); W: (Out, In) int8, packed (kernels/qgemm_ref.hpp).
// Integer-only: every platform computes the same bits. No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

// The accumulators of In-long int8 dot products stay exact in int32 (kernels/qgemm_ref.hpp).
template <class InShape, std::size_t N>
struct QFc {
  static_assert(InShape::kSize <= kernels::kQgemmMaxInputs, "too many inputs for exact int32 accumulators");
  using In = InShape;
  using Out = Flat<N>;
  static constexpr std::size_t kIn = In::kSize, kOut = N;
  static constexpr auto kOp = FixedString("fc");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QFc<firmnet::Shape<") + number<In::kH>() + ", " +
                                    number<In::kW>() + ", " + number<In::kC>() + ">, " + number<N>() + ">";
  static constexpr std::size_t kChannels = N, kFanIn = kIn;
  static constexpr std::size_t kAccInts = kernels::qpad4(N), kScratchBytes = 0;
  static constexpr bool kInPlace = false;

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    kernels::qgemm_u8s8_s32(x, kernels::qpad4(kIn), 1, p.weights, kIn, N, w.acc, kAccInts);
    requantize_to_u8(p, w.acc, 1, kAccInts, N, y);
  }
};

template <class B, std::size_t N>
struct Twin<FcLayer<B, N>> {
  using type = QFc<typename B::In, N>;
};

}  // namespace firmnet::quant
