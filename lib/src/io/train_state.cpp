// See io/train_state.hpp.
#include "firmnet/io/train_state.hpp"

namespace firmnet::io {

std::string hex_u64(std::uint64_t v, int digits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t parse_hex(const std::string& text, int digits, const std::string& key, const std::string& source) {
  std::uint64_t v = 0;
  bool ok = text.size() == static_cast<std::size_t>(digits);
  for (std::size_t i = 0; ok && i < text.size(); ++i) {
    const char c = text[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    ok = d >= 0;
    v = v << 4 | std::uint64_t(d < 0 ? 0 : d);
  }
  if (!ok) throw Error(source + ": checkpoint entry '" + key + "' is not " + std::to_string(digits) + " hex digits");
  return v;
}

std::uint64_t parse_decimal(const std::string& text, const std::string& key, const std::string& source) {
  // Any uint64 (a --seed may have 20 digits), never wrapped: each step checks v * 10 + d fits.
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  std::uint64_t v = 0;
  bool ok = !text.empty() && text.size() <= 20;
  for (const char c : text) {
    const std::uint64_t d = c >= '0' && c <= '9' ? std::uint64_t(c - '0') : 10;
    ok = ok && d < 10 && v <= (kMax - d) / 10;
    if (!ok) break;
    v = v * 10 + d;
  }
  if (!ok) throw Error(source + ": checkpoint entry '" + key + "' = '" + text + "' is not a whole number (0 to 2^64-1)");
  return v;
}

const std::string& require_metadata(const Checkpoint& c, const std::string& key, const std::string& source) {
  const std::string* v = c.find_metadata(key);
  if (!v) throw Error(source + ": checkpoint has no '" + key + "' (not written by train, or by an older one that cannot be resumed)");
  return *v;
}

void save_rng(Checkpoint& c, const std::string& key, const Rng& rng) {
  std::string text;
  for (const auto w : rng.snapshot().s) text += hex_u64(w);
  c.set_metadata(key, text);
}

void restore_rng(const Checkpoint& c, const std::string& key, const std::string& source, Rng& rng) {
  const std::string& text = require_metadata(c, key, source);
  if (text.size() != 64) throw Error(source + ": '" + key + "' is not 64 hex digits");
  Rng::Snapshot snap{};
  for (std::size_t w = 0; w < 4; ++w) snap.s[w] = parse_hex(text.substr(16 * w, 16), 16, key, source);
  rng.restore(snap);
}

void save_history(Checkpoint& c, const TrainingHistory& history, std::size_t epochs_done) {
  c.set_metadata("epochs_done", std::to_string(epochs_done));
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

std::size_t restore_history(const Checkpoint& c, const std::string& source, TrainingHistory& history) {
  auto tensor = [&](const std::string& name) {
    const CheckpointTensor* t = c.find_tensor(name);
    if (!t) throw Error(source + ": checkpoint has no tensor '" + name + "': it cannot be resumed");
    return t;
  };
  history.loss.assign(tensor("history_loss")->values.begin(), tensor("history_loss")->values.end());
  const CheckpointTensor* e = tensor("history_epochs");
  if (e->cols != 3) throw Error(source + ": 'history_epochs' must have 3 columns");
  history.epochs.clear();
  for (std::size_t r = 0; r < e->rows; ++r)
    history.epochs.push_back({static_cast<std::size_t>(e->values[r * 3]), e->values[r * 3 + 1], e->values[r * 3 + 2], 0, 0});
  const std::size_t done = parse_decimal(require_metadata(c, "epochs_done", source), "epochs_done", source);
  if (history.epochs.size() != done)
    throw Error(source + ": the history holds " + std::to_string(history.epochs.size()) + " epochs, 'epochs_done' says " +
                std::to_string(done));
  return done;
}

}  // namespace firmnet::io
