// loss/loss.hpp: the losses a Trainer can train with, behind one shape:
//   T L::compute(ConstView<T, C> scores, const Label* labels, View<T, C> dscores)
// returns the mean loss over the rows and writes dL/dscores. Both take class labels as targets:
//   SoftmaxCrossEntropy  -1/N Σ log softmax(s)[y]                  (loss/softmax_xent.hpp)
//   MeanSquaredError     0.5/N Σ_rows Σ_c (s_c - [c == y])²       (on one-hot targets; mse.hpp)
// RuntimeLoss picks one by name at run time (the programs' --loss), for one compiled trainer.
#pragma once

#include <cstddef>
#include <string_view>

#include "firmnet/core/label.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/loss/mse.hpp"
#include "firmnet/loss/softmax_xent.hpp"

namespace firmnet {

struct SoftmaxCrossEntropy {
  static constexpr std::string_view kName = "softmax";
  template <class T, std::size_t C>
  T compute(ConstView<T, C> scores, const Label* labels, View<T, C> dscores) const noexcept {
    return softmax_xent<T, C>(scores, labels, dscores);
  }
};

struct MeanSquaredError {
  static constexpr std::string_view kName = "mse";
  template <class T, std::size_t C>
  T compute(ConstView<T, C> scores, const Label* labels, View<T, C> dscores) const noexcept {
    return mse_one_hot<T, C>(scores, labels, dscores);
  }
};

class RuntimeLoss {
 public:
  enum class Kind { softmax, mse };
  constexpr explicit RuntimeLoss(Kind kind = Kind::softmax) noexcept : kind_(kind) {}
  // "softmax" or "mse"; false for any other name.
  static constexpr bool parse(std::string_view name, RuntimeLoss& out) noexcept {
    if (name == SoftmaxCrossEntropy::kName) return out = RuntimeLoss(Kind::softmax), true;
    if (name == MeanSquaredError::kName) return out = RuntimeLoss(Kind::mse), true;
    return false;
  }
  constexpr std::string_view name() const noexcept {
    return kind_ == Kind::mse ? MeanSquaredError::kName : SoftmaxCrossEntropy::kName;
  }
  template <class T, std::size_t C>
  T compute(ConstView<T, C> scores, const Label* labels, View<T, C> dscores) const noexcept {
    if (kind_ == Kind::mse) return MeanSquaredError{}.compute(scores, labels, dscores);
    return SoftmaxCrossEntropy{}.compute(scores, labels, dscores);
  }

 private:
  Kind kind_;
};

}  // namespace firmnet
