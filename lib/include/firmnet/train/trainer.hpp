// train/trainer.hpp: one SGD training step of a classifier, as the assignment defines it:
// forward, softmax cross-entropy + L2 penalty, backward, L2 gradients added in place, update.
// Owns the fixed-size batch buffers (x, labels, dscores), so a step allocates nothing.
// A non-finite loss stops before the update: the weights stay as they were, the caller decides.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/core/tensor.hpp"
#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/softmax_xent.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet {

template <class T>
struct StepResult {
  T loss;       // data loss + L2 penalty
  bool finite;  // false: NaN or inf, no update was made
};

template <Classifier M, class Optimizer>
class Trainer {
 public:
  using T = typename M::Scalar;
  static constexpr std::size_t kIn = M::kInputs, kClasses = M::kClasses, kMaxBatch = M::kMaxBatch;

  Trainer(M& model, Optimizer& optimizer, T reg) noexcept : model_(&model), optimizer_(&optimizer), reg_(reg) {}

  M& model() noexcept { return *model_; }
  Optimizer& optimizer() noexcept { return *optimizer_; }
  T reg() const noexcept { return reg_; }

  // One step on a prepared batch x (B, In) with labels y (B).
  StepResult<T> step(ConstView<T, kIn> x, const Label* y) noexcept {
    const auto scores = model_->forward(x);
    const auto dscores = dscores_.view(x.rows());
    T loss = softmax_xent<T, kClasses>(scores, y, dscores);
    if (!std::isfinite(loss)) return {loss, false};
    model_->backward(dscores);
    const auto params = model_->params();
    loss += apply_l2(params, reg_);
    if (!std::isfinite(loss)) return {loss, false};
    optimizer_->update(params);
    return {loss, true};
  }

  // Gathers the images `indices` of `set` through the normalizer into the batch buffer, then steps.
  StepResult<T> step(const ImageSet& set, const Normalizer<kIn, T>& norm, std::span<const std::uint32_t> indices) noexcept {
    FIRMNET_EXPECTS(indices.size() <= kMaxBatch);
    norm.gather(set, indices.data(), indices.size(), x_.view(indices.size()), y_);
    return step(x_.view(indices.size()), y_);
  }

 private:
  M* model_;
  Optimizer* optimizer_;
  T reg_;
  Matrix<T, kMaxBatch, kIn> x_;
  Label y_[kMaxBatch] = {};
  Matrix<T, kMaxBatch, kClasses> dscores_;
};

}  // namespace firmnet
