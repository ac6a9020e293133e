// io/model_checkpoint.hpp: a classifier and its input normalizer <-> a Checkpoint.
// Tensors: the model's params() by name ("w1", "b1", ...) and "input_mean" (1, In).
// Loading checks the model kind, the shape, every tensor's presence and dimensions, and that
// every value is finite, and says which of these is wrong and in which file.
#pragma once

#include <cmath>
#include <string>

#include "firmnet/data/normalizer.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet::io {

template <class Shape>
std::string shape_text(const Shape& shape) {
  std::string s;
  for (const auto d : shape) {
    if (!s.empty()) s += 'x';
    s += std::to_string(d);
  }
  return s;
}

template <Classifier M>
Checkpoint make_checkpoint(M& model, const Normalizer<M::kInputs, float>& norm) {
  static_assert(std::is_same_v<typename M::Scalar, float>, "checkpoints hold float32 models");
  Checkpoint c;
  c.model_kind = M::kKind;
  for (const auto d : M::kShape) c.shape.push_back(static_cast<std::uint32_t>(d));
  for (const Param<float>& p : model.params())
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

// Throws io::Error if the checkpoint does not hold exactly this model.
template <Classifier M>
void load_checkpoint_into(const Checkpoint& c, const std::string& source, M& model, Normalizer<M::kInputs, float>& norm) {
  if (c.model_kind != M::kKind)
    throw Error(source + ": checkpoint holds a '" + c.model_kind + "' model, expected '" + M::kKind + "'");
  bool same_shape = c.shape.size() == M::kShape.size();
  for (std::size_t i = 0; same_shape && i < c.shape.size(); ++i) same_shape = c.shape[i] == M::kShape[i];
  if (!same_shape)
    throw Error(source + ": checkpoint model shape " + shape_text(c.shape) + " does not match " + shape_text(M::kShape));
  for (const Param<float>& p : model.params()) detail::copy_tensor(c, source, p.name, p.rows, p.cols, p.value);
  detail::copy_tensor(c, source, "input_mean", 1, M::kInputs, norm.mean.data());
}

}  // namespace firmnet::io
