// data/augment.hpp: training-time augmentation of image batches: each image mirrored left-right
// with probability 1/2 (--flip) and moved by a whole number of pixels in [-shift, shift] each way
// (--shift), the uncovered border black (pixel 0), as torchvision's RandomHorizontalFlip and
// RandomCrop(padding=shift) do. Validation and test images are never augmented.
//
// The draws are counter-based: image `position` of an epoch gets the bits of splitmix64(key +
// position), with one key per epoch taken from the sampler's generator. So an image's transform
// does not depend on the order batches are filled or on the thread count, and a resumed run
// (whose sampler generator is restored from the checkpoint) draws exactly what an uninterrupted
// run would. No heap; works on bytes before normalisation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/contract.hpp"
#include "firmnet/data/image_set.hpp"

namespace firmnet {

struct Augmentation {
  bool flip = false;
  std::size_t shift = 0;  // at most this many pixels up/down and left/right
  constexpr bool any() const noexcept { return flip || shift > 0; }
};

// One image's transform.
struct AugmentDraw {
  bool flip = false;
  int dy = 0, dx = 0;  // the content moves down by dy and right by dx pixels (negative: up, left)
};

// splitmix64's output function: a bijection of 64-bit words whose outputs pass as independent.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The transform of image `position` of the epoch whose key is `key`. Offsets are uniform over
// the 2*shift+1 values (31 or 32 random bits scaled by multiply-shift: bias below 2^-26); the
// flip takes the lowest bit.
constexpr AugmentDraw draw_augmentation(const Augmentation& a, std::uint64_t key, std::uint64_t position) noexcept {
  const std::uint64_t bits = mix64(key + position);
  const std::uint64_t span = 2 * a.shift + 1;
  AugmentDraw d;
  d.flip = a.flip && (bits & 1) != 0;
  if (a.shift > 0) {
    d.dy = static_cast<int>(((bits >> 32) * span) >> 32) - static_cast<int>(a.shift);
    d.dx = static_cast<int>((((bits >> 1) & 0x7FFFFFFFull) * span) >> 31) - static_cast<int>(a.shift);
  }
  return d;
}

// out(y, x, c) = in(y - dy, x', c) with x' = x - dx, mirrored (W-1-x') when flipped; 0 where that
// falls outside the image. in and out: shape.size() bytes each, not overlapping.
inline void augment_image(const std::uint8_t* in, std::uint8_t* out, ImageShape shape, AugmentDraw d) noexcept {
  const auto h = static_cast<std::ptrdiff_t>(shape.height), w = static_cast<std::ptrdiff_t>(shape.width);
  const std::size_t c = shape.channels;
  for (std::ptrdiff_t y = 0; y < h; ++y) {
    std::uint8_t* row = out + static_cast<std::size_t>(y * w) * c;
    const std::ptrdiff_t sy = y - d.dy;
    for (std::ptrdiff_t x = 0; x < w; ++x) {
      const std::ptrdiff_t sx = x - d.dx;
      const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const std::ptrdiff_t fx = d.flip ? w - 1 - sx : sx;
      const std::uint8_t* src = inside ? in + static_cast<std::size_t>(sy * w + fx) * c : nullptr;
      for (std::size_t k = 0; k < c; ++k) row[static_cast<std::size_t>(x) * c + k] = src ? src[k] : 0;
    }
  }
}

}  // namespace firmnet
