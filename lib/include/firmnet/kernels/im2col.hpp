// kernels/im2col.hpp: a convolution as a GEMM. im2col lays the window under each output pixel of
// images [first, first + n) out as one row of KH·KW·C values (HWIO order, zeros in the padding):
// cols (n·OH·OW, KH·KW·C), so cols·w (KH·KW·C, K) is the NHWC output. col2im is its adjoint:
// it adds each row of dcols back onto the pixels it came from (dx must start at zero).
// pad_images writes the images with their zero border, for the GEMM that reads the columns in
// place (conv_direct.hpp).
// Whole runs of C values are copied at a time: NHWC keeps a pixel's channels adjacent.
#pragma once

#include <cstddef>
#include <cstring>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::kernels {

// The window under output pixel (oy, ox) of one image as KH·KW·C values, `pad` in the padding
// (0 for the float layers; the input's zero point, which stands for real 0, in int8).
template <class T>
void im2col_pixel(const ConvGeometry& g, const T* image, std::size_t oy, std::size_t ox, T pad, T* patch) noexcept {
  const std::size_t run = g.kw * g.c;
  for (std::size_t ky = 0; ky < g.kh; ++ky, patch += run) {
    std::size_t iy = 0;
    if (!g.in_y(oy, ky, iy)) {
      for (std::size_t i = 0; i < run; ++i) patch[i] = pad;
      continue;
    }
    // Window row ky: kx from 0 to KW - 1, of which the first and last few may be padding.
    const std::size_t x0 = ox * g.stride;  // padded column of kx = 0
    const std::size_t lo = x0 < g.pad ? (g.pad - x0 < g.kw ? g.pad - x0 : g.kw) : 0;
    const std::size_t hi = x0 + g.kw <= g.pad + g.w ? g.kw : (g.pad + g.w > x0 ? g.pad + g.w - x0 : 0);
    // Element loops, not memcpy: a first layer's runs are a few values (KW·C = 5), a call each.
    const std::size_t a = lo * g.c, b = (hi > lo ? hi : lo) * g.c;
    const T* src = image + (iy * g.w + x0 + lo - g.pad) * g.c;  // the value of patch[a]
    for (std::size_t i = 0; i < a; ++i) patch[i] = pad;
    for (std::size_t i = a; i < b; ++i) patch[i] = src[i - a];
    for (std::size_t i = b; i < run; ++i) patch[i] = pad;
  }
}

template <class T>
void im2col(const ConvGeometry& g, const T* x, std::size_t images, T* cols) noexcept {
  const std::size_t image = g.h * g.w * g.c;
  for (std::size_t n = 0; n < images; ++n)
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox, cols += g.patch()) im2col_pixel(g, x + n * image, oy, ox, T(0), cols);
}

// dst (images, H + 2P, W + 2P, C) = x with P zeros on every side: the source conv_direct.hpp
// reads in place (each padded row one zero run, one copy of W·C values, one zero run).
// A large batch is shared across the GEMM pool image by image (split_images).
template <class T>
void pad_images(const ConvGeometry& g, const T* x, std::size_t images, T* dst) noexcept {
  const std::size_t row = g.w * g.c, side = g.pad * g.c, padded_row = row + 2 * side;
  const std::size_t image = g.h * row, padded_image = (g.h + 2 * g.pad) * padded_row;
  auto pad = [&](std::size_t n0, std::size_t n1) noexcept {
    const T* src = x + n0 * image;
    T* out = dst + n0 * padded_image;
    for (std::size_t n = n0; n < n1; ++n) {
      for (std::size_t i = 0; i < g.pad * padded_row; ++i) *out++ = T(0);
      for (std::size_t y = 0; y < g.h; ++y, src += row) {
        for (std::size_t i = 0; i < side; ++i) *out++ = T(0);
        std::memcpy(out, src, row * sizeof(T));
        out += row;
        for (std::size_t i = 0; i < side; ++i) *out++ = T(0);
      }
      for (std::size_t i = 0; i < g.pad * padded_row; ++i) *out++ = T(0);
    }
  };
#if FIRMNET_HAVE_XSIMD
  return split_images(images, padded_image, pad);
#endif
  pad(0, images);
}

template <class T>
void col2im(const ConvGeometry& g, const T* cols, std::size_t images, T* dx) noexcept {
  const std::size_t image = g.h * g.w * g.c, run = g.kw * g.c;
  for (std::size_t n = 0; n < images; ++n) {
    T* out = dx + n * image;
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox)
        for (std::size_t ky = 0; ky < g.kh; ++ky, cols += run) {
          std::size_t iy = 0;
          if (!g.in_y(oy, ky, iy)) continue;
          const std::size_t x0 = ox * g.stride;
          const std::size_t lo = x0 < g.pad ? (g.pad - x0 < g.kw ? g.pad - x0 : g.kw) : 0;
          const std::size_t hi = x0 + g.kw <= g.pad + g.w ? g.kw : (g.pad + g.w > x0 ? g.pad + g.w - x0 : 0);
          if (hi <= lo) continue;
          T* dst = out + (iy * g.w + x0 + lo - g.pad) * g.c;
          const T* src = cols + lo * g.c;
          for (std::size_t i = 0; i < (hi - lo) * g.c; ++i) dst[i] += src[i];
        }
  }
}

}  // namespace firmnet::kernels
