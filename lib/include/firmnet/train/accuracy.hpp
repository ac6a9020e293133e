// train/accuracy.hpp: runs a classifier over every image of a set, MaxBatch rows at a time, and
// reports each (label, prediction) pair to a callback; check_accuracy counts the hits.
// scratch (MaxBatch, In) holds the normalised rows of one chunk: no heap.
#pragma once

#include <cstddef>

#include "firmnet/core/tensor.hpp"
#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet {

template <Classifier M, class OnPrediction>
void for_each_prediction(M& model, const Normalizer<M::kInputs, typename M::Scalar>& norm, const ImageSet& set,
                         Matrix<typename M::Scalar, M::kMaxBatch, M::kInputs>& scratch,
                         OnPrediction&& on_prediction) {
  Label labels[M::kMaxBatch];
  Label predicted[M::kMaxBatch];
  for (std::size_t first = 0; first < set.count; first += M::kMaxBatch) {
    const std::size_t rows = set.count - first < M::kMaxBatch ? set.count - first : M::kMaxBatch;
    norm.gather_range(set, first, rows, scratch.view(rows), labels);
    model.predict(scratch.view(rows), predicted);
    for (std::size_t r = 0; r < rows; ++r) on_prediction(labels[r], predicted[r]);
  }
}

// Fraction of `set` classified correctly, in [0, 1].
template <Classifier M>
double check_accuracy(M& model, const Normalizer<M::kInputs, typename M::Scalar>& norm, const ImageSet& set,
                      Matrix<typename M::Scalar, M::kMaxBatch, M::kInputs>& scratch) {
  if (set.count == 0) return 0.0;
  std::size_t correct = 0;
  for_each_prediction(model, norm, set, scratch, [&](Label label, Label pred) { correct += label == pred; });
  return static_cast<double>(correct) / static_cast<double>(set.count);
}

}  // namespace firmnet
