// train/trainer.hpp: one training step of any model with any loss and optimizer:
//   forward, loss (+ L2 penalty), backward, L2 gradients added in place, optimizer update.
// --reg combines with the optimizer as it says (optim/optimizer.hpp): as L2 in the loss and the
// gradients (SGD, Adam), or as the decoupled decay AdamW applies to the weights itself.
// Owns the fixed-size batch buffers (x, labels, dscores), so a step allocates nothing.
// A non-finite loss stops before the update: the weights stay as they were, the caller decides.
// Plain SGD (momentum 0) on a network that can fold it (Network::kFoldsSgd: dense layers) is made
// by backward itself, each weight matrix stepped as its gradient is stored (kernels::gemm_tn_sgd),
// after the penalty is summed (kernels::sumsq): the same bits as the step below, and the loss,
// penalty included, checked before any weight changes. Otherwise, with L2, an optimizer's
// update_l2 adds the gradient reg·w; plain SGD does that, sums the penalty and updates in one pass
// over each weight matrix, so there only the data loss is checked before the update, and a
// penalty that is not finite (a weight already inf or NaN, or Σw² beyond float's range) is
// reported after it.
#pragma once

#include <cmath>
#include <cstddef>

#include "firmnet/core/label.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/loss/l2.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet {

template <class T>
struct StepResult {
  T loss;       // data loss + L2 penalty
  bool finite;  // false: NaN or inf, no update was made
};

template <Classifier M, class Loss, class Optimizer>
class Trainer {
 public:
  using T = typename M::Scalar;
  using Model = M;
  static constexpr std::size_t kIn = M::kInputs, kClasses = M::kClasses, kMaxBatch = M::kMaxBatch;

  Trainer(M& model, Optimizer& optimizer, T reg, Loss loss = Loss{}) noexcept
      : model_(&model), optimizer_(&optimizer), reg_(reg), loss_(loss) {}

  M& model() noexcept { return *model_; }
  Optimizer& optimizer() noexcept { return *optimizer_; }
  T reg() const noexcept { return reg_; }
  const Loss& loss() const noexcept { return loss_; }

  // The batch buffer a batch source fills (rows <= kMaxBatch) before step(rows).
  View<T, kIn> batch_x() noexcept { return x_.view(); }
  Label* batch_labels() noexcept { return y_; }
  StepResult<T> step(std::size_t rows) noexcept { return step(x_.view(rows), y_); }

  // One step on x (B, In) with labels y (B). x must not change until the step returns.
  StepResult<T> step(ConstView<T, kIn> x, const Label* y) noexcept {
    const auto scores = model_->forward(x);
    const auto dscores = dscores_.view(x.rows());
    T loss = loss_.template compute<T, kClasses>(scores, y, dscores);
    if (!std::isfinite(loss)) return {loss, false};
    const auto params = model_->params();
    const bool decoupled = optimizer_->decoupled_weight_decay();
    if constexpr (requires { M::kFoldsSgd; optimizer_->plain_sgd_lr(); }) {
      if constexpr (M::kFoldsSgd) {
        if (const auto lr = optimizer_->plain_sgd_lr(); lr && !decoupled) {
          // The penalty as update_l2 sums it, before backward changes the weights.
          T sum_sq = 0;
          if (reg_ != T(0))
            for (const Param<T>& p : params)
              if (p.regularized) sum_sq += kernels::sumsq(p.value, p.size());
          loss += reg_ != T(0) ? T(0.5) * reg_ * sum_sq : T(0);
          if (!std::isfinite(loss)) return {loss, false};
          const FoldedSgd<T> sgd{*lr, reg_};
          model_->backward(dscores, &sgd);
          return {loss, true};
        }
      }
    }
    model_->backward(dscores);
    if constexpr (requires { optimizer_->update_l2(params, reg_); }) {
      if (!decoupled && reg_ != T(0)) {
        loss += T(0.5) * reg_ * optimizer_->update_l2(params, reg_);
        return {loss, std::isfinite(loss)};
      }
    }
    if (!decoupled) loss += apply_l2(params, reg_);
    if (!std::isfinite(loss)) return {loss, false};
    optimizer_->update(params, decoupled ? reg_ : T(0));
    return {loss, true};
  }

 private:
  M* model_;
  Optimizer* optimizer_;
  T reg_;
  Loss loss_;
  Matrix<T, kMaxBatch, kIn> x_;
  Label y_[kMaxBatch] = {};
  Matrix<T, kMaxBatch, kClasses> dscores_;
};

}  // namespace firmnet
