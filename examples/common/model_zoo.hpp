// examples/common/model_zoo.hpp: the models the example programs are compiled for. Shapes are
// template parameters, so a run-time choice (--dataset, --model, --hidden, or a checkpoint's
// shape) picks one of these instantiations.
//   inputs:  784 (Fashion-MNIST) or 3072 (CIFAR-10); classes: 10
//   models:  linear, or two-layer with hidden in kHiddenSizes
//   batches: up to kMaxBatch rows per step
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"

namespace firmnet::examples {

inline constexpr std::size_t kMaxBatch = 256;
inline constexpr std::size_t kClasses = 10;
inline constexpr std::array<std::size_t, 5> kHiddenSizes{64, 128, 256, 512, 1024};

inline std::string hidden_sizes_text() {
  std::string s;
  for (const auto h : kHiddenSizes) {
    if (!s.empty()) s += ", ";
    s += std::to_string(h);
  }
  return s;
}

inline bool is_compiled_hidden(std::size_t hidden) {
  for (const auto h : kHiddenSizes)
    if (h == hidden) return true;
  return false;
}

namespace detail {
template <std::size_t In, class F, std::size_t... I>
decltype(auto) with_hidden(std::size_t hidden, F&& f, std::index_sequence<I...>) {
  using R = decltype(f(std::type_identity<TwoLayerNet<In, kHiddenSizes[0], kClasses, kMaxBatch>>{}));
  if constexpr (std::is_void_v<R>) {
    ((hidden == kHiddenSizes[I] ? (f(std::type_identity<TwoLayerNet<In, kHiddenSizes[I], kClasses, kMaxBatch>>{}), true)
                                : false) ||
     ...);
  } else {
    R result{};
    ((hidden == kHiddenSizes[I]
          ? (result = f(std::type_identity<TwoLayerNet<In, kHiddenSizes[I], kClasses, kMaxBatch>>{}), true)
          : false) ||
     ...);
    return result;
  }
}

template <std::size_t In, class F>
decltype(auto) with_model_of_input(const std::string& kind, std::size_t hidden, F&& f) {
  if (kind == "linear") return f(std::type_identity<LinearClassifier<In, kClasses, kMaxBatch>>{});
  return with_hidden<In>(hidden, f, std::make_index_sequence<kHiddenSizes.size()>{});
}
}  // namespace detail

// Calls f(std::type_identity<Model>{}) for the model of this input size, kind and hidden size.
// The caller validates the arguments first (is_compiled_hidden, input 784 or 3072).
template <class F>
decltype(auto) with_model(std::size_t inputs, const std::string& kind, std::size_t hidden, F&& f) {
  if (inputs == 784) return detail::with_model_of_input<784>(kind, hidden, f);
  return detail::with_model_of_input<3072>(kind, hidden, f);
}

}  // namespace firmnet::examples
