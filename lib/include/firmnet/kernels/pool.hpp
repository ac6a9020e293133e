// kernels/pool.hpp: max pooling (no padding) and global average pooling over NHWC images, with the
// contract of conv_ref.hpp's references. The channel loop is innermost and contiguous; for float in
// SIMD builds max pooling runs at the active GEMM variant's width (elementwise_dispatch.hpp), a
// vector of channels at a time. Its backward routes each gradient to the first maximum of its
// window, exactly as the reference, and equals it bit for bit: a lane takes the first position
// whose x equals the forward's maximum.
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/simd.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::kernels {

namespace detail {
// Images n0..n1 of the batch; float vectors of Arch's width (void: the scalar loops alone).
// Templates on Arch: the per-ISA element-wise tables (elementwise_variants.hpp) take them.
template <class T, class Arch = void>
void maxpool_fwd_images(const ConvGeometry& g, std::size_t n0, std::size_t n1, const T* x, T* y) noexcept {
  // The geometry in locals: through g, every store to y would make the compiler load it again.
  const std::size_t oh = g.oh(), ow = g.ow(), c = g.c, kh = g.kh, kw = g.kw, row = g.w * c;
  for (std::size_t n = n0; n < n1; ++n)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        T* out = y + ((n * oh + oy) * ow + ox) * c;
        const T* first = x + ((n * g.h + oy * g.stride) * g.w + ox * g.stride) * c;
        std::size_t vec_end = 0;  // channels [0, vec_end) in vectors, the rest one at a time
#if FIRMNET_HAVE_XSIMD
        // The window's maximum in registers, one vector of channels at a time (the scalar loop
        // below stores out after every position: GCC keeps it in memory, x and y may alias).
        if constexpr (std::is_same_v<T, float> && !std::is_void_v<Arch>) {
          using B = xsimd::batch<float, Arch>;
          vec_end = c - c % B::size;
          auto more = [](B in, B max) { return xsimd::select(in > max, in, max); };  // the reference's >
          if (kh == 2 && kw == 2) {  // the usual window, unrolled
            for (std::size_t k0 = 0; k0 < vec_end; k0 += B::size) {
              const float* p = first + k0;
              const B top = more(B::load_unaligned(p + c), B::load_unaligned(p));
              const B bottom = more(B::load_unaligned(p + row), top);
              more(B::load_unaligned(p + row + c), bottom).store_unaligned(out + k0);
            }
          } else {
            for (std::size_t k0 = 0; k0 < vec_end; k0 += B::size) {
              B max = B::load_unaligned(first + k0);
              for (std::size_t ky = 0; ky < kh; ++ky)
                for (std::size_t kx = 0; kx < kw; ++kx) max = more(B::load_unaligned(first + ky * row + kx * c + k0), max);
              max.store_unaligned(out + k0);
            }
          }
        }
#endif
        if (vec_end == c) continue;
        for (std::size_t k = vec_end; k < c; ++k) out[k] = first[k];
        for (std::size_t ky = 0; ky < g.kh; ++ky)
          for (std::size_t kx = 0; kx < g.kw; ++kx) {
            const T* in = first + (ky * g.w + kx) * c;
            for (std::size_t k = vec_end; k < c; ++k) out[k] = in[k] > out[k] ? in[k] : out[k];
          }
      }
}

template <class T, class Arch = void>
void maxpool_bwd_images(const ConvGeometry& g, std::size_t n0, std::size_t n1, const T* x, const T* y, const T* dy,
                        T* dx) noexcept {
  const std::size_t oh = g.oh(), ow = g.ow(), c = g.c, image = g.h * g.w * c;
  // Windows that tile the image (stride = window, as in 2x2 stride 2) reach every input at most
  // once: each value under a window is written once, as 0 + its gradient (the bits of adding into
  // zeros), and only the rows and columns no window covers are zeroed first. Zeroing all of dx and
  // adding into it cost a third more passes over a CNN's largest activations.
  const bool tiled = g.stride == g.kh && g.stride == g.kw;
  if (!tiled) {
    std::memset(dx + n0 * image, 0, (n1 - n0) * image * sizeof(T));
  } else {
    const std::size_t covered_h = oh * g.stride, covered_w = ow * g.stride;
    for (std::size_t n = n0; n < n1; ++n) {
      T* im = dx + n * image;
      if (covered_w < g.w)
        for (std::size_t iy = 0; iy < covered_h; ++iy)
          std::memset(im + (iy * g.w + covered_w) * c, 0, (g.w - covered_w) * c * sizeof(T));
      std::memset(im + covered_h * g.w * c, 0, (g.h - covered_h) * g.w * c * sizeof(T));
    }
  }
  for (std::size_t n = n0; n < n1; ++n)
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const std::size_t o = ((n * oh + oy) * ow + ox) * c;
        const std::size_t base = ((n * g.h + oy * g.stride) * g.w + ox * g.stride) * c;
        std::size_t vec_end = 0;  // channels [0, vec_end) in vectors, the rest one at a time
#if FIRMNET_HAVE_XSIMD
        if constexpr (std::is_same_v<T, float> && !std::is_void_v<Arch>) {
          using B = xsimd::batch<float, Arch>;
          using M = xsimd::batch_bool<float, Arch>;
          vec_end = c - c % B::size;  // not k + W <= c: GCC 12 warns falsely on that form
          for (std::size_t k0 = 0; k0 < vec_end; k0 += B::size) {
            const B max = B::load_unaligned(y + o + k0), grad = B::load_unaligned(dy + o + k0);
            M found(false);
            for (std::size_t ky = 0; ky < g.kh; ++ky)
              for (std::size_t kx = 0; kx < g.kw; ++kx) {
                const std::size_t i = base + (ky * g.w + kx) * c + k0;
                const M here = (B::load_unaligned(x + i) == max) & !found;
                found = found | here;
                const B before = tiled ? B(0.0f) : B::load_unaligned(dx + i);
                (before + xsimd::select(here, grad, B(0.0f))).store_unaligned(dx + i);
              }
          }
        }
#endif
        for (std::size_t k = vec_end; k < c; ++k) {
          if (tiled)
            for (std::size_t ky = 0; ky < g.kh; ++ky)
              for (std::size_t kx = 0; kx < g.kw; ++kx) dx[base + (ky * g.w + kx) * c + k] = T(0);
          std::size_t at = base + k;
          for (std::size_t ky = 0, found = 0; ky < g.kh && !found; ++ky)
            for (std::size_t kx = 0; kx < g.kw; ++kx) {
              const std::size_t i = base + (ky * g.w + kx) * c + k;
              if (x[i] == y[o + k]) {
                at = i, found = 1;
                break;
              }
            }
          dx[at] += dy[o + k];
        }
      }
}
}  // namespace detail

// maxpool_fwd and maxpool_bwd share a large batch out across the GEMM pool image by image
// (split_images): every value is computed as on one thread.
template <class T>
void maxpool_fwd(const ConvGeometry& g, std::size_t batch, const T* x, T* y) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_images(batch, g.h * g.w * g.c, [&, &ew = elementwise_active()](std::size_t a, std::size_t b) {
      ew.maxpool_fwd(g, a, b, x, y);
    });
  return split_images(batch, g.h * g.w * g.c,
                      [&](std::size_t a, std::size_t b) { detail::maxpool_fwd_images(g, a, b, x, y); });
#endif
  detail::maxpool_fwd_images(g, 0, batch, x, y);
}

// dx (overwritten) from dy: each output's gradient to the first input of its window that equals
// the maximum (the forward's y), as the reference's strict > scan finds it.
template <class T>
void maxpool_bwd(const ConvGeometry& g, std::size_t batch, const T* x, const T* y, const T* dy, T* dx) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_images(batch, g.h * g.w * g.c, [&, &ew = elementwise_active()](std::size_t a, std::size_t b) {
      ew.maxpool_bwd(g, a, b, x, y, dy, dx);
    });
  return split_images(batch, g.h * g.w * g.c,
                      [&](std::size_t a, std::size_t b) { detail::maxpool_bwd_images(g, a, b, x, y, dy, dx); });
#endif
  detail::maxpool_bwd_images(g, 0, batch, x, y, dy, dx);
}

// The reference's sums in the reference's order (pixel by pixel), the channels side by side.
template <class T>
void avgpool_global_fwd(std::size_t batch, std::size_t hw, std::size_t c, const T* x, T* y) noexcept {
  for (std::size_t n = 0; n < batch; ++n) {
    T* out = y + n * c;
    for (std::size_t k = 0; k < c; ++k) out[k] = T(0);
    for (std::size_t p = 0; p < hw; ++p)
      for (std::size_t k = 0; k < c; ++k) out[k] += x[(n * hw + p) * c + k];
    for (std::size_t k = 0; k < c; ++k) out[k] /= static_cast<T>(hw);
  }
}

// dx(B, HW, C) = dy(B, C) / HW, broadcast over the pixels.
template <class T>
void avgpool_global_bwd(std::size_t batch, std::size_t hw, std::size_t c, const T* dy, T* dx) noexcept {
  const T inv = T(1) / static_cast<T>(hw);
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t p = 0; p < hw; ++p)
      for (std::size_t k = 0; k < c; ++k) dx[(n * hw + p) * c + k] = dy[n * c + k] * inv;
}

}  // namespace firmnet::kernels
