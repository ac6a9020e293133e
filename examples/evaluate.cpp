// evaluate: the assignment's evaluation script, for any compiled network. Reloads a checkpoint
// written by train (or made by import), rebuilds the train/val/test split it was trained with,
// and prints the accuracy of each split and the confusion matrix of the test set.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/checkpoint_model.hpp"
#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/npy.hpp"
#include "firmnet/train/accuracy.hpp"

namespace {

using namespace firmnet;

struct Options {
  std::string checkpoint_file;
  std::string data_dir;
  bool allow_other_data = false;
  std::string dataset;  // empty: the checkpoint's
  std::string logits_file;
  std::size_t logits_images = 10000;
};

const char* const kFashionMnistClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const char* const kCifar10Classes[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                         "dog",      "frog",       "horse", "ship", "truck"};

template <class Model>
int evaluate(const Options& o, const io::Checkpoint& checkpoint, const io::Dataset& data, const io::Splits& splits) {
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  auto scratch = std::make_unique<Matrix<float, Model::kMaxBatch, Model::kInputs>>();
  io::load_checkpoint_into(checkpoint, o.checkpoint_file, *model, *norm);

  std::printf("firmnet evaluate: %s from %s on %s\n", Model::kSpec.c_str(), o.checkpoint_file.c_str(), data.name.c_str());
  const struct {
    const char* name;
    const ImageSet& set;
  } splits_to_print[] = {{"Train", splits.train}, {"Val", splits.val}, {"Test", splits.test}};
  for (const auto& s : splits_to_print)
    std::printf("%s: %.2f\n", s.name, 100 * check_accuracy(*model, *norm, s.set, *scratch));

  // Confusion matrix of the test set: rows are true classes, columns predictions.
  constexpr std::size_t C = Model::kClasses;
  std::vector<std::size_t> confusion(C * C, 0);
  for_each_prediction(*model, *norm, splits.test, *scratch, [&](Label label, Label pred) { ++confusion[label * C + pred]; });
  const char* const* names = data.name == "cifar10" ? kCifar10Classes : kFashionMnistClasses;
  std::printf("\nTest confusion matrix (rows: true class, columns: predicted class)\n%14s", "");
  for (std::size_t c = 0; c < C; ++c) std::printf(" %5zu", c);
  std::printf("  accuracy\n");
  for (std::size_t r = 0; r < C; ++r) {
    std::size_t total = 0;
    for (std::size_t c = 0; c < C; ++c) total += confusion[r * C + c];
    std::printf("%2zu %-11s", r, r < 10 ? names[r] : "");
    for (std::size_t c = 0; c < C; ++c) std::printf(" %5zu", confusion[r * C + c]);
    std::printf("  %6.2f%%\n", total ? 100.0 * double(confusion[r * C + r]) / double(total) : 0.0);
  }

  // The scores themselves, for comparing with another implementation (tests/tools/pytorch_round_trip.py).
  if (!o.logits_file.empty()) {
    io::NdArray logits;
    const std::size_t n = std::min(o.logits_images, splits.test.count);
    logits.shape = {n, C};
    logits.values.resize(n * C);
    Label labels[Model::kMaxBatch];
    for (std::size_t first = 0; first < n; first += Model::kMaxBatch) {
      const std::size_t rows = std::min(n - first, Model::kMaxBatch);
      norm->gather_range(splits.test, first, rows, scratch->view(rows), labels);
      const auto scores = model->forward(scratch->view(rows));
      for (std::size_t r = 0; r < rows; ++r) std::copy(scores.row(r), scores.row(r) + C, &logits.values[(first + r) * C]);
    }
    io::write_npy(o.logits_file, logits);
    std::printf("\nWrote the float logits of the first %zu test images to %s\n", n, o.logits_file.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    cli::Flags flags("evaluate",
                     "Reloads a checkpoint written by train and prints the train, val and test accuracy\n"
                     "and the test confusion matrix, with the split the model was trained with.");
    flags.add_string("checkpoint-file", &o.checkpoint_file, "Checkpoint to evaluate (required)");
    flags.add_string("data-dir", &o.data_dir, "Directory of the dataset files (default: the dataset's usual place)");
    flags.add_bool("allow-other-data", &o.allow_other_data,
                   "Go on (with a warning) when the data differs from what the checkpoint was trained on");
    flags.add_string("dataset", &o.dataset, "Dataset (default: the one recorded in the checkpoint)",
                     {"fashion-mnist", "cifar10"});
    flags.add_string("logits-file", &o.logits_file, "Write the float logits of the first test images as a .npy (N, classes)");
    flags.add_size("logits-images", &o.logits_images, "Test images --logits-file covers (at most the test set)", 1, 1u << 30);
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    if (o.checkpoint_file.empty()) throw cli::UsageError("--checkpoint-file is required (see --help)");
    if (const std::string problem = o.logits_file.empty() ? "" : io::output_path_problem(o.logits_file); !problem.empty())
      throw cli::UsageError("--logits-file '" + o.logits_file + "': " + problem);

    const io::Checkpoint checkpoint = io::read_checkpoint(o.checkpoint_file);
    const examples::CheckpointData loaded =
        examples::load_checkpoint_data(checkpoint, o.checkpoint_file, o.dataset, o.data_dir, o.allow_other_data, "evaluate");
    const io::Dataset& data = loaded.data;
    const io::Splits& splits = loaded.splits;
    int status = 1;
    examples::visit_model(checkpoint.spec, [&](auto stack) {
      status = evaluate<typename decltype(stack)::type::template Bind<Train<float, examples::kMaxBatch>>>(o, checkpoint,
                                                                                                         data, splits);
    });
    return status;
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "evaluate: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "evaluate: error: %s\n", e.what());
    return 1;
  }
}
