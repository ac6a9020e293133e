// train/batches.hpp: where training batches come from. fit() takes any BatchSource:
//   start_epoch()            called before each epoch (reshuffle)
//   batches()                batches per epoch
//   fill(b, x, labels)       writes batch b's rows into x (rows, In) and their labels; returns rows
// ImageBatches is the assignment's: a labelled image set, shuffled by a ShufflingSampler,
// normalised (pixel/255 - mean) as it is gathered; optionally augmented on the way
// (data/augment.hpp: random flips and shifts, one key per epoch from the sampler's generator).
// Any other source (sensor windows, generated data) is a struct with these three members.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "firmnet/core/label.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/data/augment.hpp"
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
  // Augmented: every training image goes through augment_image (shape: the images' geometry;
  // a shift must leave some of the image, shift < height and width).
  ImageBatches(const ImageSet& set, const Normalizer<In, T>& norm, ShufflingSampler& sampler, ImageShape shape,
               Augmentation augmentation) noexcept
      : ImageBatches(set, norm, sampler) {
    FIRMNET_EXPECTS(shape.size() == In && augmentation.shift < shape.height && augmentation.shift < shape.width);
    shape_ = shape;
    augmentation_ = augmentation;
  }

  void start_epoch() noexcept {
    sampler_.start_epoch();
    // Drawn only when augmenting, so runs without it keep their shuffles.
    if (augmentation_.any()) key_ = sampler_.rng().next_u64();
  }
  std::size_t batches() const noexcept { return sampler_.batches_per_epoch(); }
  std::size_t fill(std::size_t b, View<T, In> x, Label* labels) const noexcept {
    const auto indices = sampler_.batch(b);
    if (!augmentation_.any()) {
      norm_.gather(set_, indices.data(), indices.size(), x, labels);
      return indices.size();
    }
    FIRMNET_EXPECTS(indices.size() <= x.rows());
    std::uint8_t moved[In];
    for (std::size_t r = 0; r < indices.size(); ++r) {
      FIRMNET_EXPECTS(indices[r] < set_.count);
      const std::uint64_t position = b * sampler_.batch_size() + r;
      augment_image(set_.image(indices[r]), moved, shape_, draw_augmentation(augmentation_, key_, position));
      norm_.apply(moved, x.row(r));
      labels[r] = set_.labels[indices[r]];
    }
    return indices.size();
  }

 private:
  ImageSet set_;
  const Normalizer<In, T>& norm_;
  ShufflingSampler& sampler_;
  ImageShape shape_{};
  Augmentation augmentation_{};
  std::uint64_t key_ = 0;
};

}  // namespace firmnet
