// examples/common/train_state.hpp: the settings of a train run, kept in its checkpoint so that
// train --resume continues with exactly them (io/train_state.hpp keeps the optimizer, sampler and
// history). Numbers whose bits matter are stored as the hex of their float64 bits ("*_bits").
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/train_options.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/train_state.hpp"

namespace firmnet::examples {

// Settings that define a run: a resumed run takes them from the checkpoint.
inline std::vector<std::pair<std::string, std::string>> run_settings(const Options& o) {
  auto exact = [](double v) { return io::hex_u64(std::bit_cast<std::uint64_t>(v)); };
  return {{"dataset", o.dataset},
          {"model", o.model},
          {"epochs", std::to_string(o.epochs)},
          {"batch_size", std::to_string(o.batch_size)},
          {"loss", o.loss},
          {"lr_bits", exact(o.lr)},
          {"reg_bits", exact(o.reg)},
          {"momentum_bits", exact(o.momentum)},
          {"nesterov", o.nesterov ? "1" : "0"},
          {"beta1_bits", exact(o.beta1)},
          {"beta2_bits", exact(o.beta2)},
          {"eps_bits", exact(o.eps)},
          {"lr_decay_bits", exact(o.lr_decay)},
          {"init", o.init_rule()},
          {"weight_scale_bits", exact(o.weight_scale)},
          {"num_train", std::to_string(o.num_train)},
          {"num_val", std::to_string(o.num_val)},
          {"keep_last_batch", o.keep_last_batch ? "1" : "0"},
          {"flip", o.flip ? "1" : "0"},
          {"shift", std::to_string(o.shift)},
          {"seed", std::to_string(o.seed)}};
}

// The settings a checkpoint holds must be ones train's flags accept: a damaged or hand-edited
// file is named, never run with a batch of 0 or a loss that silently falls back to a default.
inline void check_settings(const Options& o, const std::string& source) {
  auto bad = [&](const std::string& key, const std::string& value, const std::string& want) {
    throw io::Error(source + ": checkpoint entry '" + key + "' = '" + value + "' is not " + want);
  };
  auto one_of = [&](const std::string& key, const std::string& v, const std::vector<std::string>& allowed) {
    std::string list;
    for (const std::string& a : allowed) {
      if (v == a) return;
      list += (list.empty() ? "" : ", ") + a;
    }
    bad(key, v, "one of " + list);
  };
  auto in_range = [&](const std::string& key, double v, Range r) {
    if (!(v <= r.hi) || !(r.lo_open ? v > r.lo : v >= r.lo))  // also NaN
      bad(key, number_text(v), std::string(r.lo_open ? "in (" : "in [") + number_text(r.lo) + ", " + number_text(r.hi) + "]");
  };
  one_of("dataset", o.dataset, kDatasets);
  one_of("loss", o.loss, kLosses);
  one_of("optimizer", o.optimizer, kOptimizers);
  one_of("init", o.init, kInits);
  if (o.batch_size < 1 || o.batch_size > kMaxBatch)
    bad("batch_size", std::to_string(o.batch_size), "from 1 to " + std::to_string(kMaxBatch));
  if (o.num_val < 1) bad("num_val", "0", "at least 1");
  if (o.shift > kMaxShift) bad("shift", std::to_string(o.shift), "from 0 to " + std::to_string(kMaxShift));
  in_range("lr_bits", o.lr, kLrRange);
  in_range("reg_bits", o.reg, kRegRange);
  in_range("momentum_bits", o.momentum, kMomentumRange);
  in_range("beta1_bits", o.beta1, kBeta1Range);
  in_range("beta2_bits", o.beta2, kBeta2Range);
  in_range("eps_bits", o.eps, kEpsRange);
  in_range("lr_decay_bits", o.lr_decay, kLrDecayRange);
  in_range("weight_scale_bits", o.weight_scale, kWeightScaleRange);
  if (o.nesterov && !(o.optimizer == "sgd" && o.momentum > 0))
    bad("nesterov", "1", "possible: Nesterov momentum needs optimizer sgd and a momentum above 0");
}

// Options of the run stored in c; the caller's `given` keeps only what may change on resume
// (files, printing, threads, the data directory, and more epochs). Throws cli::UsageError for a
// flag that contradicts the checkpoint, io::Error for a checkpoint without a resumable state.
inline Options resumed_options(const io::Checkpoint& c, const std::string& source, const Options& given) {
  auto get = [&](const std::string& key) { return io::require_metadata(c, key, source); };
  auto number = [&](const std::string& key) { return static_cast<std::size_t>(io::parse_decimal(get(key), key, source)); };
  auto exact = [&](const std::string& key) { return std::bit_cast<double>(io::parse_hex(get(key), 16, key, source)); };
  auto parse_flag = [&](const std::string& key, const std::string& v) {
    if (v != "0" && v != "1") throw io::Error(source + ": checkpoint entry '" + key + "' = '" + v + "' is not 0 or 1");
    return v == "1";
  };
  auto flag = [&](const std::string& key) { return parse_flag(key, get(key)); };
  // Checkpoints written before augmentation existed have no flip and shift: they trained without.
  auto optional_flag = [&](const std::string& key) {
    const std::string* v = c.find_metadata(key);
    return v ? parse_flag(key, *v) : false;
  };
  auto optional_number = [&](const std::string& key) {
    const std::string* v = c.find_metadata(key);
    return v ? static_cast<std::size_t>(io::parse_decimal(*v, key, source)) : std::size_t{0};
  };
  Options o = given;
  o.dataset = get("dataset");
  o.model = get("model");
  o.spec = c.spec;
  o.batch_size = number("batch_size");
  o.loss = get("loss");
  o.optimizer = get("optimizer");
  o.lr = exact("lr_bits");
  o.reg = exact("reg_bits");
  o.momentum = exact("momentum_bits");
  o.nesterov = flag("nesterov");
  o.beta1 = exact("beta1_bits");
  o.beta2 = exact("beta2_bits");
  o.eps = exact("eps_bits");
  o.lr_decay = exact("lr_decay_bits");
  o.init = get("init");
  o.weight_scale = exact("weight_scale_bits");
  o.num_train = number("num_train");
  o.num_val = number("num_val");
  o.keep_last_batch = flag("keep_last_batch");
  o.flip = optional_flag("flip");
  o.shift = optional_number("shift");
  o.seed = io::parse_decimal(get("seed"), "seed", source);
  o.epochs = given.was_set("epochs") ? given.epochs : number("epochs");
  check_settings(o, source);
  for (const char* fixed : {"dataset", "model", "hidden", "batch-size", "loss", "optimizer", "lr", "reg", "momentum",
                            "nesterov", "beta1", "beta2", "eps", "lr-decay", "init", "weight-scale", "num-train",
                            "num-val", "keep-last-batch", "flip", "shift", "seed"})
    if (given.was_set(fixed))
      throw cli::UsageError(std::string("--") + fixed + " cannot be given with --resume: the run's settings come from " + source);
  if (o.epochs < number("epochs_done"))
    throw cli::UsageError("--epochs " + std::to_string(o.epochs) + " is fewer than the " + get("epochs_done") +
                          " epochs " + source + " has done");
  return o;
}

}  // namespace firmnet::examples
