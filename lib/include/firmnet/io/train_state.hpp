// io/train_state.hpp: what a checkpoint holds beyond the model, so a resumed run continues
// exactly where it stopped: the optimizer's state (any optimizer, through visit_state), the
// sampler's random state, the epochs done, and the history for the plot. Numbers whose bits
// matter are stored exactly, as hex of their IEEE-754 bits. Names (docs/checkpoint-format.md):
//   tensor   "optimizer/<name>"    each state tensor (velocity; adam_m, adam_v), (1, n)
//   metadata "optimizer"           the optimizer's name ("sgd", "adam", "adamw")
//   metadata "optimizer/<name>"    each state scalar: lr as the hex of its float32 bits (8
//                                  digits); step counts in decimal
//   metadata "sampler_rng"         the 4 words of the shuffling generator, 64 hex digits
//   metadata "epochs_done"         decimal
//   tensor   "history_loss"        (1, iterations): the loss of every step so far
//   tensor   "history_epochs"      (epochs, 3): epoch, train accuracy, val accuracy
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/report.hpp"

namespace firmnet::io {

std::string hex_u64(std::uint64_t v, int digits = 16);
// Exactly `digits` lowercase hex digits, or io::Error naming the key and the source.
std::uint64_t parse_hex(const std::string& text, int digits, const std::string& key, const std::string& source);
std::uint64_t parse_decimal(const std::string& text, const std::string& key, const std::string& source);

// The checkpoint's metadata value for key, or io::Error "<source>: checkpoint has no '<key>'...".
const std::string& require_metadata(const Checkpoint& c, const std::string& key, const std::string& source);

template <class Optimizer>
void save_optimizer_state(Checkpoint& c, Optimizer& optimizer) {
  c.set_metadata("optimizer", std::string(optimizer.name()));
  optimizer.visit_state([&](const char* name, auto&& state) {
    using S = std::remove_cvref_t<decltype(state)>;
    const std::string key = std::string("optimizer/") + name;
    if constexpr (std::is_same_v<S, std::span<float>>) {
      c.tensors.push_back({key, 1, static_cast<std::uint32_t>(state.size()), std::vector<float>(state.begin(), state.end())});
    } else if constexpr (std::is_same_v<S, float>) {
      c.set_metadata(key, hex_u64(std::bit_cast<std::uint32_t>(state), 8));
    } else {
      static_assert(std::is_same_v<S, std::uint64_t>, "optimizer state is float tensors, a float lr and counters");
      c.set_metadata(key, std::to_string(state));
    }
  });
}

// Throws io::Error if the checkpoint's optimizer is another one or its state does not fit.
template <class Optimizer>
void restore_optimizer_state(const Checkpoint& c, const std::string& source, Optimizer& optimizer) {
  const std::string& kind = require_metadata(c, "optimizer", source);
  if (kind != optimizer.name())
    throw Error(source + ": checkpoint was trained with optimizer '" + kind + "', not '" + std::string(optimizer.name()) + "'");
  optimizer.visit_state([&](const char* name, auto&& state) {
    using S = std::remove_cvref_t<decltype(state)>;
    const std::string key = std::string("optimizer/") + name;
    if constexpr (std::is_same_v<S, std::span<float>>) {
      const CheckpointTensor* t = c.find_tensor(key);
      if (!t) throw Error(source + ": checkpoint has no tensor '" + key + "': it cannot be resumed");
      if (t->values.size() != state.size())
        throw Error(source + ": '" + key + "' has " + std::to_string(t->values.size()) + " values, the model needs " +
                    std::to_string(state.size()));
      std::copy(t->values.begin(), t->values.end(), state.begin());
    } else if constexpr (std::is_same_v<S, float>) {
      state = std::bit_cast<float>(static_cast<std::uint32_t>(parse_hex(require_metadata(c, key, source), 8, key, source)));
    } else {
      state = parse_decimal(require_metadata(c, key, source), key, source);
    }
  });
}

void save_rng(Checkpoint& c, const std::string& key, const Rng& rng);
void restore_rng(const Checkpoint& c, const std::string& key, const std::string& source, Rng& rng);

void save_history(Checkpoint& c, const TrainingHistory& history, std::size_t epochs_done);
// Returns the epochs done; the history must hold exactly that many epochs.
std::size_t restore_history(const Checkpoint& c, const std::string& source, TrainingHistory& history);

}  // namespace firmnet::io
