// models/classifier.hpp: the one interface every classifier model meets (a concept, so calls
// are static and inline; no virtuals). A classifier maps a batch x(B, kInputs) to scores
// (B, kClasses), back-propagates dL/dscores into the gradients of its named parameters, and
// predicts the argmax class. It knows nothing of losses, optimizers or files.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>

#include "firmnet/core/label.hpp"
#include "firmnet/core/rng.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/models/param.hpp"

namespace firmnet {

template <class M>
concept Classifier = requires(M& m, const M& cm, Rng& rng, ConstView<typename M::Scalar, M::kInputs> x,
                              ConstView<typename M::Scalar, M::kClasses> dscores, Label* out) {
  typename M::Scalar;
  { M::kInputs } -> std::convertible_to<std::size_t>;
  { M::kClasses } -> std::convertible_to<std::size_t>;
  { M::kMaxBatch } -> std::convertible_to<std::size_t>;
  { M::kKind } -> std::convertible_to<const char*>;
  { M::kShape.size() } -> std::convertible_to<std::size_t>;  // dimensions as a checkpoint stores them
  { M::kParamCount } -> std::convertible_to<std::size_t>;    // total parameter scalars
  { m.forward(x) } -> std::same_as<ConstView<typename M::Scalar, M::kClasses>>;
  m.backward(dscores);
  m.params();
  m.predict(x, out);
  m.init(rng, typename M::Scalar(1));
};

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

// w ~ N(0, scale²) drawn in params() order, biases and all gradients zero.
template <class T, std::size_t N>
void init_gaussian(const std::array<Param<T>, N>& params, Rng& rng, double weight_scale) noexcept {
  for (const Param<T>& p : params) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      p.value[i] = p.regularized ? static_cast<T>(weight_scale * rng.normal()) : T(0);
      p.grad[i] = T(0);
    }
  }
}

}  // namespace firmnet
