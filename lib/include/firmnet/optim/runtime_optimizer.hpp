// optim/runtime_optimizer.hpp: one of Sgd, Adam or AdamW chosen at run time (the programs'
// --optimizer), so a program compiles one trainer per model instead of one per optimizer. A
// std::variant: no heap, the size of the largest (Adam's two moment tensors); each call is one
// switch per parameter tensor, not per element.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

#include "firmnet/optim/adam.hpp"
#include "firmnet/optim/optimizer.hpp"
#include "firmnet/optim/sgd.hpp"

namespace firmnet {

template <class T, std::size_t ParamCount>
class RuntimeOptimizer {
 public:
  using Variant = std::variant<Sgd<T, ParamCount>, Adam<T, ParamCount>, AdamW<T, ParamCount>>;

  explicit RuntimeOptimizer(SgdConfig<T> c) : v_(std::in_place_index<0>, c) {}
  RuntimeOptimizer(AdamConfig<T> c, bool decoupled)
      : v_(decoupled ? Variant(std::in_place_index<2>, c) : Variant(std::in_place_index<1>, c)) {}

  template <std::size_t N>
  void update(const std::array<Param<T>, N>& params, T weight_decay) noexcept {
    std::visit([&](auto& o) { o.update(params, weight_decay); }, v_);
  }
  // Sgd's one pass (optim/sgd.hpp); Adam: the L2 gradients, then its update unless the penalty
  // is not finite (the trainer's two-pass path).
  template <std::size_t N>
  T update_l2(const std::array<Param<T>, N>& params, T reg) noexcept {
    return std::visit(
        [&](auto& o) -> T {
          if constexpr (requires { o.update_l2(params, reg); }) return o.update_l2(params, reg);
          else return l2_then_update(o, params, reg);
        },
        v_);
  }
  std::optional<T> plain_sgd_lr() const noexcept {
    return std::visit(
        [](const auto& o) -> std::optional<T> {
          if constexpr (requires { o.plain_sgd_lr(); }) return o.plain_sgd_lr();
          else return std::nullopt;
        },
        v_);
  }
  void decay_learning_rate() noexcept {
    std::visit([](auto& o) { o.decay_learning_rate(); }, v_);
  }
  bool decoupled_weight_decay() const noexcept {
    return std::visit([](const auto& o) { return o.decoupled_weight_decay(); }, v_);
  }
  std::string_view name() const noexcept {
    return std::visit([](const auto& o) { return o.name(); }, v_);
  }
  template <class F>
  void visit_state(F&& f) {
    std::visit([&](auto& o) { o.visit_state(f); }, v_);
  }
  Variant& get() noexcept { return v_; }

 private:
  Variant v_;
};

}  // namespace firmnet
