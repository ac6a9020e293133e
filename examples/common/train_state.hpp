// examples/common/train_state.hpp: what a checkpoint holds beyond the model, so train --resume
// continues a run exactly where it stopped: the run's settings, the epochs done, the sampler's
// random state, the optimizer's learning rate and velocity, and the history for the plot.
// Numbers whose bits matter are stored exactly (hex). No timings are stored: a checkpoint is a
// function of the seed and the data only, so a resumed run ends with the same bytes as an
// uninterrupted one.
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/train_options.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/report.hpp"
#include "firmnet/train/sampler.hpp"

namespace firmnet::examples {

inline std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

inline std::uint64_t parse_hex64(const std::string& s, const std::string& what, const std::string& source) {
  std::uint64_t v = 0;
  if (s.size() != 16) throw io::Error(source + ": checkpoint entry '" + what + "' is not 16 hex digits");
  for (const char c : s) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) throw io::Error(source + ": checkpoint entry '" + what + "' is not 16 hex digits");
    v = v << 4 | std::uint64_t(d);
  }
  return v;
}

// Settings that define a run: a resumed run takes them from the checkpoint.
inline std::vector<std::pair<std::string, std::string>> run_settings(const Options& o) {
  auto exact = [](double v) { return hex64(std::bit_cast<std::uint64_t>(v)); };
  return {{"dataset", o.dataset},          {"model", o.model},
          {"hidden", std::to_string(o.hidden)}, {"epochs", std::to_string(o.epochs)},
          {"batch_size", std::to_string(o.batch_size)}, {"lr_bits", exact(o.lr)},
          {"reg_bits", exact(o.reg)},      {"momentum_bits", exact(o.momentum)},
          {"lr_decay_bits", exact(o.lr_decay)}, {"weight_scale_bits", exact(o.weight_scale)},
          {"num_train", std::to_string(o.num_train)}, {"num_val", std::to_string(o.num_val)},
          {"keep_last_batch", o.keep_last_batch ? "1" : "0"}, {"seed", std::to_string(o.seed)}};
}

template <class Optimizer>
void save_train_state(io::Checkpoint& c, const Options& o, std::size_t epochs_done, const Optimizer& optimizer,
                      ShufflingSampler& sampler, const io::TrainingHistory& history) {
  for (auto& [k, v] : run_settings(o)) c.set_metadata(k, v);
  c.set_metadata("epochs_done", std::to_string(epochs_done));
  c.set_metadata("current_lr_bits", hex64(std::bit_cast<std::uint32_t>(optimizer.config.learning_rate)));
  const Rng::Snapshot snap = sampler.rng().snapshot();
  std::string rng;
  for (const auto w : snap.s) rng += hex64(w);
  c.set_metadata("sampler_rng", rng);
  c.tensors.push_back({"optimizer_velocity", 1, static_cast<std::uint32_t>(optimizer.velocity.kSize),
                       std::vector<float>(optimizer.velocity.storage, optimizer.velocity.storage + optimizer.velocity.kSize)});
  c.tensors.push_back({"history_loss", 1, static_cast<std::uint32_t>(history.loss.size()),
                       std::vector<float>(history.loss.begin(), history.loss.end())});
  std::vector<float> epochs;
  for (const auto& e : history.epochs) {
    epochs.push_back(static_cast<float>(e.epoch));
    epochs.push_back(static_cast<float>(e.train_accuracy));
    epochs.push_back(static_cast<float>(e.val_accuracy));
  }
  c.tensors.push_back({"history_epochs", static_cast<std::uint32_t>(history.epochs.size()), 3, epochs});
}

// Options of the run stored in c; the caller's `o` keeps only what may change on resume (files,
// printing, threads, data directory, and more epochs). Throws cli::UsageError for a flag that
// contradicts the checkpoint, io::Error for a checkpoint without a resumable state.
inline Options resumed_options(const io::Checkpoint& c, const std::string& source, const Options& given) {
  auto was_set = [&](const std::string& name) {
    for (const auto& g : given.given)
      if (g == name) return true;
    return false;
  };
  auto get = [&](const std::string& key) {
    const std::string* v = c.find_metadata(key);
    if (!v) throw io::Error(source + ": checkpoint has no '" + key + "': it cannot be resumed (written by an older train?)");
    return *v;
  };
  auto number = [&](const std::string& key) { return static_cast<std::size_t>(cli::parse_u64(key, get(key))); };
  auto exact = [&](const std::string& key) { return std::bit_cast<double>(parse_hex64(get(key), key, source)); };
  Options o = given;
  o.dataset = get("dataset");
  o.model = get("model");
  o.hidden = number("hidden");
  o.batch_size = number("batch_size");
  o.lr = exact("lr_bits");
  o.reg = exact("reg_bits");
  o.momentum = exact("momentum_bits");
  o.lr_decay = exact("lr_decay_bits");
  o.weight_scale = exact("weight_scale_bits");
  o.num_train = number("num_train");
  o.num_val = number("num_val");
  o.keep_last_batch = get("keep_last_batch") == "1";
  o.seed = number("seed");
  o.epochs = was_set("epochs") ? given.epochs : number("epochs");
  for (const char* fixed : {"dataset", "model", "hidden", "batch-size", "lr", "reg", "momentum", "lr-decay", "weight-scale",
                            "num-train", "num-val", "keep-last-batch", "seed"})
    if (was_set(fixed))
      throw cli::UsageError(std::string("--") + fixed + " cannot be given with --resume: the run's settings come from " + source);
  if (o.epochs < number("epochs_done"))
    throw cli::UsageError("--epochs " + std::to_string(o.epochs) + " is fewer than the " + get("epochs_done") +
                          " epochs " + source + " has done");
  return o;
}

// Restores the optimizer, the sampler and the history; returns the epochs done.
template <class Optimizer>
std::size_t restore_train_state(const io::Checkpoint& c, const std::string& source, Optimizer& optimizer,
                                ShufflingSampler& sampler, io::TrainingHistory& history) {
  auto get = [&](const std::string& key) {
    const std::string* v = c.find_metadata(key);
    if (!v) throw io::Error(source + ": checkpoint has no '" + key + "': it cannot be resumed");
    return *v;
  };
  auto tensor = [&](const std::string& name) {
    const io::CheckpointTensor* t = c.find_tensor(name);
    if (!t) throw io::Error(source + ": checkpoint has no tensor '" + name + "': it cannot be resumed");
    return t;
  };
  optimizer.config.learning_rate =
      std::bit_cast<float>(static_cast<std::uint32_t>(parse_hex64(get("current_lr_bits"), "current_lr_bits", source)));
  const io::CheckpointTensor* v = tensor("optimizer_velocity");
  if (v->values.size() != optimizer.velocity.kSize)
    throw io::Error(source + ": 'optimizer_velocity' has " + std::to_string(v->values.size()) + " values, the model needs " +
                    std::to_string(optimizer.velocity.kSize));
  for (std::size_t i = 0; i < v->values.size(); ++i) optimizer.velocity.storage[i] = v->values[i];
  const std::string rng = get("sampler_rng");
  if (rng.size() != 64) throw io::Error(source + ": 'sampler_rng' is not 64 hex digits");
  Rng::Snapshot snap{};
  for (std::size_t w = 0; w < 4; ++w) snap.s[w] = parse_hex64(rng.substr(16 * w, 16), "sampler_rng", source);
  sampler.rng().restore(snap);
  history.loss.assign(tensor("history_loss")->values.begin(), tensor("history_loss")->values.end());
  const io::CheckpointTensor* e = tensor("history_epochs");
  if (e->cols != 3) throw io::Error(source + ": 'history_epochs' must have 3 columns");
  history.epochs.clear();
  for (std::size_t r = 0; r < e->rows; ++r)
    history.epochs.push_back({static_cast<std::size_t>(e->values[r * 3]), e->values[r * 3 + 1], e->values[r * 3 + 2], 0, 0});
  const std::size_t done = static_cast<std::size_t>(cli::parse_u64("epochs_done", get("epochs_done")));
  if (history.epochs.size() != done)
    throw io::Error(source + ": the history holds " + std::to_string(history.epochs.size()) + " epochs, 'epochs_done' says " +
                    std::to_string(done));
  return done;
}

}  // namespace firmnet::examples
