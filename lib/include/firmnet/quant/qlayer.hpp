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
// Twin<FloatLayer>::type names the quantized type of a bound float layer; each quantized
// layer's header specializes it, so a network's int8 type follows from its float type.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::quant {

// The working memory a layer's run() may use, carved from the network's workspace.
struct Work {
  std::int32_t* acc;      // kAccInts
  std::uint8_t* scratch;  // kScratchBytes
};

template <class FloatLayer>
struct Twin;  // specialized by every quantized layer's header

// The bytes of weights, bias, multipliers and shifts of a layer with these dimensions.
constexpr std::size_t parameter_bytes(std::size_t channels, std::size_t fan_in) noexcept {
  return channels * fan_in + 3 * 4 * channels;
}

}  // namespace firmnet::quant
