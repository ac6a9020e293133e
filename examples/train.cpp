// train: the assignment's train.py in firmnet. Trains a two-layer net (or a linear classifier)
// on Fashion-MNIST or CIFAR-10 with SGD, logs the loss every --print-every iterations and train/val
// accuracy, images/s and elapsed time every epoch, writes an SVG plot, a CSV of the same figures
// and a checkpoint after every epoch (atomically). Run with --help for the flags.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/kernels.hpp"
#include "common/model_zoo.hpp"
#include "common/train_options.hpp"
#include "common/train_state.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/core/arch.hpp"
#include "firmnet/io/data_fingerprint.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/report.hpp"
#include "firmnet/train/fit.hpp"
#include "firmnet/train/sgd.hpp"

namespace {

using namespace firmnet;
using examples::Options;
using examples::parse_options;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string data_dir_text(const Options& o) {
  return "--data-dir " + (o.data_dir.empty() ? io::default_data_dir(o.dataset) : o.data_dir);
}

// Prints the assignment's log, keeps the history, writes plot, CSV and checkpoint every epoch.
template <class Model, class Optimizer>
class TrainLog {
 public:
  TrainLog(const Options& o, Model& model, const Normalizer<Model::kInputs>& norm, const Optimizer& optimizer,
           ShufflingSampler& sampler, std::size_t iterations, std::size_t batch_images, std::string fingerprint)
      : o_(o), model_(model), norm_(norm), optimizer_(optimizer), sampler_(sampler), iterations_(iterations),
        batch_images_(batch_images), fingerprint_(std::move(fingerprint)) {
    history_.title = std::string("firmnet ") + Model::kKind + " " + io::shape_text(Model::kShape) + " on " + o.dataset +
                     ", batch " + std::to_string(o.batch_size) + ", lr " + number(o.lr) + ", reg " + number(o.reg);
    history_.iterations_per_epoch = iterations;
  }

  void on_epoch_start(std::size_t epoch) {
    std::printf("Starting epoch %zu / %zu\n", epoch + 1, o_.epochs);
    std::fflush(stdout);
    epoch_start_ = Clock::now();
  }
  void on_iteration(std::size_t, std::size_t it, double loss) {
    history_.loss.push_back(loss);
    if (it % o_.print_every == 0) {
      std::printf("Iteration %zu / %zu, loss = %.6f\n", it, iterations_, loss);
      std::fflush(stdout);
    }
  }
  void on_evaluate(std::size_t) {
    train_seconds_ = seconds_since(epoch_start_);
    std::printf("Checking accuracy\n");
    std::fflush(stdout);
  }
  bool on_epoch_end(std::size_t epoch, double train_acc, double val_acc) {
    const double epoch_seconds = seconds_since(epoch_start_);
    const double images_per_second = train_seconds_ > 0 ? double(iterations_ * batch_images_) / train_seconds_ : 0;
    std::printf("Train: %.2f\nVal: %.2f\n", 100 * train_acc, 100 * val_acc);
    std::printf("Epoch %zu / %zu: %.2f s (training %.2f s, %.0f images/s; accuracy %.2f s), elapsed %.1f s\n",
                epoch + 1, o_.epochs, epoch_seconds, train_seconds_, images_per_second, epoch_seconds - train_seconds_,
                seconds_since(run_start_));
    history_.epochs.push_back({epoch + 1, train_acc, val_acc, epoch_seconds, images_per_second});
    save(epoch + 1);
    std::fflush(stdout);
    return true;
  }

  const io::TrainingHistory& history() const { return history_; }
  io::TrainingHistory& history() { return history_; }
  // A resumed run that was told to continue on other data: what it was trained on before.
  void note_data_change(std::size_t epochs_done, const std::string& before, const std::string& earlier_changes) {
    data_changes_ = earlier_changes;
    if (!data_changes_.empty()) data_changes_ += "; ";
    data_changes_ += "before epoch " + std::to_string(epochs_done + 1) + ": " + before;
  }
  double elapsed() const { return seconds_since(run_start_); }

 private:
  static std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  void save(std::size_t epochs_done) {
    io::Checkpoint c = io::make_checkpoint(model_, norm_);
    c.set_metadata("lr", number(o_.lr));  // readable copies; the exact values are in save_train_state
    c.set_metadata("reg", number(o_.reg));
    c.set_metadata("train_accuracy", number(history_.epochs.back().train_accuracy));
    c.set_metadata("val_accuracy", number(history_.epochs.back().val_accuracy));
    c.set_metadata(io::kDataFingerprintKey, fingerprint_);
    if (!data_changes_.empty()) c.set_metadata("data_changes", data_changes_);
    examples::save_train_state(c, o_, epochs_done, optimizer_, sampler_, history_);
    io::write_checkpoint(o_.checkpoint_file, c);
    io::write_history_svg(o_.plot_file, history_);
    io::write_history_csv(o_.csv_file, history_);
  }

  const Options& o_;
  Model& model_;
  const Normalizer<Model::kInputs>& norm_;
  const Optimizer& optimizer_;
  ShufflingSampler& sampler_;
  std::size_t iterations_;
  std::size_t batch_images_;
  std::string fingerprint_;   // of the data this run trains on (io/data_fingerprint.hpp)
  std::string data_changes_;  // earlier data of a run continued with --continue-on-new-data
  io::TrainingHistory history_;
  Clock::time_point run_start_ = Clock::now();
  Clock::time_point epoch_start_ = Clock::now();
  double train_seconds_ = 0;
};

// resume: the checkpoint to continue from, or null for a new run.
template <class Model>
int train(const Options& o, const io::Dataset& data, const io::Splits& splits, const io::Checkpoint* resume) {
  // Set-up: everything is allocated here, once; the training loop allocates nothing.
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  auto sgd = std::make_unique<SgdMomentum<float, Model::kParamCount>>();
  auto eval_scratch = std::make_unique<Matrix<float, Model::kMaxBatch, Model::kInputs>>();
  Rng rng(o.seed);
  model->init(rng, static_cast<float>(o.weight_scale));
  norm->fit(splits.train);
  sgd->config = {static_cast<float>(o.lr), static_cast<float>(o.momentum), static_cast<float>(o.lr_decay)};
  auto trainer = std::make_unique<Trainer<Model, SgdMomentum<float, Model::kParamCount>>>(*model, *sgd,
                                                                                         static_cast<float>(o.reg));
  std::vector<std::uint32_t> order(splits.train.count);
  // The sampler has its own stream, so changing the model's size does not change the shuffles.
  ShufflingSampler sampler(order, o.batch_size, o.keep_last_batch, o.seed ^ 0x5EED5A3D1E5ull);

  std::printf("firmnet train: %s %s on %s: %zu train, %zu val, %zu test images\n", Model::kKind,
              io::shape_text(Model::kShape).c_str(), data.name.c_str(), splits.train.count, splits.val.count,
              splits.test.count);
  std::printf("  batch %zu, lr %g, reg %g, momentum %g, lr decay %g, weight scale %g, %zu epochs, seed %llu\n",
              o.batch_size, o.lr, o.reg, o.momentum, o.lr_decay, o.weight_scale, o.epochs,
              static_cast<unsigned long long>(o.seed));
  std::printf("  kernels: %s, %zu thread%s\n", examples::kernels_text().c_str(), o.threads, o.threads == 1 ? "" : "s");

  using Optimizer = SgdMomentum<float, Model::kParamCount>;
  TrainLog<Model, Optimizer> log(o, *model, *norm, *sgd, sampler, sampler.batches_per_epoch(), o.batch_size,
                                 io::data_fingerprint(data.name, splits));
  std::size_t first_epoch = 0;
  if (resume) {
    const std::string changed = io::data_mismatch(*resume, data.name, splits);
    if (!changed.empty() && !o.continue_on_new_data)
      throw io::Error(o.checkpoint_file + " was trained on other data than " + data_dir_text(o) + " holds now (" +
                      changed + "); pass --continue-on-new-data to train on this data anyway");
    io::load_checkpoint_into(*resume, o.checkpoint_file, *model, *norm);
    first_epoch = examples::restore_train_state(*resume, o.checkpoint_file, *sgd, sampler, log.history());
    if (!changed.empty()) {
      const std::string* before = resume->find_metadata(io::kDataFingerprintKey);
      const std::string* earlier = resume->find_metadata("data_changes");
      log.note_data_change(first_epoch, before ? *before : "unrecorded data", earlier ? *earlier : "");
      std::fprintf(stderr, "train: warning: continuing on other data than %s was trained on (%s); its input mean stays\n",
                   o.checkpoint_file.c_str(), changed.c_str());
    }
    std::printf("Resuming from %s after epoch %zu of %zu\n", o.checkpoint_file.c_str(), first_epoch, o.epochs);
  }
  const FitResult result =
      fit(*trainer, sampler, splits.train, splits.val, *norm, *eval_scratch, FitOptions{o.epochs, first_epoch}, log);
  if (result.status == FitStatus::non_finite_loss) {
    const std::string kept = log.history().epochs.empty()
                                 ? std::string("no checkpoint was written")
                                 : o.checkpoint_file + " holds the last finite epoch";
    std::fprintf(stderr,
                 "train: error: the loss became %g at epoch %zu, iteration %zu; training stopped before that update, "
                 "%s (try a smaller --lr; it is %g)\n",
                 result.loss, result.epoch + 1, result.iteration, kept.c_str(), o.lr);
    return 1;
  }
  if (log.history().epochs.empty()) return 0;
  const auto& last = log.history().epochs.back();
  // %.9g prints a float exactly enough to tell any two apart: reruns with a seed must match it.
  std::printf("Done: %zu epochs in %.1f s. Train: %.2f, Val: %.2f, final loss %.9g\n", o.epochs, log.elapsed(),
              100 * last.train_accuracy, 100 * last.val_accuracy, result.loss);
  std::printf("Wrote %s, %s and %s\n", o.checkpoint_file.c_str(), o.plot_file.c_str(), o.csv_file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    if (!parse_options(argc, argv, o)) return 0;
    std::unique_ptr<io::Checkpoint> resume;
    if (o.resume) {
      resume = std::make_unique<io::Checkpoint>(io::read_checkpoint(o.checkpoint_file));
      o = examples::resumed_options(*resume, o.checkpoint_file, o);
    }
    examples::GemmThreads threads(o.threads);
    const io::Dataset data = io::load_dataset(o.dataset, o.data_dir);
    const io::Splits splits = io::split(data, o.num_train, o.num_val);
    if (!o.keep_last_batch && splits.train.count < o.batch_size)
      throw cli::UsageError("--batch-size " + std::to_string(o.batch_size) + " is more than the " +
                            std::to_string(splits.train.count) +
                            " training images (--num-train): no full batch to train on; pass --keep-last-batch to "
                            "train on the partial batch, or a smaller --batch-size");
    return examples::with_model(io::input_dim(o.dataset), o.model, o.hidden, [&](auto model_type) {
      return train<typename decltype(model_type)::type>(o, data, splits, resume.get());
    });
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "train: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train: error: %s\n", e.what());
    return 1;
  }
}
