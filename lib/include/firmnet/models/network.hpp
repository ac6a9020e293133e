// models/network.hpp: a stack of layers with its shapes in the type, for training or inference.
//
//   using Net = Network<Train<float, 64>, Input<784>, Fc<256>, Relu, Fc<128>, Relu, Fc<10>>;
//   using Cnn = Network<Infer<float, 1>, Input<28, 28, 1>, Conv2d<32, 5, 5, Pad<2>>, Relu,
//                       MaxPool<2>, Fc<10>>;
//
// Binding: each spec gets its input shape from the spec before it (layers/layer.hpp); a Relu
// right after a spec that can fuse it (Fc, Conv2d) becomes that layer's epilogue; a layer gets
// dL/dx only if a layer before it has parameters (the first dense layer computes none). A shape
// that does not fit stops the build at the spec's static_assert, which names the problem.
//
// Memory, all in the object, sized at compile time (no heap, ever):
//   Train: the layers (parameters and gradients), every layer's output (backward reads them),
//          two gradient buffers used in turn, and the scratch the largest layer needs; a stack
//          that runs in halves (below) has two scratch areas and a second set of gradients.
//   Infer: the layers (parameters only; forward is const, so a const network can sit in
//          flash) and a separate Workspace: two activation buffers used in turn and the scratch.
//          kWeightBytes and kWorkingBytes state both.
//
// Halves: a Train stack holding a layer with kBatchHalves (a convolution) runs forward and
// backward as two halves of the batch, rows [0, h) and [h, B) with h = B - B/2, each through every
// layer with its own scratch: on threads 0 and 1 of the GEMM pool at once (each layer's kernels
// then run on the thread of their half), or one after the other without a pool. Each thread so
// reads back the activations it wrote, in its own core's cache, and the step waits for the other
// thread twice instead of at every kernel. The second half's weight gradients go to a buffer of
// their own and are added to the first's afterwards, in that order: the same bits for any
// thread count.
//
// kSpec is the architecture as a string, derived from the type ("in:784|fc:256+relu|fc:10"): the
// one truth that checkpoints, the model registry, the quantizer and importers key on. Parameters
// are named by parameterized layer: w1, b1 (first), w2, b2, ...
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/label.hpp"
#include "firmnet/core/rng.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/init.hpp"

namespace firmnet {

// Row-wise argmax of (rows, C) scores; the first maximum wins a tie.
template <class T, std::size_t C>
void argmax_rows(ConstView<T, C> scores, Label* out) noexcept {
  static_assert(C <= kMaxClasses);
  for (std::size_t r = 0; r < scores.rows(); ++r) {
    const T* row = scores.row(r);
    std::size_t best = 0;
    for (std::size_t c = 1; c < C; ++c)
      if (row[c] > row[best]) best = c;
    out[r] = static_cast<Label>(best);
  }
}

namespace detail {

template <class... Ts>
struct List {};

// BindSpecs<Mode, InShape, Upstream, List<Specs...>>::type = List<bound layers...>.
// Upstream: a layer before this one has parameters (so this one must compute dL/dx).
template <class Mode, class InShape, bool Upstream, class Specs, class Bound = List<>>
struct BindSpecs;

template <class Mode, class InShape, bool Upstream, class... Bs>
struct BindSpecs<Mode, InShape, Upstream, List<>, List<Bs...>> {
  using type = List<Bs...>;
};

template <class Mode, class InShape, bool Upstream, class S, class... Rest, class... Bs>
struct BindSpecs<Mode, InShape, Upstream, List<S, Rest...>, List<Bs...>> {
  using L = typename S::template Layer<Bind<Mode, InShape, Upstream, false>>;
  using type = typename BindSpecs<Mode, typename L::Out, (Upstream || L::kParams > 0), List<Rest...>, List<Bs..., L>>::type;
};

// A spec that can fuse a following Relu takes it as its epilogue.
template <class Mode, class InShape, bool Upstream, class S, class... Rest, class... Bs>
  requires(S::kFusesRelu)
struct BindSpecs<Mode, InShape, Upstream, List<S, Relu, Rest...>, List<Bs...>> {
  using L = typename S::template Layer<Bind<Mode, InShape, Upstream, true>>;
  using type = typename BindSpecs<Mode, typename L::Out, (Upstream || L::kParams > 0), List<Rest...>, List<Bs..., L>>::type;
};

template <class L>
constexpr bool per_input_weights() noexcept {
  if constexpr (requires { L::kPerInputWeights; }) return L::kPerInputWeights;
  else return false;
}

// True when the first layer with parameters gives every input value weights of its own (a dense
// layer) and only reshapes come before it: then any per-pixel input offset folds into its bias.
template <class... Ls>
constexpr bool dense_first() noexcept {
  bool decided = false, dense = false;
  ((decided ? void() : (Ls::kParams > 0 ? (decided = true, dense = per_input_weights<Ls>(), void())
                                        : (Ls::kInPlace ? void() : (decided = true, void())))),
   ...);
  return dense;
}

template <class L>
constexpr bool batch_halves() noexcept {
  if constexpr (requires { L::kBatchHalves; }) return L::kBatchHalves;
  else return false;
}

// A layer with no parameters, or one whose backward can step them itself (Grads::sgd).
template <class L>
constexpr bool folds_sgd() noexcept {
  if constexpr (requires { L::kFoldsSgd; }) return L::kFoldsSgd;
  else return L::kParams == 0;
}

template <class T>
constexpr bool is_input = false;
template <std::size_t... D>
constexpr bool is_input<Input<D...>> = true;
// The stack's Input<...>, checked before anything reads its shape (otherwise the first error a
// user sees is "no type named 'Shape'"); a wrong one is replaced by Input<1>, so the
// static_assert is the only error.
template <class InputSpec>
struct CheckedInput {
  static_assert(is_input<InputSpec>, "a stack starts with its Input<...> shape, e.g. Input<784>");
  using type = std::conditional_t<is_input<InputSpec>, InputSpec, Input<1>>;
};

// Parameter names w1, b1, w2, b2, ... for up to 999 parameterized layers.
struct ParamNames {
  char names[2 * 999][5] = {};
  constexpr ParamNames() {
    for (std::size_t k = 1; k < 1000; ++k)
      for (std::size_t role = 0; role < 2; ++role) {
        char* s = names[2 * (k - 1) + role];
        std::size_t n = 0;
        s[n++] = role == 0 ? 'w' : 'b';
        if (k >= 100) s[n++] = static_cast<char>('0' + k / 100);
        if (k >= 10) s[n++] = static_cast<char>('0' + k / 10 % 10);
        s[n++] = static_cast<char>('0' + k % 10);
      }
  }
};
inline constexpr ParamNames kParamNames{};

template <class Mode, class Input, class Layers>
class NetworkImpl;

// The per-layer output buffer of a Train network (none for a layer that works in place).
template <class L>
using OutputBuffer = Maybe<!L::kInPlace, Matrix<typename L::T, L::kMaxBatch, L::kOut>>;

template <class Mode, class InputSpec, class... Ls>
class NetworkImpl<Mode, InputSpec, List<Ls...>> {
 public:
  using Scalar = typename Mode::Scalar;
  using T = Scalar;
  using InShape = typename InputSpec::Shape;
  using Layers = std::tuple<Ls...>;
  static constexpr std::size_t kLayers = sizeof...(Ls);
  static_assert(kLayers > 0, "a network needs at least one layer after its Input");
  template <std::size_t I>
  using LayerAt = std::tuple_element_t<I, Layers>;
  using OutShape = typename LayerAt<kLayers - 1>::Out;

  static constexpr bool kTraining = Mode::kTraining;
  static constexpr std::size_t kMaxBatch = Mode::kMaxBatch;
  static constexpr std::size_t kInputs = InShape::kSize;
  static constexpr std::size_t kOutputs = OutShape::kSize;
  static constexpr std::size_t kClasses = kOutputs;
  static constexpr std::size_t kParamTensors = (Ls::kParams + ... + 0);
  static constexpr std::size_t kParamCount = (Ls::kParamScalars + ... + 0);  // parameter scalars
  static constexpr std::size_t kScratch = std::max({std::size_t(0), Ls::kScratch...});
  // The widest activation: sizes the gradient buffers (Train) and the ping-pong buffers (Infer).
  static constexpr std::size_t kWidest = std::max({std::size_t(1), (Ls::kInPlace ? 0 : Ls::kOut)...});
  static constexpr auto kSpec = ((FixedString("in:") + InShape::text()) + ... + (FixedString("|") + Ls::kSpec));
  // The input normalisation that suits the stack: a per-pixel mean when the first layer with
  // weights is dense (it folds into the bias, exactly, in int8 too), else one mean level for
  // every pixel (Normalizer::fit_level): a convolution's padding and its int8 zero point stand
  // for the same pixel value only then.
  static constexpr bool kPerPixelMean = dense_first<Ls...>();
  // Training in two halves of the batch (see the top of this file).
  static constexpr bool kHalves = kTraining && (batch_halves<Ls>() || ...);
  // backward(dscores, sgd) can make plain SGD's step itself: every layer with parameters steps
  // them in its own backward, once nothing upstream reads them (not in halves: the two halves'
  // gradients must be added before any step).
  static constexpr bool kFoldsSgd = kTraining && !kHalves && kParamTensors > 0 && (folds_sgd<Ls>() && ...);
  static_assert(kParamTensors <= 2 * 999, "more than 999 parameterized layers");

  // Inference: the activation buffers and scratch of one forward pass, apart from the weights.
  struct Workspace {
    Matrix<T, kMaxBatch, kWidest> ping, pong;
    [[no_unique_address]] Maybe<(kScratch > 0), Matrix<T, 1, kScratch>> scratch;
  };
  static constexpr std::size_t kWeightBytes = kParamCount * sizeof(T);
  static constexpr std::size_t kWorkingBytes = sizeof(Workspace);

  Layers layers;

  template <std::size_t I>
  LayerAt<I>& layer() noexcept {
    return std::get<I>(layers);
  }
  template <std::size_t I>
  const LayerAt<I>& layer() const noexcept {
    return std::get<I>(layers);
  }

  // Every parameter tensor in layer order, named w1, b1, w2, b2, ... (grad null in Infer mode).
  std::array<Param<T>, kParamTensors> params() noexcept {
    std::array<Param<T>, kParamTensors> all{};
    std::size_t n = 0;
    std::apply([&](auto&... l) { (append(all, n, l.params()), ...); }, layers);
    return all;
  }

  // Weights drawn in params() order (init.hpp), biases and gradients zero.
  void init(Rng& rng, InitRule rule) noexcept { init_params(params(), rng, rule); }

  // ---- Train mode ----------------------------------------------------------------------
  // scores(B, kOutputs) of x(B, kInputs), B <= kMaxBatch. x must stay alive and unchanged until
  // backward (the trainer's batch buffer does): the first layer's backward reads it.
  ConstView<T, kOutputs> forward(ConstView<T, kInputs> x) noexcept
    requires kTraining
  {
    FIRMNET_EXPECTS(x.rows() <= kMaxBatch);
    input_ = x;
    if constexpr (kHalves) {
      in_halves(x.rows(), [this](std::size_t part, std::size_t first, std::size_t rows) {
        forward_from<0>(input_of<0>(first, rows), first, part);
      });
      return output<kLayers - 1>();
    } else {
      return forward_from<0>(x, 0, 0);
    }
  }

  // Back-propagates dL/dscores (it may be overwritten) into every parameter's gradient; given
  // sgd (kFoldsSgd), steps every parameter by it instead (w -= lr·(dw + reg·w), b -= lr·db: the
  // bits of Sgd's step after a backward without it) and keeps no gradients.
  void backward(View<T, kOutputs> dscores, const FoldedSgd<T>* sgd = nullptr) noexcept
    requires kTraining
  {
    const std::size_t rows = input_.rows();
    FIRMNET_EXPECTS(dscores.rows() == rows);
    if constexpr (!kFoldsSgd) FIRMNET_EXPECTS(sgd == nullptr);
    if constexpr (kHalves) {
      in_halves(rows, [&](std::size_t part, std::size_t first, std::size_t n) {
        backward_from<kLayers - 1>(View<T, kOutputs>(dscores.data() + first * kOutputs, n), first, part, false, nullptr);
      });
      if (rows >= 2) add_second_half();
    } else {
      backward_from<kLayers - 1>(dscores, 0, 0, false, sgd);
    }
  }

  void predict(ConstView<T, kInputs> x, Label* out) noexcept
    requires kTraining
  {
    argmax_rows(forward(x), out);
  }

  // The output of layer I after the last forward (calibration reads them).
  template <std::size_t I>
  ConstView<T, LayerAt<I>::kOut> output() const noexcept
    requires kTraining
  {
    return output_rows<I>(0, input_.rows());
  }

  // ---- Infer mode ----------------------------------------------------------------------
  // const: the weights are only read, so a const (flash) network runs with a RAM workspace.
  ConstView<T, kOutputs> forward(ConstView<T, kInputs> x, Workspace& ws) const noexcept
    requires(!kTraining)
  {
    FIRMNET_EXPECTS(x.rows() <= kMaxBatch);
    return infer_from<0>(x, ws, ws.ping.data());
  }

  void predict(ConstView<T, kInputs> x, Label* out, Workspace& ws) const noexcept
    requires(!kTraining)
  {
    argmax_rows(forward(x, ws), out);
  }

 private:
  template <std::size_t N>
  static void append(std::array<Param<T>, kParamTensors>& all, std::size_t& n, const std::array<Param<T>, N>& ps) {
    static_assert(N == 0 || N == 2, "layers have no parameters or a weight tensor and a bias: that is how they are named");
    for (const Param<T>& p : ps) {
      all[n] = p;
      all[n].name = kParamNames.names[n];  // w_k for a layer's weights, b_k for its bias
      ++n;
    }
  }

  static constexpr std::size_t kParts = kHalves ? 2 : 1;
  static constexpr std::size_t kScratchStride = (kScratch + 15) / 16 * 16;  // parts start on cache lines

  Scratch<T> scratch(std::size_t part) noexcept {
    if constexpr (kScratch > 0) return {scratch_.data() + part * kScratchStride, kScratch};
    else return {};
  }

  // fn(part, first, rows) for the halves of a batch of `rows` rows (the first takes an odd row):
  // on threads 0 and 1 of the GEMM pool at once, else here one after the other.
  template <class Fn>
  static void in_halves(std::size_t rows, Fn&& fn) noexcept {
    const std::size_t h = rows - rows / 2;
#if FIRMNET_HAVE_XSIMD
    kernels::ThreadPool* pool = kernels::gemm_thread_pool();
    if (pool != nullptr && pool->size() >= 2 && rows >= 2) {
      return kernels::run_parts(*pool, [&](std::size_t part, std::size_t) {  // threads past 1 idle
        if (part == 0) fn(0, 0, h);
        else if (part == 1) fn(1, h, rows - h);
      });
    }
#endif
    fn(0, 0, h);
    if (rows > h) fn(1, h, rows - h);
  }

  // Rows [first, first + rows) through layers I.. (part: whose scratch).
  template <std::size_t I>
  ConstView<T, kOutputs> forward_from(ConstView<T, LayerAt<I>::kIn> x, std::size_t first, std::size_t part) noexcept {
    using L = LayerAt<I>;
    ConstView<T, L::kOut> y;
    if constexpr (L::kInPlace) {
      y = ConstView<T, L::kOut>(x.data(), x.rows());
    } else {
      const View<T, L::kOut> out(std::get<I>(outputs_).data() + first * L::kOut, x.rows());
      std::get<I>(layers).forward(x, out, scratch(part));
      y = out;
    }
    if constexpr (I + 1 < kLayers) return forward_from<I + 1>(y, first, part);
    else return y;
  }

  // dy holds rows [first, first + dy.rows()); dy_in_a: it lies in grad_a_ (else in grad_b_ or the
  // caller's dscores); sgd: the step each layer makes in its backward (Grads::sgd), or null.
  template <std::size_t I>
  void backward_from(View<T, LayerAt<I>::kOut> dy, std::size_t first, std::size_t part, bool dy_in_a,
                     const FoldedSgd<T>* sgd) noexcept {
    using L = LayerAt<I>;
    const std::size_t rows = dy.rows();
    if constexpr (L::kInPlace) {  // the gradient passes through unchanged
      if constexpr (I > 0 && L::kGradInput) backward_from<I - 1>(View<T, L::kIn>(dy.data(), rows), first, part, dy_in_a, sgd);
      return;
    } else {
      if constexpr (!L::kGradInput && L::kParams == 0) return;  // nothing upstream learns
      // dx goes to the gradient buffer dy is not in; a half's rows start at first·kWidest, so the
      // halves never touch each other's rows while they are at different layers.
      T* const buffer = dy_in_a ? grad_b_.data() : grad_a_.data();
      const View<T, L::kIn> dx(buffer + first * kWidest, rows);
      L& layer = std::get<I>(layers);
      if constexpr (L::kParams > 0)
        layer.backward(input_of<I>(first, rows), output_rows<I>(first, rows), dy, dx, scratch(part), grads_of<I>(part, sgd));
      else
        layer.backward(input_of<I>(first, rows), output_rows<I>(first, rows), dy, dx, scratch(part));
      if constexpr (I > 0 && L::kGradInput) backward_from<I - 1>(dx, first, part, !dy_in_a, sgd);
    }
  }

  // The first half's gradients go to the layers' own dw and db, the second's to grads1_, at the
  // layer's offset in params() order.
  template <std::size_t I>
  Grads<T> grads_of(std::size_t part, const FoldedSgd<T>* sgd) noexcept {
    if constexpr (kHalves) {
      if (part == 1) {
        T* const w = grads1_.data() + param_offset<I>();
        return {w, w + std::get<I>(layers).params()[0].size()};
      }
    }
    return {nullptr, nullptr, sgd};
  }
  template <std::size_t I>
  static constexpr std::size_t param_offset() noexcept {
    if constexpr (I == 0) return 0;
    else return param_offset<I - 1>() + LayerAt<I - 1>::kParamScalars;
  }
  // Gradient = first half's + second half's, element by element.
  void add_second_half() noexcept
    requires kHalves
  {
    std::size_t offset = 0;
    for (const Param<T>& p : params()) {
      kernels::axpy(T(1), grads1_.data() + offset, p.grad, p.size());
      offset += p.size();
    }
  }

  template <std::size_t I>
  ConstView<T, LayerAt<I>::kIn> input_of(std::size_t first, std::size_t rows) const noexcept {
    if constexpr (I == 0) return {input_.data() + first * kInputs, rows};
    else return output_rows<I - 1>(first, rows);
  }
  template <std::size_t I>
  ConstView<T, LayerAt<I>::kOut> output_rows(std::size_t first, std::size_t rows) const noexcept {
    if constexpr (LayerAt<I>::kInPlace) return {input_of<I>(first, rows).data(), rows};
    else return {std::get<I>(outputs_).data() + first * LayerAt<I>::kOut, rows};
  }

  template <std::size_t I>
  ConstView<T, kOutputs> infer_from(ConstView<T, LayerAt<I>::kIn> x, Workspace& ws, T* next) const noexcept {
    using L = LayerAt<I>;
    ConstView<T, L::kOut> y;
    T* after = next;
    if constexpr (L::kInPlace) {
      y = ConstView<T, L::kOut>(x.data(), x.rows());
    } else {
      Scratch<T> s;
      if constexpr (kScratch > 0) s = Scratch<T>(ws.scratch.data(), kScratch);
      std::get<I>(layers).forward(x, View<T, L::kOut>(next, x.rows()), s);
      y = ConstView<T, L::kOut>(next, x.rows());
      after = next == ws.ping.data() ? ws.pong.data() : ws.ping.data();
    }
    if constexpr (I + 1 < kLayers) return infer_from<I + 1>(y, ws, after);
    else return y;
  }

  using Outputs = std::conditional_t<kTraining, std::tuple<OutputBuffer<Ls>...>, Nothing>;
  using GradBuffer = Maybe<kTraining, Matrix<T, kMaxBatch, kWidest>>;
  using ScratchBuffer = Maybe<(kTraining && kScratch > 0), Matrix<T, 1, kParts * kScratchStride>>;

  [[no_unique_address]] Outputs outputs_;
  [[no_unique_address]] GradBuffer grad_a_, grad_b_;
  [[no_unique_address]] ScratchBuffer scratch_;
  [[no_unique_address]] Maybe<kHalves, Matrix<T, 1, (kParamCount > 0 ? kParamCount : 1)>> grads1_;  // the second half's
  ConstView<T, kInputs> input_;  // the last forward's input (Train mode)
};

}  // namespace detail

template <class Mode, class InputSpec, class... Specs>
class Network
    : public detail::NetworkImpl<Mode, typename detail::CheckedInput<InputSpec>::type,
                                 typename detail::BindSpecs<Mode, typename detail::CheckedInput<InputSpec>::type::Shape,
                                                            false, detail::List<Specs...>>::type> {
 public:
  // The same stack in another mode (Infer<float, 1> for a batch-1 firmware classifier, say).
  template <class OtherMode>
  using Rebind = Network<OtherMode, InputSpec, Specs...>;
};

// An unbound stack: the architecture without a mode, as the model registry lists them.
template <class InputSpec, class... Specs>
struct Stack {
  template <class Mode>
  using Bind = Network<Mode, InputSpec, Specs...>;
  static constexpr auto kSpec = Bind<Infer<float, 1>>::kSpec;
};

}  // namespace firmnet
