// layers/layer.hpp: what a layer is, in two forms.
//
// A layer SPEC is what a user writes in a stack: Fc<256>, Relu, Conv2d<32, 5, 5, Pad<2>>, ...
// It knows its own arguments, not its input. Every spec S provides
//   template <class InShape> using Out = Shape<...>;   the output shape for an input shape
//                                                      (a static_assert explains a bad input)
//   template <class B> using Layer = ...;              the layer bound by B (a Bind<...> below)
//   static constexpr bool kFusesRelu;                  a Relu right after it folds into it
//
// A BOUND layer L = S::Layer<B> is what a Network holds: the spec fixed to a scalar type, a
// maximum batch, a mode, its input shape, whether the stack needs its input gradient and whether
// a ReLU is fused in. It owns its parameters (and in Train mode their gradients) and nothing
// else: the network owns activations, gradients and scratch and hands views of them in. So one
// protocol covers dense, convolution, pooling and shape-only layers, and int8 twins mirror it.
//   using In = InShape; using Out = ...;   kIn = In::kSize, kOut = Out::kSize values per sample
//   static constexpr auto kSpec;           its token in the architecture spec ("fc:256+relu")
//   static constexpr std::size_t kParams;  how many parameter tensors (0 or 2: weights, bias)
//   static constexpr std::size_t kScratch; elements of the network's shared scratch it may use
//                                          (im2col columns, GEMM packs) at the maximum batch
//   static constexpr bool kInPlace;        its output IS its input (Flatten): no buffer of its own
//   static constexpr bool kPerInputWeights (optional, false if absent): every input value has
//                                          weights of its own (dense), so a per-input offset of
//                                          the input folds into its bias
//   void forward(ConstView<T, kIn> x, View<T, kOut> y, Scratch<T> s) const;
//   Train mode only:
//   ConstView<T, kIn> backward(ConstView<T, kIn> x, ConstView<T, kOut> y, View<T, kOut> dy,
//                              View<T, kIn> dx, Scratch<T> s);
//       from the forward's x and y and dL/dy, writes its parameters' gradients and, if the stack
//       asked for it (B::kGradInput), dL/dx into dx and returns it (else returns an empty view).
//       dy may be overwritten (a fused ReLU masks it in place). A layer with parameters takes
//       one more argument, Grads<T> g = {}: where its weight and bias gradients go instead of
//       its own dw and db (a network running two halves of a batch keeps the second half's apart).
//   static constexpr bool kFoldsSgd (optional, false if absent): given g.sgd (FoldedSgd below),
//       its backward steps its parameters by plain SGD itself, after everything in it that reads
//       them, with the bits of the optimizer's step, and keeps no gradients; a network whose
//       layers with parameters all can (Network::kFoldsSgd) lets the trainer skip the optimizer
//       pass (Fc folds the weights' step into the store of their gradient's product).
//   static constexpr bool kBatchHalves (optional, false if absent): its work per sample is large
//       (a convolution), so a network holding it trains and predicts in two halves of the batch,
//       one per thread through every layer, rather than splitting each layer's kernels.
//   std::array<Param<T>, kParams> params();  weights then bias; the network names them w1, b1, ...
//   Infer mode: params() too (grad null), so checkpoints load the same way; no gradients kept.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "firmnet/core/shape.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/gemm.hpp"

namespace firmnet {

// Training: parameters with gradients, every layer's output kept for the backward pass.
template <class T, std::size_t MaxBatch>
struct Train {
  using Scalar = T;
  static constexpr std::size_t kMaxBatch = MaxBatch;
  static constexpr bool kTraining = true;
};

// Inference only: parameters (which may be const: in flash), no gradients, no backward caches;
// activations in two ping-pong buffers of a Workspace.
template <class T, std::size_t MaxBatch>
struct Infer {
  using Scalar = T;
  static constexpr std::size_t kMaxBatch = MaxBatch;
  static constexpr bool kTraining = false;
};

// How a spec is bound: everything a layer needs to know that its spec does not say.
template <class Mode, class InShape, bool GradInput, bool FusedRelu>
struct Bind {
  using Scalar = typename Mode::Scalar;
  using In = InShape;
  static constexpr std::size_t kMaxBatch = Mode::kMaxBatch;
  static constexpr bool kTraining = Mode::kTraining;
  static constexpr bool kGradInput = GradInput && Mode::kTraining;  // the stack needs dL/dx
  static constexpr bool kFusedRelu = FusedRelu;
};

// The first spec of a stack: the shape of one sample. Input<784> is a vector, Input<28, 28, 1>
// an image (NHWC, core/shape.hpp).
template <std::size_t... Dims>
struct Input;
template <std::size_t N>
struct Input<N> {
  using Shape = Flat<N>;
};
template <std::size_t H, std::size_t W, std::size_t C>
struct Input<H, W, C> {
  using Shape = firmnet::Shape<H, W, C>;
};

// Plain SGD (momentum 0) applied by backward itself (Network::kFoldsSgd):
//   w -= lr·(dw + reg·w),  b -= lr·db
// with the bits of the optimizer's step after backward (Sgd::update_l2, or update when reg is 0).
template <class T>
struct FoldedSgd {
  T lr;
  T reg;
};

// Where a layer's backward writes its parameters' gradients: w's and b's, or null for its own.
// With sgd, a layer that declares kFoldsSgd steps its parameters instead, as soon as nothing in
// its backward reads them any more (its gradients are then not kept).
template <class T>
struct Grads {
  T* w = nullptr;
  T* b = nullptr;
  const FoldedSgd<T>* sgd = nullptr;
};

// The shared scratch a network lends its layers, in the network's scalar type: im2col columns,
// and (for float) the GEMM's pack buffers. kScratch counts elements of T.
template <class T>
using Scratch = std::span<T>;

// The GEMM's part of a layer's scratch: packs are float; a double (gradient-check) network packs
// nothing (kernels/gemm.hpp runs its portable loops).
template <class T>
kernels::Scratch gemm_scratch(std::span<T> s) noexcept {
  if constexpr (std::is_same_v<T, float>) return s;
  else return {};
}
template <class T>
constexpr std::size_t gemm_floats(std::size_t floats) noexcept {
  return std::is_same_v<T, float> ? floats : 0;
}

// A view of (rows, Cols) over a buffer the network owns for several layers of other widths.
template <std::size_t Cols, class T>
constexpr View<T, Cols> view_of(T* data, std::size_t rows) noexcept {
  return View<T, Cols>(data, rows);
}

}  // namespace firmnet
