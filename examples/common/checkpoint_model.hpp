// examples/common/checkpoint_model.hpp: what evaluate and quantize need to reopen a checkpoint:
// its dataset, whether its architecture is compiled in, the split it was trained with, and that
// data, checked against the checkpoint's record of it.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

#include "common/model_zoo.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/data_fingerprint.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/train_state.hpp"

namespace firmnet::examples {

struct CheckpointModel {
  std::string dataset;
  std::size_t num_train = 0, num_val = 0;
};

// "" if the network spec takes the dataset's images (as a vector or as H x W x C), else why not.
inline std::string images_problem(const std::string& spec, const std::string& dataset) {
  const std::string in = "in:" + std::to_string(io::input_dim(dataset));
  const std::string shaped = "in:" + io::input_shape_text(dataset);
  if (spec.rfind(in + "|", 0) == 0 || spec.rfind(shaped + "|", 0) == 0) return "";
  return "the network " + spec + " does not take " + dataset + " images (" + in.substr(3) + " values, " + shaped.substr(3) +
         ")";
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
  if (const std::string problem = images_problem(checkpoint.spec, dataset); !problem.empty())
    throw io::Error(source + ": " + problem);
  bool compiled = false;
  for (const auto s : compiled_specs()) compiled = compiled || s == checkpoint.spec;
  if (!compiled) throw io::Error(source + ": " + how_to_compile(checkpoint.spec));
  CheckpointModel d;
  d.dataset = dataset;
  // The split rebuilds the validation and test sets (and checks the data): a checkpoint written by
  // a program of one's own (io::make_checkpoint) records it only if that program sets these.
  auto split_entry = [&](const char* key) {
    const std::string* v = checkpoint.find_metadata(key);
    if (!v)
      throw io::Error(source + ": checkpoint has no '" + key + "': the split it was trained with (num_train, " +
                      "num_val: set them as train and import do, 0 and 10000 for the usual one; " +
                      "docs/checkpoint-format.md, section 7)");
    return io::parse_decimal(*v, key, source);
  };
  d.num_train = split_entry("num_train");
  d.num_val = split_entry("num_val");
  return d;
}

// The data a checkpoint was trained on, loaded from data_dir ("" for the dataset's default place)
// and split as in training. Data other than the checkpoint recorded is an error naming both,
// unless allow_other_data, when `program` warns on stderr and goes on.
struct CheckpointData {
  CheckpointModel model;
  io::Dataset data;
  io::Splits splits;
};

inline CheckpointData load_checkpoint_data(const io::Checkpoint& checkpoint, const std::string& source,
                                           const std::string& dataset, const std::string& data_dir,
                                           bool allow_other_data, const char* program) {
  CheckpointData c{describe_checkpoint(checkpoint, source, dataset), {}, {}};
  c.data = io::load_dataset(c.model.dataset, data_dir);
  c.splits = io::split(c.data, c.model.num_train, c.model.num_val);
  if (const std::string changed = io::data_mismatch(checkpoint, c.data.name, c.splits); !changed.empty()) {
    const std::string what = source + " was trained on other data than --data-dir " +
                             (data_dir.empty() ? io::default_data_dir(c.data.name) : data_dir) + " holds (" + changed + ")";
    if (!allow_other_data) throw io::Error(what + "; pass --allow-other-data to go on anyway");
    std::fprintf(stderr, "%s: WARNING: %s; going on as --allow-other-data asks\n", program, what.c_str());
  }
  return c;
}

}  // namespace firmnet::examples
