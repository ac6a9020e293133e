// train/fit.hpp: the epoch loop. For each epoch: the source reshuffles, one trainer step per
// batch, the per-epoch learning-rate decay, then the observer's end-of-epoch (evaluation,
// saving, printing: its business, so the loop itself runs on a microcontroller too). Subnormal
// floats are flushed to zero while it runs (core/fp_mode.hpp).
//
// Observer: on_epoch_start(epoch); on_iteration(epoch, iteration, loss) after every step;
// bool on_epoch_end(epoch) returns false to stop. Epochs and iterations count from 0.
#pragma once

#include <cstddef>

#include "firmnet/core/fp_mode.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/trainer.hpp"

namespace firmnet {

struct FitOptions {
  std::size_t epochs = 15;
  std::size_t first_epoch = 0;  // > 0 when resuming
};

enum class FitStatus { done, non_finite_loss, stopped };

struct FitResult {
  FitStatus status = FitStatus::done;
  std::size_t epoch = 0;      // the epoch it ended in (or epochs when done)
  std::size_t iteration = 0;  // the iteration it stopped at (non_finite_loss)
  double loss = 0;            // the last loss
};

template <class TrainerT, class Source, class Observer>
  requires BatchSource<Source, typename TrainerT::T, TrainerT::kIn>
FitResult fit(TrainerT& trainer, Source& batches, const FitOptions& options, Observer& observer) {
  const FlushSubnormals flush;
  FitResult result;
  for (std::size_t epoch = options.first_epoch; epoch < options.epochs; ++epoch) {
    observer.on_epoch_start(epoch);
    batches.start_epoch();
    for (std::size_t it = 0; it < batches.batches(); ++it) {
      const std::size_t rows = batches.fill(it, trainer.batch_x(), trainer.batch_labels());
      FIRMNET_EXPECTS(rows > 0 && rows <= TrainerT::kMaxBatch);
      const auto step = trainer.step(rows);
      result.loss = static_cast<double>(step.loss);
      if (!step.finite) return {FitStatus::non_finite_loss, epoch, it, result.loss};
      observer.on_iteration(epoch, it, result.loss);
    }
    trainer.optimizer().decay_learning_rate();  // first: a checkpoint saved at the epoch's end holds the next lr
    if (!observer.on_epoch_end(epoch)) return {FitStatus::stopped, epoch + 1, 0, result.loss};
  }
  result.epoch = options.epochs;
  return result;
}

}  // namespace firmnet
