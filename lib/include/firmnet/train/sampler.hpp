// train/sampler.hpp: seeded shuffling minibatch sampler. Each epoch draws a fresh permutation of
// 0..count-1 (from the identity, so an epoch's order depends only on the generator state) and
// cuts it into batches. Like the assignment it drops the last partial batch by default
// (50000 images, batch 64 -> 781 iterations); keep_last gives the remainder as a smaller batch.
// The permutation lives in caller-owned storage of `count` entries: no heap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/rng.hpp"

namespace firmnet {

class ShufflingSampler {
 public:
  ShufflingSampler(std::span<std::uint32_t> storage, std::size_t batch_size, bool keep_last,
                   std::uint64_t seed) noexcept
      : order_(storage), batch_size_(batch_size), keep_last_(keep_last), rng_(seed) {
    FIRMNET_EXPECTS(batch_size > 0);
  }

  std::size_t count() const noexcept { return order_.size(); }
  std::size_t batch_size() const noexcept { return batch_size_; }
  std::size_t batches_per_epoch() const noexcept {
    return keep_last_ ? (count() + batch_size_ - 1) / batch_size_ : count() / batch_size_;
  }

  // Draws this epoch's permutation.
  void start_epoch() noexcept {
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<std::uint32_t>(i);
    rng_.shuffle(order_.begin(), order_.end());
  }

  // Indices of batch b (0 <= b < batches_per_epoch()) of the current epoch.
  std::span<const std::uint32_t> batch(std::size_t b) const noexcept {
    FIRMNET_EXPECTS(b < batches_per_epoch());
    const std::size_t first = b * batch_size_;
    return {order_.data() + first, std::min(batch_size_, count() - first)};
  }

  Rng& rng() noexcept { return rng_; }

 private:
  std::span<std::uint32_t> order_;
  std::size_t batch_size_;
  bool keep_last_;
  Rng rng_;
};

}  // namespace firmnet
