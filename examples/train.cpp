// train: the assignment's train.py in firmnet. Trains a two-layer net (or a linear classifier)
// on Fashion-MNIST or CIFAR-10 with SGD, logs the loss every --print-every iterations and train/val
// accuracy, images/s and elapsed time every epoch, writes an SVG plot, a CSV of the same figures
// and a checkpoint after every epoch (atomically). Run with --help for the flags.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/kernels.hpp"
#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/core/arch.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/report.hpp"
#include "firmnet/train/fit.hpp"
#include "firmnet/train/sgd.hpp"

namespace {

using namespace firmnet;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string dataset = "fashion-mnist";
  std::string data_dir;  // empty: the dataset's default location
  std::string model = "two-layer";
  std::size_t hidden = 128;
  std::size_t epochs = 15;
  std::size_t batch_size = 64;
  double lr = 0.1;
  double reg = 0.001;
  double momentum = 0.0;
  double lr_decay = 1.0;
  double weight_scale = 1e-3;
  std::size_t num_train = 0;  // 0: every training image not used for validation
  std::size_t num_val = 10000;
  bool keep_last_batch = false;
  std::uint64_t seed = 0;
  std::size_t print_every = 25;
  std::string plot_file = "plot.svg";
  std::string csv_file;  // empty: the plot file with .csv
  std::string checkpoint_file = "checkpoint.fnck";
  std::size_t threads = 1;
};

bool parse_options(int argc, char** argv, Options& o) {
  cli::Flags flags("train",
                   "Trains the assignment's classifier (input -> FC -> ReLU -> FC -> scores, or a linear\n"
                   "classifier) with SGD on softmax cross-entropy + L2, as the numpy assignment does.\n"
                   "Writes an SVG plot, a CSV history and a checkpoint after every epoch.");
  flags.add_string("dataset", &o.dataset, "Dataset to train on", {"fashion-mnist", "cifar10"});
  flags.add_string("data-dir", &o.data_dir,
                   "Directory of the dataset files (default: /usr/share/datasets/fashion-mnist from Debian's "
                   "dataset-fashion-mnist; data/cifar-10-batches-bin for cifar10)");
  flags.add_string("model", &o.model, "Model", {"two-layer", "linear"});
  flags.add_size("hidden", &o.hidden, "Hidden units of the two-layer net; compiled sizes: " +
                                          examples::hidden_sizes_text(), 1, 1 << 20);
  flags.add_size("epochs", &o.epochs, "Epochs to train", 1, 100000);
  flags.add_size("batch-size", &o.batch_size, "Images per SGD step", 1, examples::kMaxBatch);
  flags.add_double("lr", &o.lr, "Learning rate", 0, 1e6, true);
  flags.add_double("reg", &o.reg, "L2 regularisation strength (reg/2 * sum w^2 over weight matrices)", 0, 1e6);
  flags.add_double("momentum", &o.momentum, "SGD momentum (0: plain SGD)", 0, 0.999999);
  flags.add_double("lr-decay", &o.lr_decay, "Learning rate factor applied after every epoch", 0, 1, true);
  flags.add_double("weight-scale", &o.weight_scale, "Standard deviation of the initial weights", 0, 10, true);
  flags.add_size("num-train", &o.num_train, "Training images (0: all not held out for validation)", 0, 1u << 30);
  flags.add_size("num-val", &o.num_val, "Validation images, the last ones of the training file", 1, 1u << 30);
  flags.add_bool("keep-last-batch", &o.keep_last_batch, "Train on the last partial batch instead of dropping it");
  flags.add_u64("seed", &o.seed, "Seed of the weight initialisation and of the shuffling");
  flags.add_size("print-every", &o.print_every, "Print the loss every this many iterations", 1, 1u << 30);
  flags.add_string("plot-file", &o.plot_file, "SVG plot of loss and accuracy");
  flags.add_string("csv-file", &o.csv_file, "CSV of the same figures (default: the plot file with .csv)");
  flags.add_string("checkpoint-file", &o.checkpoint_file, "Checkpoint written after every epoch");
  flags.add_size("threads", &o.threads,
                 "Threads the large matrix products are split across (results are the same bits for any count)", 1,
                 256);
  if (!flags.parse(argc, argv)) {
    std::fputs(flags.help().c_str(), stdout);
    return false;
  }
  if (o.model == "two-layer" && !examples::is_compiled_hidden(o.hidden))
    throw cli::UsageError("--hidden: " + std::to_string(o.hidden) + " is not a compiled size (" +
                          examples::hidden_sizes_text() + ")");
  if (o.csv_file.empty()) {
    const auto dot = o.plot_file.rfind('.');
    const auto slash = o.plot_file.rfind('/');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    o.csv_file = (has_ext ? o.plot_file.substr(0, dot) : o.plot_file) + ".csv";
  }
  return true;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Prints the assignment's log, keeps the history, writes plot, CSV and checkpoint every epoch.
template <class Model>
class TrainLog {
 public:
  TrainLog(const Options& o, Model& model, const Normalizer<Model::kInputs>& norm, std::size_t iterations,
           std::size_t batch_images)
      : o_(o), model_(model), norm_(norm), iterations_(iterations), batch_images_(batch_images) {
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
  double elapsed() const { return seconds_since(run_start_); }

 private:
  static std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }
  void save(std::size_t epochs_done) {
    io::Checkpoint c = io::make_checkpoint(model_, norm_);
    c.set_metadata("dataset", o_.dataset);
    c.set_metadata("num_train", std::to_string(o_.num_train));
    c.set_metadata("num_val", std::to_string(o_.num_val));
    c.set_metadata("epochs_done", std::to_string(epochs_done));
    c.set_metadata("seed", std::to_string(o_.seed));
    c.set_metadata("lr", number(o_.lr));
    c.set_metadata("reg", number(o_.reg));
    c.set_metadata("batch_size", std::to_string(o_.batch_size));
    c.set_metadata("train_accuracy", number(history_.epochs.back().train_accuracy));
    c.set_metadata("val_accuracy", number(history_.epochs.back().val_accuracy));
    io::write_checkpoint(o_.checkpoint_file, c);
    io::write_history_svg(o_.plot_file, history_);
    io::write_history_csv(o_.csv_file, history_);
  }

  const Options& o_;
  Model& model_;
  const Normalizer<Model::kInputs>& norm_;
  std::size_t iterations_;
  std::size_t batch_images_;
  io::TrainingHistory history_;
  Clock::time_point run_start_ = Clock::now();
  Clock::time_point epoch_start_ = Clock::now();
  double train_seconds_ = 0;
};

template <class Model>
int train(const Options& o, const io::Dataset& data, const io::Splits& splits) {
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

  TrainLog<Model> log(o, *model, *norm, sampler.batches_per_epoch(), o.batch_size);
  const FitResult result =
      fit(*trainer, sampler, splits.train, splits.val, *norm, *eval_scratch, FitOptions{o.epochs, 0}, log);
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
    examples::GemmThreads threads(o.threads);
    const io::Dataset data = io::load_dataset(o.dataset, o.data_dir);
    const io::Splits splits = io::split(data, o.num_train, o.num_val);
    return examples::with_model(io::input_dim(o.dataset), o.model, o.hidden,
                                [&](auto model_type) { return train<typename decltype(model_type)::type>(o, data, splits); });
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "train: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train: error: %s\n", e.what());
    return 1;
  }
}
