// data/image_set.hpp: a non-owning view of labelled 8-bit images, (count, dim) pixels row-major.
// Datasets stay in bytes, as the files store them (4x less memory than floats); the normalizer
// turns the rows of one batch into floats when the batch is gathered. No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/contract.hpp"
#include "firmnet/core/label.hpp"

namespace firmnet {

// The geometry of one image: height x width x channels, stored row by row with the channels of a
// pixel together (NHWC), as the datasets and the convolutions keep them.
struct ImageShape {
  std::size_t height = 0, width = 0, channels = 0;
  constexpr std::size_t size() const noexcept { return height * width * channels; }
};

struct ImageSet {
  const std::uint8_t* pixels = nullptr;  // (count, dim)
  const Label* labels = nullptr;         // (count)
  std::size_t count = 0;
  std::size_t dim = 0;

  const std::uint8_t* image(std::size_t i) const noexcept { return pixels + i * dim; }

  // Images [first, first + n).
  ImageSet slice(std::size_t first, std::size_t n) const noexcept {
    FIRMNET_EXPECTS(first <= count && n <= count - first);
    return {pixels + first * dim, labels + first, n, dim};
  }
};

}  // namespace firmnet
