// train: the assignment's train.py in firmnet, for any compiled network. Trains on Fashion-MNIST
// or CIFAR-10 with SGD, Adam or AdamW on softmax cross-entropy or MSE, logs the loss every
// --print-every iterations and train/val accuracy, images/s and elapsed time every epoch, writes
// an SVG plot, a CSV of the same figures and a checkpoint after every epoch (atomically).
// Run with --help for the flags, --list-models for the networks compiled in.
#include <chrono>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/checkpoint_model.hpp"
#include "common/kernels.hpp"
#include "common/model_zoo.hpp"
#include "common/train_options.hpp"
#include "common/train_state.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/data_fingerprint.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/report.hpp"
#include "firmnet/io/train_state.hpp"
#include "firmnet/optim/runtime_optimizer.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"

namespace {

using namespace firmnet;
using examples::Options;
using examples::parse_options;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string data_dir_text(const Options& o) {
  return "--data-dir " + (o.data_dir.empty() ? io::default_data_dir(o.dataset) : o.data_dir);
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// ", flip, shift 2": the augmentation of the training images, if any.
std::string augmentation_text(const Options& o) {
  std::string s = o.flip ? ", flip" : "";
  if (o.shift > 0) s += ", shift " + std::to_string(o.shift) + " px";
  return s;
}

// Prints the assignment's log, evaluates every epoch, keeps the history, writes plot, CSV and
// checkpoint every epoch.
template <class Model, class Optimizer>
class TrainLog {
 public:
  TrainLog(const Options& o, Model& model, const Normalizer<Model::kInputs>& norm, Optimizer& optimizer,
           ShufflingSampler& sampler, const io::Splits& splits, Matrix<float, Model::kMaxBatch, Model::kInputs>& eval,
           std::size_t iterations, std::string fingerprint)
      : o_(o), model_(model), norm_(norm), optimizer_(optimizer), sampler_(sampler), splits_(splits), eval_(eval),
        iterations_(iterations), fingerprint_(std::move(fingerprint)) {
    const std::string decay = o.lr_decay != 1.0 ? " x" + number(o.lr_decay) + " per epoch" : "";
    history_.title = "firmnet " + o.model + " (" + std::string(Model::kSpec.view()) + ") on " + o.dataset + ", " +
                     o.optimizer + " lr " + number(o.lr) + decay + ", batch " + std::to_string(o.batch_size) +
                     ", reg " + number(o.reg) + augmentation_text(o);
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
  bool on_epoch_end(std::size_t epoch) {
    const double train_seconds = seconds_since(epoch_start_);
    std::printf("Checking accuracy\n");
    std::fflush(stdout);
    const std::size_t n = o_.train_eval == 0 ? splits_.train.count : std::min(o_.train_eval, splits_.train.count);
    const double train_acc = check_accuracy(model_, norm_, splits_.train.slice(0, n), eval_);
    const double val_acc = check_accuracy(model_, norm_, splits_.val, eval_);
    const double epoch_seconds = seconds_since(epoch_start_);
    const double images_per_second = train_seconds > 0 ? double(iterations_ * o_.batch_size) / train_seconds : 0;
    std::printf("Train: %.2f\nVal: %.2f\n", 100 * train_acc, 100 * val_acc);
    std::printf("Epoch %zu / %zu: %.2f s (training %.2f s, %.0f images/s; accuracy %.2f s), elapsed %.1f s\n",
                epoch + 1, o_.epochs, epoch_seconds, train_seconds, images_per_second, epoch_seconds - train_seconds,
                seconds_since(run_start_));
    history_.epochs.push_back({epoch + 1, train_acc, val_acc, epoch_seconds, images_per_second});
    save(epoch + 1);
    std::fflush(stdout);
    return true;
  }

  io::TrainingHistory& history() { return history_; }
  double elapsed() const { return seconds_since(run_start_); }
  // A resumed run that was told to continue on other data: what it was trained on before.
  void note_data_change(std::size_t epochs_done, const std::string& before, const std::string& earlier_changes) {
    data_changes_ = earlier_changes;
    if (!data_changes_.empty()) data_changes_ += "; ";
    data_changes_ += "before epoch " + std::to_string(epochs_done + 1) + ": " + before;
  }

 private:
  void save(std::size_t epochs_done) {
    io::Checkpoint c = io::make_checkpoint(model_, norm_);
    for (auto& [k, v] : examples::run_settings(o_)) c.set_metadata(k, v);
    c.set_metadata("lr", number(o_.lr));  // readable copies; the exact values are the *_bits
    c.set_metadata("reg", number(o_.reg));
    c.set_metadata("train_accuracy", number(history_.epochs.back().train_accuracy));
    c.set_metadata("val_accuracy", number(history_.epochs.back().val_accuracy));
    c.set_metadata(io::kDataFingerprintKey, fingerprint_);
    if (!data_changes_.empty()) c.set_metadata("data_changes", data_changes_);
    io::save_optimizer_state(c, optimizer_);
    io::save_rng(c, "sampler_rng", sampler_.rng());
    io::save_history(c, history_, epochs_done);
    io::write_checkpoint(o_.checkpoint_file, c);
    io::write_history_svg(o_.plot_file, history_);
    io::write_history_csv(o_.csv_file, history_);
  }

  const Options& o_;
  Model& model_;
  const Normalizer<Model::kInputs>& norm_;
  Optimizer& optimizer_;
  ShufflingSampler& sampler_;
  const io::Splits& splits_;
  Matrix<float, Model::kMaxBatch, Model::kInputs>& eval_;
  std::size_t iterations_;
  std::string fingerprint_;   // of the data this run trains on (io/data_fingerprint.hpp)
  std::string data_changes_;  // earlier data of a run continued with --continue-on-new-data
  io::TrainingHistory history_;
  Clock::time_point run_start_ = Clock::now();
  Clock::time_point epoch_start_ = Clock::now();
};

// resume: the checkpoint to continue from, or null for a new run.
template <class Model>
int train(const Options& o, const io::Dataset& data, const io::Splits& splits, const io::Checkpoint* resume) {
  using Optimizer = RuntimeOptimizer<float, Model::kParamCount>;
  // Set-up: everything is allocated here, once; the training loop allocates nothing.
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  auto optimizer =
      o.optimizer == "sgd"
          ? std::make_unique<Optimizer>(SgdConfig<float>{static_cast<float>(o.lr), static_cast<float>(o.momentum),
                                                         static_cast<float>(o.lr_decay), o.nesterov})
          : std::make_unique<Optimizer>(AdamConfig<float>{static_cast<float>(o.lr), static_cast<float>(o.beta1),
                                                          static_cast<float>(o.beta2), static_cast<float>(o.eps),
                                                          static_cast<float>(o.lr_decay)},
                                        o.optimizer == "adamw");
  auto eval_scratch = std::make_unique<Matrix<float, Model::kMaxBatch, Model::kInputs>>();
  RuntimeLoss loss;
  RuntimeLoss::parse(o.loss, loss);
  Rng rng(o.seed);
  model->init(rng, o.init_rule() == "he" ? InitRule::he() : InitRule::gaussian(o.weight_scale));
  if constexpr (Model::kPerPixelMean) norm->fit(splits.train);
  else norm->fit_level(splits.train);
  auto trainer = std::make_unique<Trainer<Model, RuntimeLoss, Optimizer>>(*model, *optimizer, static_cast<float>(o.reg), loss);
  std::vector<std::uint32_t> order(splits.train.count);
  // The sampler has its own stream, so changing the model's size does not change the shuffles.
  ShufflingSampler sampler(order, o.batch_size, o.keep_last_batch, o.seed ^ 0x5EED5A3D1E5ull);
  ImageBatches<Model::kInputs> batches(splits.train, *norm, sampler, io::input_shape(o.dataset),
                                       Augmentation{o.flip, o.shift});

  std::printf("firmnet train: %s = %s on %s: %zu train, %zu val, %zu test images\n", o.model.c_str(),
              Model::kSpec.c_str(), data.name.c_str(), splits.train.count, splits.val.count, splits.test.count);
  std::printf("  %zu parameters; %s lr %g, reg %g, batch %zu, lr decay %g, %s loss, init %s, %zu epochs, seed %llu\n",
              Model::kParamCount, o.optimizer.c_str(), o.lr, o.reg, o.batch_size, o.lr_decay, o.loss.c_str(),
              o.init_rule().c_str(), o.epochs, static_cast<unsigned long long>(o.seed));
  if (o.flip || o.shift > 0) std::printf("  augmented:%s\n", augmentation_text(o).substr(1).c_str());
  std::printf("  kernels: %s, %zu thread%s\n", examples::kernels_text().c_str(), o.threads, o.threads == 1 ? "" : "s");

  TrainLog<Model, Optimizer> log(o, *model, *norm, *optimizer, sampler, splits, *eval_scratch, batches.batches(),
                                 io::data_fingerprint(data.name, splits));
  std::size_t first_epoch = 0;
  if (resume) {
    const std::string changed = io::data_mismatch(*resume, data.name, splits);
    if (!changed.empty() && !o.continue_on_new_data)
      throw io::Error(o.checkpoint_file + " was trained on other data than " + data_dir_text(o) + " holds now (" +
                      changed + "); pass --continue-on-new-data to train on this data anyway");
    io::load_checkpoint_into(*resume, o.checkpoint_file, *model, *norm);
    io::restore_optimizer_state(*resume, o.checkpoint_file, *optimizer);
    io::restore_rng(*resume, "sampler_rng", o.checkpoint_file, sampler.rng());
    first_epoch = io::restore_history(*resume, o.checkpoint_file, log.history());
    if (!changed.empty()) {
      const std::string* before = resume->find_metadata(io::kDataFingerprintKey);
      const std::string* earlier = resume->find_metadata("data_changes");
      log.note_data_change(first_epoch, before ? *before : "unrecorded data", earlier ? *earlier : "");
      std::fprintf(stderr, "train: warning: continuing on other data than %s was trained on (%s); its input mean stays\n",
                   o.checkpoint_file.c_str(), changed.c_str());
    }
    std::printf("Resuming from %s after epoch %zu of %zu\n", o.checkpoint_file.c_str(), first_epoch, o.epochs);
  }
  const FitResult result = fit(*trainer, batches, FitOptions{o.epochs, first_epoch}, log);
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
      // Before the data is loaded: the network must take this dataset's images and be compiled in.
      examples::describe_checkpoint(*resume, o.checkpoint_file, o.dataset);
    } else if (const std::string problem = examples::images_problem(o.spec, o.dataset); !problem.empty()) {
      throw cli::UsageError("--model: " + problem + "; pick one for --dataset " + o.dataset);
    }
    examples::GemmThreads threads(o.threads);
    const io::Dataset data = io::load_dataset(o.dataset, o.data_dir);
    const io::Splits splits = io::split(data, o.num_train, o.num_val);
    if (!o.keep_last_batch && splits.train.count < o.batch_size)
      throw cli::UsageError("--batch-size " + std::to_string(o.batch_size) + " is more than the " +
                            std::to_string(splits.train.count) +
                            " training images (--num-train): no full batch to train on; pass --keep-last-batch to "
                            "train on the partial batch, or a smaller --batch-size");
    int status = 1;
    const bool found = examples::visit_model(o.spec, [&](auto stack) {
      status = train<typename decltype(stack)::type::template Bind<Train<float, examples::kMaxBatch>>>(o, data, splits,
                                                                                                      resume.get());
    });
    if (!found) throw io::Error(examples::how_to_compile(o.spec));
    return status;
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "train: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train: error: %s\n", e.what());
    return 1;
  }
}
