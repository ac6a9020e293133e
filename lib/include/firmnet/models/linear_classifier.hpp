// models/linear_classifier.hpp: scores(B,Classes) = x(B,In)·w(In,Classes) + b.
// Parameters "w", "b". MaxBatch bounds the batch of one forward; T is float, or double for
// gradient checks. Statically allocatable: sizeof is the parameter, gradient and output bytes.
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/layers/fc.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet {

template <std::size_t In, std::size_t Classes, std::size_t MaxBatch = 64, class T = float>
struct LinearClassifier {
  static_assert(Classes >= 2 && Classes <= kMaxClasses);
  using Scalar = T;
  static constexpr std::size_t kInputs = In, kClasses = Classes, kMaxBatch = MaxBatch;
  static constexpr const char* kKind = "linear";
  static constexpr std::array<std::size_t, 2> kShape{In, Classes};
  static constexpr std::size_t kParamCount = In * Classes + Classes;

  Fc<T, In, Classes, MaxBatch, Activation::none, /*GradInput=*/false> fc;

  ConstView<T, Classes> forward(ConstView<T, In> x) noexcept { return fc.forward(x); }
  void backward(ConstView<T, Classes> dscores) noexcept { fc.backward(dscores); }
  void predict(ConstView<T, In> x, Label* out) noexcept { argmax_rows(forward(x), out); }

  std::array<Param<T>, 2> params() noexcept {
    return {{{"w", fc.w.data(), fc.dw.data(), In, Classes, true},
             {"b", fc.b.data(), fc.db.data(), 1, Classes, false}}};
  }
  void init(Rng& rng, T weight_scale) noexcept { init_gaussian(params(), rng, double(weight_scale)); }
};

}  // namespace firmnet
