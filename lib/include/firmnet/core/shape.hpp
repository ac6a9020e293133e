// core/shape.hpp: the shape of one sample as it flows through a network, in the type.
// Shape<H, W, C> is an H x W image of C channels stored NHWC: one sample is one contiguous row
// of H·W·C values (pixel (y, x) channel c at (y·W + x)·C + c), so a batch is a (rows, H·W·C)
// matrix and every layer reads and writes plain row views. A vector of N values is Shape<1, 1, N>.
#pragma once

#include <cstddef>

#include "firmnet/core/fixed_string.hpp"

namespace firmnet {

template <std::size_t H, std::size_t W, std::size_t C>
struct Shape {
  static_assert(H > 0 && W > 0 && C > 0, "a shape has no zero dimension");
  static constexpr std::size_t kH = H, kW = W, kC = C;
  static constexpr std::size_t kSize = H * W * C;
  static constexpr bool kFlat = H == 1 && W == 1;
  // "784" for a vector, "28x28x1" for an image: how specs spell shapes.
  static constexpr auto text() noexcept {
    if constexpr (kFlat) return number<C>();
    else return number<H>() + "x" + number<W>() + "x" + number<C>();
  }
};

template <std::size_t N>
using Flat = Shape<1, 1, N>;

}  // namespace firmnet
