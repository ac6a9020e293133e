// optim/optimizer.hpp: what a Trainer needs of an optimizer (a concept; no virtuals):
//   o.update(params, weight_decay)   one step over the gradients backward just wrote
//   o.decay_learning_rate()          once per epoch: lr *= lr_decay (the assignment's solver)
//   o.decoupled_weight_decay()       true (AdamW): the trainer hands it --reg as a decay of the
//                                    weights; false: the trainer adds reg/2·Σw² to the loss and
//                                    reg·w to the gradients (L2, as the assignment does)
//   o.visit_state(f)                 f(name, std::span<T>) per state tensor, f(name, T&) for the
//                                    learning rate, f(name, std::uint64_t&) for step counts:
//                                    checkpoints save and restore any optimizer through it
//   O::kName                         "sgd", "adam", "adamw"
// Optional: o.update_l2(params, reg) -> Σw² of the regularized weights before the step: the L2
// gradient reg·w added and the update made in one pass (Sgd); the trainer uses it when it has it
// and the step is not made by backward (plain_sgd_lr below).
// l2_then_update below is the two-pass form, for an optimizer (or a mode) without such a pass.
// Optional: o.plain_sgd_lr() -> std::optional<T>: the learning rate when the step is plain SGD
// (w -= lr·g, no state), which the trainer then lets a network that can (Network::kFoldsSgd)
// make in its backward.
// State lives in the optimizer, sized at compile time by the model's parameter count.
#pragma once

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "firmnet/layers/param.hpp"
#include "firmnet/loss/l2.hpp"

namespace firmnet {

namespace detail {
struct StateProbe {
  template <class T>
  void operator()(const char*, std::span<T>) const noexcept {}
  template <class T>
  void operator()(const char*, T&) const noexcept {}
};
}  // namespace detail

template <class O, class T, std::size_t N>
concept Optimizer = requires(O& o, const O& co, const std::array<Param<T>, N>& params, T weight_decay) {
  o.update(params, weight_decay);
  o.decay_learning_rate();
  { co.decoupled_weight_decay() } -> std::convertible_to<bool>;
  o.visit_state(detail::StateProbe{});
  { co.name() } -> std::convertible_to<std::string_view>;
};

// The L2 gradients (loss/l2.hpp), then o's update, unless Σw² is not finite (the trainer then
// stops with the weights as they were). Returns Σw², as update_l2 does.
template <class O, class T, std::size_t N>
T l2_then_update(O& o, const std::array<Param<T>, N>& params, T reg) noexcept {
  const T sum_sq = l2_grad_sum(params, reg);
  if (std::isfinite(sum_sq)) o.update(params, T(0));
  return sum_sq;
}

}  // namespace firmnet
