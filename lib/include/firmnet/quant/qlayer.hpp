// quant/qlayer.hpp: what an int8 layer is, the twin of a float layer (layers/layer.hpp).
// A quantized layer type QL has its dimensions in the type and reads its data from a QParams:
//   using In, Out;  kIn, kOut                   per-sample sizes (Shape, NHWC)
//   static constexpr auto kTypeName;            its C++ name, for generated headers
//   static constexpr auto kOp;                  its op token in .fnq files ("fc", "conv", ...)
//   static constexpr std::size_t kChannels, kFanIn; weights (kChannels, kFanIn); 0 without
//   static constexpr std::size_t kAccInts;      int32 accumulators it needs
//   static constexpr std::size_t kScratchBytes; scratch it needs (im2col patches)
//   static constexpr bool kInPlace;             its output is its input (flatten)
//   static void run(const QParams&, const std::uint8_t* x, std::uint8_t* y, Work) noexcept;
// x holds kIn values and is readable up to qpad4(kIn) bytes (the int8 product reads whole quads:
// kernels/qgemm_ref.hpp); y has room for qpad4(kOut).
// Twin<FloatLayer>::type names the quantized type of a bound float layer; each quantized
// layer's header specializes it, so a network's int8 type follows from its float type.
// Fusion<A, B> says whether two consecutive quantized layers run as one (quant/qconvpool.hpp: a
// convolution and the max pooling after it); a fused layer stands for kRecords .fnq records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

// The working memory a layer's run() may use, carved from the network's workspace.
struct Work {
  std::int32_t* acc;      // kAccInts
  std::uint8_t* scratch;  // kScratchBytes
};

template <class FloatLayer>
struct Twin;  // specialized by every quantized layer's header

template <class A, class B>
struct Fusion {
  static constexpr bool kFuses = false;  // specializations: true, and `using type` = the fused layer
};

// The .fnq records a quantized layer stands for: 1, or more for a fused layer.
template <class QL>
constexpr std::size_t records_of() noexcept {
  if constexpr (requires { QL::kRecords; }) return QL::kRecords;
  else return 1;
}

// Multiply-adds per sample: kMacs where a layer states it (conv: pixels x channels x patch), else
// channels x fan-in (dense), 0 without weights.
template <class QL>
constexpr std::size_t macs_of() noexcept {
  if constexpr (requires { QL::kMacs; }) return QL::kMacs;
  else return QL::kChannels * QL::kFanIn;
}

// A layer's name in reports: kLabel where given (a fused layer), else its op.
template <class QL>
constexpr std::string_view label_of() noexcept {
  if constexpr (requires { QL::kLabel; }) return QL::kLabel.view();
  else return QL::kOp.view();
}

// The bytes of packed weights, bias, multipliers and shifts of a layer with these dimensions.
constexpr std::size_t parameter_bytes(std::size_t channels, std::size_t fan_in) noexcept {
  return channels == 0 ? 0 : kernels::qpacked_size(fan_in, channels) + 3 * 4 * channels;
}

// The end of every layer with weights: the largest of `rows` accumulator rows (a pooling
// window; 1 without), + bias, requantized, stored as uint8 (n channels).
inline void requantize_to_u8(const QParams& p, const std::int32_t* acc, std::size_t rows, std::size_t stride,
                             std::size_t n, std::uint8_t* y) noexcept {
  kernels::requantize_u8(acc, rows, stride, p.bias, p.multiplier, p.shift, p.output_zero_point, p.output_min,
                         p.output_max, n, y);
}

}  // namespace firmnet::quant
