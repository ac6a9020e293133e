// examples/common/train_options.hpp: train's flags and their checks, shared with the flag fuzzer
// (fuzz/fuzz_flags.cpp) so it exercises exactly what train parses.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/file.hpp"

namespace firmnet::examples {

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
  bool resume = false;
  bool continue_on_new_data = false;
  std::vector<std::string> given;  // the flags set on the command line
};

// false: --help was printed. Throws cli::UsageError naming the flag.
inline bool parse_options(int argc, char** argv, Options& o) {
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
                                          hidden_sizes_text(), 1, 1 << 20);
  flags.add_size("epochs", &o.epochs, "Epochs to train", 1, 100000);
  flags.add_size("batch-size", &o.batch_size, "Images per SGD step", 1, kMaxBatch);
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
  flags.add_bool("resume", &o.resume,
                 "Continue the run saved in --checkpoint-file (its settings, epoch, random state and optimizer state); "
                 "--epochs may raise the total");
  flags.add_bool("continue-on-new-data", &o.continue_on_new_data,
                 "With --resume: continue on data that differs from what the checkpoint was trained on (its input "
                 "mean stays; the checkpoint records the change)");
  if (!flags.parse(argc, argv)) {
    std::fputs(flags.help().c_str(), stdout);
    return false;
  }
  o.given = flags.given();
  if (o.model == "two-layer" && !is_compiled_hidden(o.hidden))
    throw cli::UsageError("--hidden: " + std::to_string(o.hidden) + " is not a compiled size (" +
                          hidden_sizes_text() + ")");
  if (o.continue_on_new_data && !o.resume) throw cli::UsageError("--continue-on-new-data only goes with --resume");
  if (o.csv_file.empty()) {
    const auto dot = o.plot_file.rfind('.');
    const auto slash = o.plot_file.rfind('/');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    o.csv_file = (has_ext ? o.plot_file.substr(0, dot) : o.plot_file) + ".csv";
  }
  // Before any work: a run must not train for an hour and then find it cannot write its results.
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"checkpoint-file", o.checkpoint_file},
                                   {"plot-file", o.plot_file}, {"csv-file", o.csv_file}})
    if (const std::string problem = io::output_path_problem(path); !problem.empty())
      throw cli::UsageError(std::string("--") + flag + " '" + path + "': " + problem);
  return true;
}

}  // namespace firmnet::examples
