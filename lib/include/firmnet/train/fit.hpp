// train/fit.hpp: the assignment's training loop. For each epoch: reshuffle, one step per batch,
// then train and validation accuracy over every image, then the per-epoch learning-rate decay.
// What to print, plot or save is the observer's business (examples/train prints the
// assignment's log and writes the checkpoint), so the loop itself runs on a microcontroller too.
//
// Observer: on_epoch_start(epoch); on_iteration(epoch, iteration, loss) after every step;
// on_evaluate(epoch) before the accuracy pass; bool on_epoch_end(epoch, train_acc, val_acc)
// returns false to stop. Epochs and iterations count from 0.
#pragma once

#include <cstddef>

#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/sampler.hpp"
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

template <class TrainerT, class Observer>
FitResult fit(TrainerT& trainer, ShufflingSampler& sampler, const ImageSet& train, const ImageSet& val,
              const Normalizer<TrainerT::kIn, typename TrainerT::T>& norm,
              Matrix<typename TrainerT::T, TrainerT::kMaxBatch, TrainerT::kIn>& eval_scratch, const FitOptions& options,
              Observer& observer) {
  FIRMNET_EXPECTS(sampler.count() == train.count && sampler.batch_size() <= TrainerT::kMaxBatch);
  FitResult result;
  for (std::size_t epoch = options.first_epoch; epoch < options.epochs; ++epoch) {
    observer.on_epoch_start(epoch);
    sampler.start_epoch();
    for (std::size_t it = 0; it < sampler.batches_per_epoch(); ++it) {
      const auto step = trainer.step(train, norm, sampler.batch(it));
      result.loss = static_cast<double>(step.loss);
      if (!step.finite) return {FitStatus::non_finite_loss, epoch, it, result.loss};
      observer.on_iteration(epoch, it, result.loss);
    }
    observer.on_evaluate(epoch);
    const double train_acc = check_accuracy(trainer.model(), norm, train, eval_scratch);
    const double val_acc = check_accuracy(trainer.model(), norm, val, eval_scratch);
    trainer.optimizer().decay_learning_rate();
    if (!observer.on_epoch_end(epoch, train_acc, val_acc)) return {FitStatus::stopped, epoch + 1, 0, result.loss};
  }
  result.epoch = options.epochs;
  return result;
}

}  // namespace firmnet
