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

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

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
  const std::size_t c = shape.channels, row_bytes = shape.width * c;
  // The output columns whose source column x - dx lies inside the image: [x0, x1), the same for
  // every row; the rest of a row is border. A flip mirrors which source pixel, not where it goes.
  const std::ptrdiff_t x0 = std::clamp<std::ptrdiff_t>(d.dx, 0, w), x1 = std::clamp<std::ptrdiff_t>(w + d.dx, 0, w);
  const auto bytes = [c](std::ptrdiff_t pixels) { return static_cast<std::size_t>(pixels) * c; };
  for (std::ptrdiff_t y = 0; y < h; ++y) {
    std::uint8_t* row = out + static_cast<std::size_t>(y) * row_bytes;
    const std::ptrdiff_t sy = y - d.dy;
    if (sy < 0 || sy >= h || x0 >= x1) {
      std::memset(row, 0, row_bytes);
      continue;
    }
    std::memset(row, 0, bytes(x0));
    std::memset(row + bytes(x1), 0, bytes(w - x1));
    const std::uint8_t* src = in + static_cast<std::size_t>(sy) * row_bytes;
    if (!d.flip) {
      std::memcpy(row + bytes(x0), src + bytes(x0 - d.dx), bytes(x1 - x0));
    } else {
      for (std::ptrdiff_t x = x0; x < x1; ++x) std::memcpy(row + bytes(x), src + bytes(w - 1 - (x - d.dx)), c);
    }
  }
}

}  // namespace firmnet
