// quant/qnetwork.hpp: an int8 network, the twin of a float Network (models/network.hpp), for
// firmware: weights in flash, working memory stated by the type.
//
//   using Model = QNetworkFor<Network<Infer<float, 1>, Input<784>, Fc<128>, Relu, Fc<10>>>;
//   //          = QNetwork<Shape<1, 1, 784>, QFc<Shape<1, 1, 784>, 128>, QFc<Shape<1, 1, 128>, 10>>
//   static constexpr Model model{{{ {w1, b1, m1, s1, 0, 0, 0, 255}, {...} }}};  // quantize writes this
//   static Model::Workspace ws;                           // kWorkingBytes of RAM, all inference needs
//   Label c = model.predict(pixels, logits, ws);
//
// Input: uint8 values with the first layer's input zero point (raw pixels; the float model's
// preprocessing is folded into the first layer by the quantizer). Output: uint8 logits and the
// class of the largest (quant/qparams.hpp). Activations pass between two ping-pong buffers the
// size of the widest layer output; layers share one accumulator array and one scratch area.
//   kWeightBytes:  the parameter arrays (flash)     kWorkingBytes: sizeof(Workspace) (RAM)
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/label.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape, class... QLs>
class QNetwork {
 public:
  using Layers = std::tuple<QLs...>;
  static constexpr std::size_t kLayers = sizeof...(QLs);
  static_assert(kLayers > 0);
  template <std::size_t I>
  using LayerAt = std::tuple_element_t<I, Layers>;
  static constexpr std::size_t kInputs = InShape::kSize;
  static constexpr std::size_t kClasses = LayerAt<kLayers - 1>::kOut;
  static_assert(kClasses >= 2 && kClasses <= kMaxClasses, "the last layer gives the class logits");
  static constexpr std::size_t kWidest = std::max({std::size_t(1), (QLs::kInPlace ? 0 : QLs::kOut)...});
  static constexpr std::size_t kAcc = std::max({std::size_t(1), QLs::kAccInts...});
  static constexpr std::size_t kScratch = std::max({std::size_t(1), QLs::kScratchBytes...});

  struct Workspace {
    alignas(64) std::uint8_t ping[kWidest];
    alignas(64) std::uint8_t pong[kWidest];
    alignas(64) std::int32_t acc[kAcc];
    alignas(64) std::uint8_t scratch[kScratch];
  };
  static constexpr std::size_t kWeightBytes = (parameter_bytes(QLs::kChannels, QLs::kFanIn) + ... + 0);
  static constexpr std::size_t kWorkingBytes = sizeof(Workspace);
  static constexpr auto kTypeName = ((FixedString("firmnet::quant::QNetwork<firmnet::Shape<") + number<InShape::kH>() +
                                      ", " + number<InShape::kW>() + ", " + number<InShape::kC>() + ">") +
                                     ... + (FixedString(", ") + QLs::kTypeName)) +
                                    ">";

  std::array<QParams, kLayers> layers;  // one per layer, in order

  // The logits (kClasses uint8, inside ws) of one sample x (kInputs uint8).
  const std::uint8_t* forward(const std::uint8_t* x, Workspace& ws) const noexcept {
    return run_from<0>(x, ws, ws.ping);
  }

  // Classifies one sample; copies its logits into `logits` (kClasses bytes).
  Label predict(const std::uint8_t* x, std::uint8_t* logits, Workspace& ws) const noexcept {
    const std::uint8_t* out = forward(x, ws);
    for (std::size_t c = 0; c < kClasses; ++c) logits[c] = out[c];
    return static_cast<Label>(argmax_logits(out, kClasses));
  }

 private:
  template <std::size_t I>
  const std::uint8_t* run_from(const std::uint8_t* x, Workspace& ws, std::uint8_t* next) const noexcept {
    using L = LayerAt<I>;
    const std::uint8_t* y = x;
    std::uint8_t* after = next;
    if constexpr (!L::kInPlace) {
      L::run(layers[I], x, next, Work{ws.acc, ws.scratch});
      y = next;
      after = next == ws.ping ? ws.pong : ws.ping;
    }
    if constexpr (I + 1 < kLayers) return run_from<I + 1>(y, ws, after);
    else return y;
  }
};

namespace detail {
template <class Net, class Layers>
struct QNetworkOf;
template <class Net, class... Ls>
struct QNetworkOf<Net, std::tuple<Ls...>> {
  using type = QNetwork<typename Net::InShape, typename Twin<Ls>::type...>;
};
}  // namespace detail

// The int8 twin of a float network type (any mode: the layers' shapes are what count).
template <class Net>
using QNetworkFor = typename detail::QNetworkOf<Net, typename Net::Layers>::type;

}  // namespace firmnet::quant
