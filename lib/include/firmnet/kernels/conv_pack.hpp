// kernels/conv_pack.hpp: the im2col matrix of NHWC images as a GEMM operand that is never
// written out: the blocked GEMM packs its A panels straight from the images (implicit im2col),
// so a convolution pays one pass over its input per block instead of im2col's write, read and
// pack. Two orientations (im2col.hpp defines the matrix: row = output pixel, column = (ky, kx, c)):
//   pixel-major  A(i, p) = cols(row0 + i, p)   forward, y = cols·w (and dx of a stride-1
//                                              convolution, as a convolution of dy)
//   patch-major  A(i, p) = cols(p, i)          the weight gradient, dw = colsᵀ·dy
// Panels are laid out as gemm_pack.hpp's: P rows of A per panel, depth-major, zero-padded. A
// panel's rows are decoded into image coordinates once, and its depth walked a run at a time: a
// run is one (ky, kx)'s channels, adjacent in NHWC memory (8 x 8 transposes where AVX has them).
// Templates on Arch only: per-ISA translation units share no inline code (gemm_problem.hpp).
#pragma once

#include <cstddef>
#include <cstring>

#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

struct ConvSource {
  ConvGeometry g;
  const float* x;     // images, (n, H, W, C) NHWC; padded: (n, H + 2P, W + 2P, C), zeros around
  bool patch_major;   // false: A(pixel, patch) (forward); true: A(patch, pixel) (weight gradient)
  bool padded = false;  // x holds the padded images, read in place (conv_direct.hpp)
};

// The most channels a run may have: padding reads from a row of this many zeros.
inline constexpr std::size_t kConvMaxChannels = 4096;

namespace detail {

template <class Arch>
const float* conv_zeros() noexcept {
  alignas(64) static const float zeros[kConvMaxChannels] = {};
  return zeros;
}

// An output pixel's place, stepped through pixels in order without a division per step.
struct PixelCursor {
  std::size_t n = 0, oy = 0, ox = 0, oh = 0, ow = 0;  // oh, ow: the geometry's, computed once
  PixelCursor() = default;
  PixelCursor(const ConvGeometry& g, std::size_t pixel) noexcept : oh(g.oh()), ow(g.ow()) {
    n = pixel / (oh * ow);
    oy = pixel % (oh * ow) / ow;
    ox = pixel % ow;
  }
  void next(const ConvGeometry&) noexcept {
    if (++ox < ow) return;
    ox = 0;
    if (++oy < oh) return;
    oy = 0;
    ++n;
  }
  // The input value under window position (ky, kx) channel 0, or null in the padding.
  const float* at(const ConvGeometry& g, const float* x, std::size_t ky, std::size_t kx) const noexcept {
    std::size_t iy = 0, ix = 0;
    if (!g.in_y(oy, ky, iy) || !g.in_x(ox, kx, ix)) return nullptr;
    return x + ((n * g.h + iy) * g.w + ix) * g.c;
  }
};

// dst[j·P + r] = src[r][j] for j < run, r < P: P rows' runs interleaved into panel order.
template <class Arch, std::size_t P>
void interleave(const float* const* src, std::size_t run, float* dst) noexcept {
  std::size_t j = 0;
  if constexpr (simd::is_avx<Arch> && P % 8 == 0) {
    for (; j + 8 <= run; j += 8)
      for (std::size_t r = 0; r < P; r += 8) simd::transpose_8x8<Arch>(src + r, j, dst + j * P + r, P);
  }
  for (; j < run; ++j)
    for (std::size_t r = 0; r < P; ++r) dst[j * P + r] = src[r][j];
}

}  // namespace detail

// Pixel-major: P output pixels per panel, their columns d0.. as runs of one (ky, kx)'s channels.
template <class Arch, std::size_t P>
void pack_conv_pixels(const ConvSource& s, std::size_t row0, std::size_t d0, std::size_t rows, std::size_t kc,
                      float* dst) noexcept {
  const ConvGeometry& g = s.g;
  const float* zeros = detail::conv_zeros<Arch>();
  detail::PixelCursor cursor(g, row0);
  for (std::size_t q = 0; q * P < rows; ++q) {
    float* panel = dst + q * P * kc;
    const std::size_t live = rows - q * P < P ? rows - q * P : P;
    detail::PixelCursor pixel[P];
    for (std::size_t r = 0; r < live; ++r, cursor.next(g)) pixel[r] = cursor;
    // A whole panel of one output row, stride 1: its pixels' inputs are P adjacent pixels.
    const bool one_row = live == P && g.stride == 1 && pixel[P - 1].ox == pixel[0].ox + P - 1;
    std::size_t c0 = d0 % g.c, group = d0 / g.c;
    for (std::size_t k = 0; k < kc; c0 = 0, ++group) {
      const std::size_t ky = group / g.kw, kx = group % g.kw;
      const std::size_t run = g.c - c0 < kc - k ? g.c - c0 : kc - k;
      float* out = panel + k * P;
      k += run;
      if (one_row) {
        std::size_t iy = 0;
        const std::size_t x0 = pixel[0].ox + kx;  // padded input column of the first pixel
        if (!g.in_y(pixel[0].oy, ky, iy)) {
          std::memset(out, 0, run * P * sizeof(float));
          continue;
        }
        if (x0 >= g.pad && x0 - g.pad + P <= g.w) {  // all P inside the image
          const float* base = s.x + ((pixel[0].n * g.h + iy) * g.w + x0 - g.pad) * g.c + c0;
          if (g.c == 1) {  // one channel: the P values are adjacent, as the panel wants them
            std::memcpy(out, base, P * sizeof(float));
            continue;
          }
          const float* src[P];
          for (std::size_t r = 0; r < P; ++r) src[r] = base + r * g.c;
          detail::interleave<Arch, P>(src, run, out);
          continue;
        }
      }
      const float* src[P];
      for (std::size_t r = 0; r < P; ++r) {
        const float* at = r < live ? pixel[r].at(g, s.x, ky, kx) : nullptr;
        src[r] = at ? at + c0 : zeros;
      }
      detail::interleave<Arch, P>(src, run, out);
    }
  }
}

// Patch-major: a panel is P columns (ky, kx, c) of the im2col matrix, a depth step one pixel.
// Its columns fall into runs of adjacent channels of one (ky, kx), each copied as a block; a
// panel of one run (channels >= P) is a fixed-size copy per pixel.
template <class Arch, std::size_t P>
void pack_conv_patches(const ConvSource& s, std::size_t row0, std::size_t d0, std::size_t rows, std::size_t kc,
                       float* dst) noexcept {
  const ConvGeometry& g = s.g;
  const float* zeros = detail::conv_zeros<Arch>();
  for (std::size_t q = 0; q * P < rows; ++q) {
    float* panel = dst + q * P * kc;
    const std::size_t first = row0 + q * P, live = rows - q * P < P ? rows - q * P : P;
    struct Run {
      std::size_t ky, kx, c, r, len;
    } runs[P];
    std::size_t count = 0;
    for (std::size_t r = 0; r < live;) {
      const std::size_t col = first + r, c = col % g.c, group = col / g.c;
      const std::size_t len = g.c - c < live - r ? g.c - c : live - r;
      runs[count++] = {group / g.kw, group % g.kw, c, r, len};
      r += len;
    }
    detail::PixelCursor pixel(g, d0);
    if (count == 1 && live == P) {  // the panel's P columns are P adjacent channels
      const Run run = runs[0];
      for (std::size_t k = 0; k < kc; ++k, pixel.next(g)) {
        const float* at = pixel.at(g, s.x, run.ky, run.kx);
        std::memcpy(panel + k * P, at ? at + run.c : zeros, P * sizeof(float));
      }
      continue;
    }
    for (std::size_t k = 0; k < kc; ++k, pixel.next(g)) {
      float* out = panel + k * P;
      for (std::size_t i = 0; i < count; ++i) {
        const Run& run = runs[i];
        const float* at = pixel.at(g, s.x, run.ky, run.kx);
        const float* from = at ? at + run.c : zeros;
        for (std::size_t j = 0; j < run.len; ++j) out[run.r + j] = from[j];
      }
      for (std::size_t r = live; r < P; ++r) out[r] = 0.0f;
    }
  }
}

// Packs rows [row0, row0 + rows) x depth [d0, d0 + kc) of A (see ConvSource) into P-row panels.
template <class Arch, std::size_t P>
void pack_conv_panels(const ConvSource& s, std::size_t row0, std::size_t d0, std::size_t rows, std::size_t kc,
                      float* dst) noexcept {
  FIRMNET_EXPECTS(s.g.c <= kConvMaxChannels);
  if (s.patch_major) pack_conv_patches<Arch, P>(s, row0, d0, rows, kc, dst);
  else pack_conv_pixels<Arch, P>(s, row0, d0, rows, kc, dst);
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
