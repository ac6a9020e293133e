// examples/common/checkpoint_model.hpp: what evaluate and quantize need to reopen a checkpoint:
// its dataset, the model type it holds among the compiled ones, and the split it was trained with.
#pragma once

#include <cstddef>
#include <string>

#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"

namespace firmnet::examples {

struct CheckpointModel {
  std::string dataset;
  std::size_t inputs = 0, hidden = 0;  // hidden 0: linear
  std::size_t num_train = 0, num_val = 0;
};

inline std::size_t metadata_size(const io::Checkpoint& c, const std::string& key, const std::string& source) {
  const std::string* v = c.find_metadata(key);
  if (!v) throw io::Error(source + ": checkpoint has no '" + key + "' entry (not written by train?)");
  try {
    return static_cast<std::size_t>(cli::parse_u64(key, *v));
  } catch (const cli::UsageError&) {
    throw io::Error(source + ": checkpoint entry '" + key + "' = '" + *v + "' is not a number");
  }
}

// dataset: from the flag, or "" for the checkpoint's own. Throws io::Error naming the file.
inline CheckpointModel describe_checkpoint(const io::Checkpoint& checkpoint, const std::string& source,
                                           std::string dataset) {
  if (dataset.empty()) {
    const std::string* recorded = checkpoint.find_metadata("dataset");
    if (!recorded) throw io::Error(source + ": checkpoint does not name its dataset; pass --dataset");
    dataset = *recorded;
  }
  if (!io::is_known_dataset(dataset)) throw io::Error(source + ": unknown dataset '" + dataset + "'");
  CheckpointModel d;
  d.dataset = dataset;
  d.inputs = io::input_dim(dataset);
  const auto& shape = checkpoint.shape;
  const bool two_layer = checkpoint.model_kind == "two-layer" && shape.size() == 3;
  const bool linear = checkpoint.model_kind == "linear" && shape.size() == 2;
  if (!two_layer && !linear)
    throw io::Error(source + ": checkpoint holds a '" + checkpoint.model_kind + "' model of shape " + io::shape_text(shape) +
                    "; known: two-layer (In x Hidden x Classes) and linear (In x Classes)");
  if (shape.front() != d.inputs || shape.back() != kClasses)
    throw io::Error(source + ": the model's shape " + io::shape_text(shape) + " does not fit " + dataset + " (" +
                    std::to_string(d.inputs) + " inputs, " + std::to_string(kClasses) + " classes)");
  d.hidden = two_layer ? shape[1] : 0;
  if (two_layer && !is_compiled_hidden(d.hidden))
    throw io::Error(source + ": hidden size " + std::to_string(d.hidden) + " is not compiled in (" + hidden_sizes_text() + ")");
  d.num_train = metadata_size(checkpoint, "num_train", source);
  d.num_val = metadata_size(checkpoint, "num_val", source);
  return d;
}

}  // namespace firmnet::examples
