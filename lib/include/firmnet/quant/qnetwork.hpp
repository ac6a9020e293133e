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
// class of the largest (quant/qparams.hpp).
// Layers: QNetworkFor takes the twin of each float layer (quant/qlayers.hpp) and fuses pairs that
// run better as one (Fusion, quant/qlayer.hpp: a conv and its max pooling), so a stage may stand
// for several records; `layers` holds one QParams per record, in the float network's order.
// Memory: one arena holds the activations. Each stage writes its output at the end of the arena
// its input is not at (the front, then the back, then the front...), so the arena is as large as
// the largest input + output pair, not twice the widest layer. Stages share one accumulator
// array and one scratch area.
//   kWeightBytes:  the parameter arrays (flash)     kWorkingBytes: sizeof(Workspace) (RAM)
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <string_view>
#include <utility>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/label.hpp"
#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape, class... QLs>
class QNetwork {
 public:
  using Stages = std::tuple<QLs...>;
  static constexpr std::size_t kStages = sizeof...(QLs);
  static_assert(kStages > 0);
  template <std::size_t I>
  using StageAt = std::tuple_element_t<I, Stages>;
  static constexpr std::size_t kLayers = (records_of<QLs>() + ...);  // .fnq records
  static constexpr std::size_t kInputs = InShape::kSize;
  static constexpr std::size_t kClasses = StageAt<kStages - 1>::kOut;
  static_assert(kClasses >= 2 && kClasses <= kMaxClasses, "the last layer gives the class logits");
  static constexpr std::size_t kAcc = std::max({std::size_t(1), QLs::kAccInts...});
  static constexpr std::size_t kScratch = std::max({std::size_t(1), QLs::kScratchBytes...});

 private:
  // The first stage reads the caller's input where it is, unless the int8 product would read
  // past its end (kernels/qgemm_ref.hpp: whole quads): then it is copied into the arena first.
  static constexpr bool kCopyInput = kInputs % 4 != 0;
  static constexpr std::size_t kInputCopy = kCopyInput ? kernels::qpad4(kInputs) : 0;
  static constexpr std::array<std::size_t, kStages> kOuts{(QLs::kInPlace ? 0 : kernels::qpad4(QLs::kOut))...};
  static constexpr std::array<bool, kStages> kInPlace{QLs::kInPlace...};
  // Does stage I write at the front of the arena? (the input copy, if any, sits at the back)
  static constexpr bool writes_front(std::size_t i) noexcept {
    std::size_t writers = 0;
    for (std::size_t j = 0; j < i; ++j) writers += kInPlace[j] ? 0 : 1;
    return writers % 2 == 0;
  }
  static constexpr std::size_t arena_bytes() noexcept {
    std::size_t bytes = 4, previous = kInputCopy;
    for (std::size_t i = 0; i < kStages; ++i) {
      if (kInPlace[i]) continue;
      bytes = std::max(bytes, previous + kOuts[i]);
      previous = kOuts[i];
    }
    return bytes;
  }

 public:
  static constexpr std::size_t kArena = arena_bytes();

  // All inference needs, zeroed when made: the quads past a tensor's end read zeros at first
  // (they meet zero weights either way, but never read uninitialised bytes).
  struct Workspace {
    alignas(64) std::uint8_t arena[kArena]{};
    alignas(64) std::int32_t acc[kAcc]{};
    alignas(64) std::uint8_t scratch[kScratch]{};
  };
  static constexpr std::size_t kWeightBytes = (parameter_bytes(QLs::kChannels, QLs::kFanIn) + ... + 0);
  static constexpr std::size_t kWorkingBytes = sizeof(Workspace);
  static constexpr auto kTypeName = ((FixedString("firmnet::quant::QNetwork<firmnet::Shape<") + number<InShape::kH>() +
                                      ", " + number<InShape::kW>() + ", " + number<InShape::kC>() + ">") +
                                     ... + (FixedString(", ") + QLs::kTypeName)) +
                                    ">";

  std::array<QParams, kLayers> layers;  // one per record, in order

  // Multiply-adds of each stage per sample (0 for layers without weights), for reports.
  static constexpr std::array<std::size_t, kStages> kStageMacs{macs_of<QLs>()...};
  static constexpr std::array<std::string_view, kStages> kStageLabels{label_of<QLs>()...};

  // The logits (kClasses uint8, inside ws) of one sample x (kInputs uint8). after_stage(i), if
  // given, is called after stage i has run (a firmware's per-layer timer).
  const std::uint8_t* forward(const std::uint8_t* x, Workspace& ws) const noexcept {
    return forward(x, ws, [](std::size_t) noexcept {});
  }
  template <class AfterStage>
  const std::uint8_t* forward(const std::uint8_t* x, Workspace& ws, AfterStage&& after_stage) const noexcept {
    if constexpr (kCopyInput) {
      std::uint8_t* copy = ws.arena + kArena - kInputCopy;
      for (std::size_t i = 0; i < kInputs; ++i) copy[i] = x[i];
      x = copy;
    }
    return run_from<0, 0>(x, ws, after_stage);
  }

  // Classifies one sample; copies its logits into `logits` (kClasses bytes).
  Label predict(const std::uint8_t* x, std::uint8_t* logits, Workspace& ws) const noexcept {
    const std::uint8_t* out = forward(x, ws);
    for (std::size_t c = 0; c < kClasses; ++c) logits[c] = out[c];
    return static_cast<Label>(argmax_logits(out, kClasses));
  }

 private:
  template <std::size_t I, std::size_t Record, class AfterStage>
  const std::uint8_t* run_from(const std::uint8_t* x, Workspace& ws, AfterStage& after_stage) const noexcept {
    using L = StageAt<I>;
    const std::uint8_t* y = x;
    if constexpr (!L::kInPlace) {
      std::uint8_t* out = writes_front(I) ? ws.arena : ws.arena + kArena - kOuts[I];
      L::run(layers[Record], x, out, Work{ws.acc, ws.scratch});
      y = out;
    }
    after_stage(I);
    if constexpr (I + 1 < kStages) return run_from<I + 1, Record + records_of<L>()>(y, ws, after_stage);
    else return y;
  }
};

namespace detail {
template <class... Ts>
struct TypeList {};

// Fuse<Done, Rest...>: Rest with every fusable adjacent pair replaced by its fused layer.
template <class Done, class... Rest>
struct Fuse;
template <class... D>
struct Fuse<TypeList<D...>> {
  using type = TypeList<D...>;
};
template <class... D, class A>
struct Fuse<TypeList<D...>, A> {
  using type = TypeList<D..., A>;
};
template <class... D, class A, class B, class... R>
struct Fuse<TypeList<D...>, A, B, R...> {
  template <bool Fuses, class = void>
  struct Next {
    using type = typename Fuse<TypeList<D..., A>, B, R...>::type;
  };
  template <class V>
  struct Next<true, V> {
    using type = typename Fuse<TypeList<D..., typename Fusion<A, B>::type>, R...>::type;
  };
  using type = typename Next<Fusion<A, B>::kFuses>::type;
};

template <class InShape, class List>
struct QNetworkFrom;
template <class InShape, class... QLs>
struct QNetworkFrom<InShape, TypeList<QLs...>> {
  using type = QNetwork<InShape, QLs...>;
};

template <class Net, class Layers>
struct QNetworkOf;
template <class Net, class... Ls>
struct QNetworkOf<Net, std::tuple<Ls...>> {
  using type = typename QNetworkFrom<typename Net::InShape,
                                     typename Fuse<TypeList<>, typename Twin<Ls>::type...>::type>::type;
};
}  // namespace detail

// The int8 twin of a float network type (any mode: the layers' shapes are what count), with its
// fusable layers fused. Include quant/qlayers.hpp (every twin and fusion) before naming it.
template <class Net>
using QNetworkFor = typename detail::QNetworkOf<Net, typename Net::Layers>::type;

}  // namespace firmnet::quant
