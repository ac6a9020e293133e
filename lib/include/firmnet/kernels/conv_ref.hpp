// kernels/conv_ref.hpp: the convolution and pooling references, plain loops over NHWC images:
// the oracles of layers/conv2d.hpp (im2col + GEMM), kernels/pool.hpp and the int8 twins. Slow
// on purpose; do not optimise.
//   Geometry: an H x W x C input, a KH x KW window moved by stride S over the input padded with P
//   zeros on every side: OH = (H + 2P - KH) / S + 1 outputs down, OW likewise across.
//   Convolution weights are (KH·KW·C, K) row-major, HWIO: w[((ky·KW + kx)·C + c)·K + k].
#pragma once

#include <cstddef>

namespace firmnet::kernels {

struct ConvGeometry {
  std::size_t h, w, c;       // input
  std::size_t kh, kw;        // window
  std::size_t stride, pad;
  constexpr std::size_t oh() const noexcept { return (h + 2 * pad - kh) / stride + 1; }
  constexpr std::size_t ow() const noexcept { return (w + 2 * pad - kw) / stride + 1; }
  constexpr std::size_t patch() const noexcept { return kh * kw * c; }  // values under one window
  // Input row iy of window row ky at output row oy, or false in the padding.
  constexpr bool in_y(std::size_t oy, std::size_t ky, std::size_t& iy) const noexcept {
    const std::size_t y = oy * stride + ky;
    if (y < pad || y - pad >= h) return false;
    iy = y - pad;
    return true;
  }
  constexpr bool in_x(std::size_t ox, std::size_t kx, std::size_t& ix) const noexcept {
    const std::size_t x = ox * stride + kx;
    if (x < pad || x - pad >= w) return false;
    ix = x - pad;
    return true;
  }
};

// y(B, OH, OW, K) = conv(x(B, H, W, C), w) + b, [ReLU].
template <class T>
void conv2d_fwd_ref(const ConvGeometry& g, std::size_t batch, std::size_t k_out, const T* x, const T* w, const T* b,
                    bool relu, T* y) noexcept {
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox)
        for (std::size_t k = 0; k < k_out; ++k) {
          T sum = b[k];
          for (std::size_t ky = 0; ky < g.kh; ++ky)
            for (std::size_t kx = 0; kx < g.kw; ++kx) {
              std::size_t iy = 0, ix = 0;
              if (!g.in_y(oy, ky, iy) || !g.in_x(ox, kx, ix)) continue;
              for (std::size_t c = 0; c < g.c; ++c)
                sum += x[((n * g.h + iy) * g.w + ix) * g.c + c] * w[((ky * g.kw + kx) * g.c + c) * k_out + k];
            }
          y[((n * g.oh() + oy) * g.ow() + ox) * k_out + k] = relu && !(sum > T(0)) ? T(0) : sum;
        }
}

// From dL/dy (B, OH, OW, K), already through the ReLU: dw, db (overwritten), dx (overwritten) or null.
template <class T>
void conv2d_bwd_ref(const ConvGeometry& g, std::size_t batch, std::size_t k_out, const T* x, const T* w, const T* dy,
                    T* dw, T* db, T* dx) noexcept {
  for (std::size_t i = 0; i < g.patch() * k_out; ++i) dw[i] = T(0);
  for (std::size_t k = 0; k < k_out; ++k) db[k] = T(0);
  if (dx)
    for (std::size_t i = 0; i < batch * g.h * g.w * g.c; ++i) dx[i] = T(0);
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox)
        for (std::size_t k = 0; k < k_out; ++k) {
          const T d = dy[((n * g.oh() + oy) * g.ow() + ox) * k_out + k];
          db[k] += d;
          for (std::size_t ky = 0; ky < g.kh; ++ky)
            for (std::size_t kx = 0; kx < g.kw; ++kx) {
              std::size_t iy = 0, ix = 0;
              if (!g.in_y(oy, ky, iy) || !g.in_x(ox, kx, ix)) continue;
              for (std::size_t c = 0; c < g.c; ++c) {
                const std::size_t xi = ((n * g.h + iy) * g.w + ix) * g.c + c, wi = ((ky * g.kw + kx) * g.c + c) * k_out + k;
                dw[wi] += x[xi] * d;
                if (dx) dx[xi] += w[wi] * d;
              }
            }
        }
}

// Max pooling without padding: y(B, OH, OW, C) = max over each window; backward gives each
// output's gradient to the first maximum of its window (row-major order).
template <class T>
void maxpool_fwd_ref(const ConvGeometry& g, std::size_t batch, const T* x, T* y) noexcept {
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox)
        for (std::size_t c = 0; c < g.c; ++c) {
          T best = x[((n * g.h + oy * g.stride) * g.w + ox * g.stride) * g.c + c];
          for (std::size_t ky = 0; ky < g.kh; ++ky)
            for (std::size_t kx = 0; kx < g.kw; ++kx) {
              const T v = x[((n * g.h + oy * g.stride + ky) * g.w + ox * g.stride + kx) * g.c + c];
              best = v > best ? v : best;
            }
          y[((n * g.oh() + oy) * g.ow() + ox) * g.c + c] = best;
        }
}

template <class T>
void maxpool_bwd_ref(const ConvGeometry& g, std::size_t batch, const T* x, const T* dy, T* dx) noexcept {
  for (std::size_t i = 0; i < batch * g.h * g.w * g.c; ++i) dx[i] = T(0);
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t oy = 0; oy < g.oh(); ++oy)
      for (std::size_t ox = 0; ox < g.ow(); ++ox)
        for (std::size_t c = 0; c < g.c; ++c) {
          std::size_t best = ((n * g.h + oy * g.stride) * g.w + ox * g.stride) * g.c + c;
          for (std::size_t ky = 0; ky < g.kh; ++ky)
            for (std::size_t kx = 0; kx < g.kw; ++kx) {
              const std::size_t i = ((n * g.h + oy * g.stride + ky) * g.w + ox * g.stride + kx) * g.c + c;
              if (x[i] > x[best]) best = i;
            }
          dx[best] += dy[((n * g.oh() + oy) * g.ow() + ox) * g.c + c];
        }
}

// Global average pooling: y(B, C) = mean of x(B, H, W, C) over H·W.
template <class T>
void avgpool_global_fwd_ref(std::size_t batch, std::size_t hw, std::size_t c, const T* x, T* y) noexcept {
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t k = 0; k < c; ++k) {
      T sum = 0;
      for (std::size_t p = 0; p < hw; ++p) sum += x[(n * hw + p) * c + k];
      y[n * c + k] = sum / static_cast<T>(hw);
    }
}

}  // namespace firmnet::kernels
