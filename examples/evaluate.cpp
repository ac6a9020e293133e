// evaluate: the assignment's evaluation script. Reloads a checkpoint written by train, rebuilds
// the same train/val/test split of the dataset it was trained on, and prints the accuracy of
// each split and the confusion matrix of the test set.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/train/accuracy.hpp"

namespace {

using namespace firmnet;

struct Options {
  std::string checkpoint_file;
  std::string data_dir;
  std::string dataset;  // empty: the checkpoint's
};

const char* const kFashionMnistClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const char* const kCifar10Classes[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                         "dog",      "frog",       "horse", "ship", "truck"};

std::size_t metadata_size(const io::Checkpoint& c, const std::string& key, const std::string& source) {
  const std::string* v = c.find_metadata(key);
  if (!v) throw io::Error(source + ": checkpoint has no '" + key + "' entry (not written by train?)");
  try {
    return static_cast<std::size_t>(cli::parse_u64(key, *v));
  } catch (const cli::UsageError&) {
    throw io::Error(source + ": checkpoint entry '" + key + "' = '" + *v + "' is not a number");
  }
}

template <class Model>
int evaluate(const Options& o, const io::Checkpoint& checkpoint, const io::Dataset& data, const io::Splits& splits) {
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  auto scratch = std::make_unique<Matrix<float, Model::kMaxBatch, Model::kInputs>>();
  io::load_checkpoint_into(checkpoint, o.checkpoint_file, *model, *norm);

  std::printf("firmnet evaluate: %s %s from %s on %s\n", Model::kKind, io::shape_text(Model::kShape).c_str(),
              o.checkpoint_file.c_str(), data.name.c_str());
  const struct {
    const char* name;
    const ImageSet& set;
  } splits_to_print[] = {{"Train", splits.train}, {"Val", splits.val}, {"Test", splits.test}};
  for (const auto& s : splits_to_print)
    std::printf("%s: %.2f\n", s.name, 100 * check_accuracy(*model, *norm, s.set, *scratch));

  // Confusion matrix of the test set: rows are true classes, columns predictions.
  std::vector<std::size_t> confusion(Model::kClasses * Model::kClasses, 0);
  for_each_prediction(*model, *norm, splits.test, *scratch,
                      [&](Label label, Label pred) { ++confusion[label * Model::kClasses + pred]; });
  const char* const* names = data.name == "cifar10" ? kCifar10Classes : kFashionMnistClasses;
  std::printf("\nTest confusion matrix (rows: true class, columns: predicted class)\n%14s", "");
  for (std::size_t c = 0; c < Model::kClasses; ++c) std::printf(" %5zu", c);
  std::printf("  accuracy\n");
  for (std::size_t r = 0; r < Model::kClasses; ++r) {
    std::size_t total = 0;
    for (std::size_t c = 0; c < Model::kClasses; ++c) total += confusion[r * Model::kClasses + c];
    std::printf("%2zu %-11s", r, names[r]);
    for (std::size_t c = 0; c < Model::kClasses; ++c) std::printf(" %5zu", confusion[r * Model::kClasses + c]);
    std::printf("  %6.2f%%\n", total ? 100.0 * double(confusion[r * Model::kClasses + r]) / double(total) : 0.0);
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
    flags.add_string("dataset", &o.dataset, "Dataset (default: the one recorded in the checkpoint)",
                     {"fashion-mnist", "cifar10"});
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    if (o.checkpoint_file.empty()) throw cli::UsageError("--checkpoint-file is required (see --help)");

    const io::Checkpoint checkpoint = io::read_checkpoint(o.checkpoint_file);
    const std::string& source = o.checkpoint_file;
    if (o.dataset.empty()) {
      const std::string* recorded = checkpoint.find_metadata("dataset");
      if (!recorded) throw io::Error(source + ": checkpoint does not name its dataset; pass --dataset");
      o.dataset = *recorded;
    }
    if (!io::is_known_dataset(o.dataset)) throw io::Error(source + ": unknown dataset '" + o.dataset + "'");
    const std::size_t inputs = io::input_dim(o.dataset);
    const auto& shape = checkpoint.shape;
    const bool two_layer = checkpoint.model_kind == "two-layer" && shape.size() == 3;
    const bool linear = checkpoint.model_kind == "linear" && shape.size() == 2;
    if (!two_layer && !linear)
      throw io::Error(source + ": checkpoint holds a '" + checkpoint.model_kind + "' model of shape " +
                      io::shape_text(shape) + "; evaluate knows two-layer (In x Hidden x Classes) and linear (In x Classes)");
    if (shape.front() != inputs || shape.back() != examples::kClasses)
      throw io::Error(source + ": the model's shape " + io::shape_text(shape) + " does not fit " + o.dataset + " (" +
                      std::to_string(inputs) + " inputs, " + std::to_string(examples::kClasses) + " classes)");
    const std::size_t hidden = two_layer ? shape[1] : 0;
    if (two_layer && !examples::is_compiled_hidden(hidden))
      throw io::Error(source + ": hidden size " + std::to_string(hidden) + " is not compiled into evaluate (" +
                      examples::hidden_sizes_text() + ")");

    const io::Dataset data = io::load_dataset(o.dataset, o.data_dir);
    const io::Splits splits = io::split(data, metadata_size(checkpoint, "num_train", source),
                                        metadata_size(checkpoint, "num_val", source));
    return examples::with_model(inputs, checkpoint.model_kind, hidden, [&](auto model_type) {
      return evaluate<typename decltype(model_type)::type>(o, checkpoint, data, splits);
    });
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "evaluate: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "evaluate: error: %s\n", e.what());
    return 1;
  }
}
