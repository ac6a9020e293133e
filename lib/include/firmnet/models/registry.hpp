// models/registry.hpp: a compile-time list of architectures (unbound Stacks) looked up by their
// spec string at run time: how a program compiled for a set of networks picks the one a flag, a
// checkpoint or an imported model names. ModelList<Stacks...>::visit(spec, f) calls
// f(std::type_identity<Stack>{}) for the stack whose kSpec equals spec and returns true, or
// returns false if none does. Each Stack is instantiated once, however often it is looked up.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace firmnet {

template <class... Stacks>
struct ModelList {
  static constexpr std::size_t kCount = sizeof...(Stacks);
  static constexpr std::array<std::string_view, kCount> specs() noexcept { return {Stacks::kSpec.view()...}; }

  template <class F>
  static bool visit(std::string_view spec, F&& f) {
    return ((Stacks::kSpec.view() == spec ? (f(std::type_identity<Stacks>{}), true) : false) || ...);
  }

  static bool contains(std::string_view spec) noexcept {
    return ((Stacks::kSpec.view() == spec) || ...);
  }
};

// Two lists as one (the zoo's dense and convolutional entries, one list per dataset).
template <class A, class B>
struct ConcatModels;
template <class... As, class... Bs>
struct ConcatModels<ModelList<As...>, ModelList<Bs...>> {
  using type = ModelList<As..., Bs...>;
};

}  // namespace firmnet
