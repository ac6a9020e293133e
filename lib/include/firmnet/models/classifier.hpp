// models/classifier.hpp: what the trainer, the accuracy pass and the checkpoint code need of a
// model (a concept: calls are static and inline, no virtuals). Every Network in Train mode meets
// it: it maps x(B, kInputs) to scores(B, kClasses), back-propagates dL/dscores into the
// gradients of its named parameters, predicts the argmax class, and names its architecture.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>

#include "firmnet/core/label.hpp"
#include "firmnet/core/rng.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/models/init.hpp"

namespace firmnet {

template <class M>
concept Classifier = requires(M& m, Rng& rng, ConstView<typename M::Scalar, M::kInputs> x,
                              View<typename M::Scalar, M::kClasses> dscores, Label* out) {
  typename M::Scalar;
  { M::kInputs } -> std::convertible_to<std::size_t>;
  { M::kClasses } -> std::convertible_to<std::size_t>;
  { M::kMaxBatch } -> std::convertible_to<std::size_t>;
  { M::kParamCount } -> std::convertible_to<std::size_t>;  // total parameter scalars
  { M::kSpec.view() } -> std::convertible_to<std::string_view>;  // the architecture spec
  { m.forward(x) } -> std::same_as<ConstView<typename M::Scalar, M::kClasses>>;
  m.backward(dscores);
  m.params();
  m.predict(x, out);
  m.init(rng, InitRule::he());
};

}  // namespace firmnet
