// examples/common/train_options.hpp: train's flags and their checks, shared with the flag fuzzer
// (fuzz/fuzz_flags.cpp) so it exercises exactly what train parses.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/file.hpp"

namespace firmnet::examples {

// The default recipe of the named CNNs (--model cnn, cnn:small, cnn:3x3, cnn:5x5); flags override it.
struct CnnRecipe {
  std::string_view optimizer;
  double lr_decay, reg;
  std::size_t epochs;
};
inline constexpr CnnRecipe kCnnRecipe{"adam", 0.85, 1e-4, 10};

inline std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// The allowed values of the settings a checkpoint records, stated once: the flags enforce them on
// the command line and check_settings (common/train_state.hpp) on a checkpoint being resumed.
struct Range {
  double lo, hi;
  bool lo_open;  // (lo, hi] rather than [lo, hi]
};
inline constexpr Range kLrRange{0, 1e6, true}, kRegRange{0, 1e6, false}, kMomentumRange{0, 0.999999, false},
    kBeta1Range{0, 0.999999, false}, kBeta2Range{0, 0.9999999, false}, kEpsRange{0, 1, true},
    kLrDecayRange{0, 1, true}, kWeightScaleRange{0, 10, true};
inline constexpr std::size_t kMaxShift = 8;  // pixels; below both datasets' 28 and 32
inline const std::vector<std::string> kDatasets{"fashion-mnist", "cifar10"}, kLosses{"softmax", "mse"},
    kOptimizers{"sgd", "adam", "adamw"}, kInits{"auto", "gaussian", "he"};

struct Options {
  std::string dataset = "fashion-mnist";
  std::string data_dir;  // empty: the dataset's default location
  std::string model = "two-layer";
  std::size_t hidden = 128;
  std::string spec;      // the architecture --model names (filled by parse_options)
  std::size_t epochs = 15;
  std::size_t batch_size = 64;
  std::string optimizer = "sgd";
  double lr = 0.1;       // sgd's default; adam and adamw default to 0.001
  double reg = 0.001;
  double momentum = 0.0;
  bool nesterov = false;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double lr_decay = 1.0;
  std::string loss = "softmax";
  std::string init = "auto";  // auto: the assignment's gaussian for up to 2 dense layers, else he
  double weight_scale = 1e-3;
  std::size_t num_train = 0;  // 0: every training image not used for validation
  std::size_t num_val = 10000;
  std::size_t train_eval = 10000;  // the per-epoch train accuracy's images (0: all)
  bool keep_last_batch = false;
  bool flip = false;       // augmentation (data/augment.hpp)
  std::size_t shift = 0;
  std::uint64_t seed = 0;
  std::size_t print_every = 25;
  std::string plot_file = "plot.svg";
  std::string csv_file;  // empty: the plot file with .csv
  std::string checkpoint_file = "checkpoint.fnck";
  std::size_t threads = 1;
  bool resume = false;
  bool continue_on_new_data = false;
  bool list_models = false;
  std::vector<std::string> given;  // the flags set on the command line

  bool was_set(const std::string& flag) const {
    for (const auto& g : given)
      if (g == flag) return true;
    return false;
  }
  // The initialisation --init auto stands for: the assignment's gaussian (--weight-scale) for
  // networks of at most two dense layers and nothing else (its linear and two-layer nets), He's
  // for deeper ones, whose activations would vanish through layers started at 1e-3.
  std::string init_rule() const {
    if (init != "auto") return init;
    std::size_t dense = 0, others = 0;
    for (std::size_t bar = spec.find('|'); bar != std::string::npos; bar = spec.find('|', bar + 1))
      (spec.compare(bar + 1, 3, "fc:") == 0 ? dense : others) += 1;
    return dense <= 2 && others == 0 ? "gaussian" : "he";
  }
};

inline std::string hidden_sizes_text() {
  std::string s;
  for (const auto h : kHiddenSizes) s += (s.empty() ? "" : ", ") + std::to_string(h);
  return s;
}

inline void print_models() {
  std::printf("Networks compiled into these programs (--model takes a name or the spec itself):\n");
  for (const auto spec : compiled_specs()) std::printf("  %.*s\n", static_cast<int>(spec.size()), spec.data());
  std::printf("Names: linear = in:N|fc:10; two-layer --hidden H = in:N|fc:H+relu|fc:10 (H in %s);\n"
              "mlp:H1,H2,... = in:N|fc:H1+relu|fc:H2+relu|...|fc:10;\n", hidden_sizes_text().c_str());
  for (const auto& [name, layers] : kConvNets) std::printf("%s = in:HxWxC|%s\n", name, layers);
  std::printf("To add a network: examples/common/model_zoo.hpp.\n");
}

// false: --help or --list-models was printed. Throws cli::UsageError naming the flag.
inline bool parse_options(int argc, char** argv, Options& o) {
  cli::Flags flags("train",
                   "Trains a network (the assignment's two-layer net by default; any compiled stack with --model)\n"
                   "on softmax cross-entropy or MSE + L2 with SGD, Adam or AdamW. Writes an SVG plot, a CSV history\n"
                   "and a checkpoint after every epoch.");
  flags.add_string("dataset", &o.dataset, "Dataset to train on", kDatasets);
  flags.add_string("data-dir", &o.data_dir,
                   "Directory of the dataset files (default: /usr/share/datasets/fashion-mnist from Debian's "
                   "dataset-fashion-mnist; data/cifar-10-batches-bin for cifar10)");
  flags.add_string("model", &o.model,
                   "Network: linear, two-layer, mlp:H1,H2,... (1-4 hidden layers), cnn, cnn:small, cnn:3x3, cnn:5x5 "
                   "or a spec in:...|... (--list-models prints the compiled ones). The cnn models train with their "
                   "recipe unless flags say otherwise: --optimizer " + std::string(kCnnRecipe.optimizer) +
                       " --lr 0.001 --lr-decay " + number_text(kCnnRecipe.lr_decay) + " --reg " +
                       number_text(kCnnRecipe.reg) + " --epochs " + std::to_string(kCnnRecipe.epochs));
  flags.add_size("hidden", &o.hidden, "Hidden units of the two-layer net; compiled sizes: " + hidden_sizes_text(), 1,
                 1 << 20);
  flags.add_size("epochs", &o.epochs, "Epochs to train", 1, 100000);
  flags.add_size("batch-size", &o.batch_size, "Images per step", 1, kMaxBatch);
  flags.add_string("optimizer", &o.optimizer, "Optimizer", kOptimizers);
  flags.add_double("lr", &o.lr, "Learning rate (default 0.1 for sgd, 0.001 for adam and adamw)", kLrRange.lo,
                   kLrRange.hi, kLrRange.lo_open);
  flags.add_double("reg", &o.reg,
                   "Regularisation: L2 reg/2 * sum w^2 over weight matrices in the loss (sgd, adam); the decoupled "
                   "weight decay w -= lr*reg*w (adamw)",
                   kRegRange.lo, kRegRange.hi, kRegRange.lo_open);
  flags.add_double("momentum", &o.momentum, "SGD momentum (0: plain SGD)", kMomentumRange.lo, kMomentumRange.hi,
                   kMomentumRange.lo_open);
  flags.add_bool("nesterov", &o.nesterov, "SGD with Nesterov momentum");
  flags.add_double("beta1", &o.beta1, "Adam's first-moment decay", kBeta1Range.lo, kBeta1Range.hi, kBeta1Range.lo_open);
  flags.add_double("beta2", &o.beta2, "Adam's second-moment decay", kBeta2Range.lo, kBeta2Range.hi, kBeta2Range.lo_open);
  flags.add_double("eps", &o.eps, "Adam's epsilon", kEpsRange.lo, kEpsRange.hi, kEpsRange.lo_open);
  flags.add_double("lr-decay", &o.lr_decay, "Learning rate factor applied after every epoch", kLrDecayRange.lo,
                   kLrDecayRange.hi, kLrDecayRange.lo_open);
  flags.add_string("loss", &o.loss, "Loss: softmax cross-entropy, or mean squared error on one-hot targets",
                   kLosses);
  flags.add_string("init", &o.init,
                   "Initial weights: gaussian (std --weight-scale), he (std sqrt(2/fan_in)); auto: gaussian for "
                   "up to two dense layers (the assignment's nets), he for deeper networks",
                   kInits);
  flags.add_double("weight-scale", &o.weight_scale, "Standard deviation of the initial weights (--init gaussian)",
                   kWeightScaleRange.lo, kWeightScaleRange.hi, kWeightScaleRange.lo_open);
  flags.add_size("num-train", &o.num_train, "Training images (0: all not held out for validation)", 0, 1u << 30);
  flags.add_size("num-val", &o.num_val, "Validation images, the last ones of the training file", 1, 1u << 30);
  flags.add_size("train-eval", &o.train_eval,
                 "Training images the per-epoch train accuracy is measured on, the first ones (0: all); the "
                 "validation accuracy always uses every validation image", 0, 1u << 30);
  flags.add_bool("keep-last-batch", &o.keep_last_batch, "Train on the last partial batch instead of dropping it");
  flags.add_bool("flip", &o.flip,
                 "Augment: mirror each training image left-right with probability 1/2 (a new draw every epoch)");
  flags.add_size("shift", &o.shift,
                 "Augment: move each training image by up to this many pixels each way, uniformly, the uncovered "
                 "border black (a new draw every epoch; 0: none)",
                 0, kMaxShift);
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
  flags.add_bool("list-models", &o.list_models, "Print the networks compiled in, and how to add one");
  if (!flags.parse(argc, argv)) {
    std::fputs(flags.help().c_str(), stdout);
    return false;
  }
  o.given = flags.given();
  if (o.list_models) {
    print_models();
    return false;
  }
  // A convolutional network trains with its own recipe (README, "Results") unless told otherwise:
  // the assignment's SGD at 0.1 suits its dense nets, not these.
  const bool conv_net = !o.resume && o.model.rfind("cnn", 0) == 0;
  if (conv_net) {
    if (!o.was_set("optimizer")) o.optimizer = std::string(kCnnRecipe.optimizer);
    if (!o.was_set("lr-decay")) o.lr_decay = kCnnRecipe.lr_decay;
    if (!o.was_set("reg")) o.reg = kCnnRecipe.reg;
    if (!o.was_set("epochs")) o.epochs = kCnnRecipe.epochs;
  }
  if (o.optimizer != "sgd" && !o.was_set("lr")) o.lr = 1e-3;  // Adam's usual default
  if (o.optimizer != "sgd" && (o.was_set("momentum") || o.was_set("nesterov")))
    throw cli::UsageError("--momentum and --nesterov are SGD's; --optimizer " + o.optimizer + " takes --beta1, --beta2, --eps");
  if (o.optimizer == "sgd" && (o.was_set("beta1") || o.was_set("beta2") || o.was_set("eps")))
    throw cli::UsageError("--beta1, --beta2 and --eps are Adam's; give them with --optimizer adam or adamw");
  if (o.nesterov && !(o.momentum > 0)) throw cli::UsageError("--nesterov needs a --momentum above 0");
  if (o.continue_on_new_data && !o.resume) throw cli::UsageError("--continue-on-new-data only goes with --resume");
  if (!o.resume) {
    bool hidden_ok = false;
    for (const auto h : kHiddenSizes) hidden_ok = hidden_ok || h == o.hidden;
    if (o.model == "two-layer" && !hidden_ok)
      throw cli::UsageError("--hidden: " + std::to_string(o.hidden) + " is not a compiled size (" + hidden_sizes_text() + ")");
    std::string problem;
    o.spec = model_spec(o.model, io::input_dim(o.dataset), io::input_shape_text(o.dataset), o.hidden, problem);
    if (o.spec.empty()) throw cli::UsageError("--model: " + problem);
    bool compiled = false;
    for (const auto s : compiled_specs()) compiled = compiled || s == o.spec;
    if (!compiled) throw cli::UsageError("--model " + o.model + ": " + how_to_compile(o.spec));
  }
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
