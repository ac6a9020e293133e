// data/normalizer.hpp: the assignment's preprocessing, x = pixel/255 - mean, with mean the
// per-pixel average of the (scaled) training split. fit() computes the mean in double, in a fixed
// order, so the result is the same bits on every platform. Applied when a batch is gathered.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/tensor.hpp"
#include "firmnet/data/image_set.hpp"

namespace firmnet {

// The per-pixel mean of a set, in scaled units (pixel/255): mean[j] for j < set.dim, computed
// image by image (the bytes in memory order); each pixel's sum still runs over the images in
// order, so the result does not depend on this loop order. sum: set.dim doubles of scratch.
template <class T>
void pixel_mean(const ImageSet& set, double* sum, T* mean) noexcept {
  FIRMNET_EXPECTS(set.count > 0);
  for (std::size_t j = 0; j < set.dim; ++j) sum[j] = 0;
  for (std::size_t i = 0; i < set.count; ++i) {
    const std::uint8_t* image = set.image(i);
    for (std::size_t j = 0; j < set.dim; ++j) sum[j] += image[j];
  }
  for (std::size_t j = 0; j < set.dim; ++j) mean[j] = static_cast<T>(sum[j] * (1.0 / 255.0) / static_cast<double>(set.count));
}

template <std::size_t Dim, class T = float>
struct Normalizer {
  Matrix<T, 1, Dim> mean;  // per pixel, in scaled units

  void fit(const ImageSet& train) noexcept {
    FIRMNET_EXPECTS(train.dim == Dim);
    double sum[Dim];
    pixel_mean(train, sum, mean.storage);
  }

  // One mean for every pixel: the mean of all of them, rounded to a whole pixel level k/255, so
  // that x = (p - k)/255 and real 0 is the pixel value k (a convolution's zero padding, and the
  // int8 input's zero point). For networks that start with a convolution.
  void fit_level(const ImageSet& train) noexcept {
    FIRMNET_EXPECTS(train.dim == Dim && train.count > 0);
    double sum = 0;
    for (std::size_t i = 0; i < train.count * Dim; ++i) sum += train.pixels[i];
    const double level = static_cast<double>(static_cast<long long>(sum / double(train.count * Dim) + 0.5));
    for (std::size_t j = 0; j < Dim; ++j) mean.storage[j] = static_cast<T>(level / 255.0);
  }

  static T scaled(std::uint8_t pixel) noexcept { return static_cast<T>(pixel) / static_cast<T>(255); }

  void apply(const std::uint8_t* pixels, T* out) const noexcept {
    for (std::size_t j = 0; j < Dim; ++j) out[j] = scaled(pixels[j]) - mean.storage[j];
  }

  // Gathers rows `indices[0..rows)` of `set` into out (rows, Dim) and their labels into labels_out.
  void gather(const ImageSet& set, const std::uint32_t* indices, std::size_t rows, View<T, Dim> out,
              Label* labels_out) const noexcept {
    FIRMNET_EXPECTS(set.dim == Dim && rows <= out.rows());
    for (std::size_t r = 0; r < rows; ++r) {
      FIRMNET_EXPECTS(indices[r] < set.count);
      apply(set.image(indices[r]), out.row(r));
      labels_out[r] = set.labels[indices[r]];
    }
  }

  // Rows [first, first + rows) of `set`, in order (evaluation).
  void gather_range(const ImageSet& set, std::size_t first, std::size_t rows, View<T, Dim> out,
                    Label* labels_out) const noexcept {
    FIRMNET_EXPECTS(set.dim == Dim && rows <= out.rows() && first + rows <= set.count);
    for (std::size_t r = 0; r < rows; ++r) {
      apply(set.image(first + r), out.row(r));
      labels_out[r] = set.labels[first + r];
    }
  }
};

}  // namespace firmnet
