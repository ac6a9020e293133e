// train/batches.hpp: where training batches come from. fit() takes any BatchSource:
//   start_epoch()            called before each epoch (reshuffle)
//   batches()                batches per epoch
//   fill(b, x, labels)       writes batch b's rows into x (rows, In) and their labels; returns rows
// ImageBatches is the assignment's: a labelled image set, shuffled by a ShufflingSampler,
// normalised (pixel/255 - mean) as it is gathered. Any other source (sensor windows, generated
// data) is a struct with these three members.
#pragma once

#include <concepts>
#include <cstddef>

#include "firmnet/core/label.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/train/sampler.hpp"

namespace firmnet {

template <class S, class T, std::size_t In>
concept BatchSource = requires(S& s, std::size_t b, View<T, In> x, Label* labels) {
  s.start_epoch();
  { s.batches() } -> std::convertible_to<std::size_t>;
  { s.fill(b, x, labels) } -> std::convertible_to<std::size_t>;
};

template <std::size_t In, class T = float>
class ImageBatches {
 public:
  ImageBatches(const ImageSet& set, const Normalizer<In, T>& norm, ShufflingSampler& sampler) noexcept
      : set_(set), norm_(norm), sampler_(sampler) {
    FIRMNET_EXPECTS(sampler.count() == set.count && set.dim == In);
  }
  void start_epoch() noexcept { sampler_.start_epoch(); }
  std::size_t batches() const noexcept { return sampler_.batches_per_epoch(); }
  std::size_t fill(std::size_t b, View<T, In> x, Label* labels) const noexcept {
    const auto indices = sampler_.batch(b);
    norm_.gather(set_, indices.data(), indices.size(), x, labels);
    return indices.size();
  }

 private:
  ImageSet set_;
  const Normalizer<In, T>& norm_;
  ShufflingSampler& sampler_;
};

}  // namespace firmnet
