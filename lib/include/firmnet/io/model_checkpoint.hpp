// io/model_checkpoint.hpp: a network and its input normalizer <-> a Checkpoint.
// The checkpoint holds the network's architecture spec, its params() by name ("w1", "b1", ...)
// and "input_mean" (1, In). Loading checks the spec, every tensor's presence and dimensions, and
// that every value is finite, and says which of these is wrong and in which file. Works for a
// network in either mode (Train or Infer): both name their parameters the same way.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "firmnet/data/normalizer.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"

namespace firmnet::io {

template <class M>
Checkpoint make_checkpoint(M& model, const Normalizer<M::kInputs, float>& norm) {
  static_assert(std::is_same_v<typename M::Scalar, float>, "checkpoints hold float32 models");
  Checkpoint c;
  c.spec = std::string(M::kSpec.view());
  for (const auto& p : model.params())
    c.tensors.push_back({p.name, static_cast<std::uint32_t>(p.rows), static_cast<std::uint32_t>(p.cols),
                         std::vector<float>(p.value, p.value + p.size())});
  c.tensors.push_back({"input_mean", 1, static_cast<std::uint32_t>(M::kInputs),
                       std::vector<float>(norm.mean.data(), norm.mean.data() + M::kInputs)});
  return c;
}

namespace detail {
inline void copy_tensor(const Checkpoint& c, const std::string& source, const std::string& name, std::size_t rows,
                        std::size_t cols, float* out) {
  const CheckpointTensor* t = c.find_tensor(name);
  if (!t) throw Error(source + ": checkpoint has no tensor '" + name + "'");
  if (t->rows != rows || t->cols != cols)
    throw Error(source + ": tensor '" + name + "' is " + std::to_string(t->rows) + "x" + std::to_string(t->cols) +
                ", the model expects " + std::to_string(rows) + "x" + std::to_string(cols));
  for (std::size_t i = 0; i < t->values.size(); ++i) {
    if (!std::isfinite(t->values[i]))
      throw Error(source + ": tensor '" + name + "' holds a non-finite value (" + std::to_string(t->values[i]) +
                  ") at index " + std::to_string(i));
    out[i] = t->values[i];
  }
}
}  // namespace detail

// Throws io::Error if the checkpoint does not hold exactly this network.
template <class M>
void load_checkpoint_into(const Checkpoint& c, const std::string& source, M& model, Normalizer<M::kInputs, float>& norm) {
  if (c.spec != M::kSpec.view())
    throw Error(source + ": checkpoint holds the network " + c.spec + ", expected " + std::string(M::kSpec.view()));
  for (const auto& p : model.params()) detail::copy_tensor(c, source, p.name, p.rows, p.cols, p.value);
  detail::copy_tensor(c, source, "input_mean", 1, M::kInputs, norm.mean.data());
}

}  // namespace firmnet::io
