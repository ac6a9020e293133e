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
// gradient reg·w added and the update made in one pass (Sgd); the trainer uses it when it has it.
// State lives in the optimizer, sized at compile time by the model's parameter count.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "firmnet/layers/param.hpp"

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

}  // namespace firmnet
