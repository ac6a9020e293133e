// layers/conv2d.hpp: 2-D convolution over NHWC images. Spec: Conv2d<K, KH, KW, Stride<S>, Pad<P>>
// (K output channels, a KH x KW window, stride S and zero padding P on every side; both optional,
// 1 and 0 by default). Token: conv:K:KHxKW[:sS][:pP][+relu], e.g. "conv:32:5x5:p2+relu".
//   weights w (KH·KW·C, K) row-major: HWIO, w[((ky·KW + kx)·C + c)·K + k] (a PyTorch OIHW weight
//   maps onto it transposed, io/import), bias b (K)
//   forward:  y(B, OH, OW, K) = act(cols(x)·w + b), cols = im2col (kernels/im2col.hpp): the
//             blocked GEMM with its bias and ReLU epilogue
//   backward: dz = dy masked by y > 0 (fused ReLU), dw = colsᵀ·dz, db = Σ dz, and dx: for a stride-1
//             square window the convolution of dz with the flipped, transposed weights (padding
//             KH - 1 - P), else col2im(dz·wᵀ)
// With SIMD (float), no columns are written for the products with cols: forward, dw (and dx of a
// stride-1 square window, a convolution of dz) read them in place from a zero-padded copy of the
// images (kernels/conv_direct.hpp); a whole batch is one product the thread pool can split. A
// stride-1 3x3 or 5x5 window on channel counts in multiples of 16 takes Winograd's algorithm
// instead for the forward, dx and dw (kernels/conv_winograd.hpp: 4x and 2.8x fewer multiplies).
// Without SIMD (double, Cortex-M), im2col writes the columns of kImagesPerChunk images at a time
// into the network's scratch. Oracle: kernels/conv_ref.hpp (direct loops).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "firmnet/core/arch.hpp"
#include "firmnet/core/tensor.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/conv_winograd.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/im2col.hpp"
#include "firmnet/kernels/relu.hpp"
#include "firmnet/layers/layer.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

template <std::size_t S>
struct Stride {
  static_assert(S > 0, "Stride<S>: S >= 1");
  static constexpr std::size_t kStride = S;
};
template <std::size_t P>
struct Pad {
  static constexpr std::size_t kPad = P;
};

namespace detail {
template <class O>
constexpr std::size_t stride_value() noexcept {
  if constexpr (requires { O::kStride; }) return O::kStride;
  else return 0;
}
template <class O>
constexpr std::size_t pad_value() noexcept {
  if constexpr (requires { O::kPad; }) return O::kPad;
  else return 0;
}
// Stride and padding from a spec's options (Stride<S>, Pad<P>, in any order; 1 and 0 by default).
template <class... Opts>
constexpr std::size_t stride_of() noexcept {
  std::size_t s = 1;
  ((s = stride_value<Opts>() ? stride_value<Opts>() : s), ...);
  return s;
}
template <class... Opts>
constexpr std::size_t pad_of() noexcept {
  std::size_t p = 0;
  ((p = pad_value<Opts>() ? pad_value<Opts>() : p), ...);
  return p;
}
// Elements of im2col columns a chunk of images may take: about 4 MiB of floats, so the columns
// stream through the cache once per chunk while each GEMM still has thousands of rows.
inline constexpr std::size_t kConvChunkElements = std::size_t(1) << 20;
}  // namespace detail

template <class B, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P>
struct Conv2dLayer {
  using T = typename B::Scalar;
  using In = typename B::In;
  // An input of H = W = 1 is a vector (Input<N>, a dense layer's output), most likely images
  // given as Input<H * W * C>: a window wider than a pixel would see one pixel and padding, even
  // where padding makes it fit, so that is refused with its own message.
  static constexpr bool kFlatInput = In::kH == 1 && In::kW == 1;
  static constexpr bool kFits = In::kH + 2 * P >= KH && In::kW + 2 * P >= KW;
  static_assert(!kFlatInput || (KH == 1 && KW == 1), "Conv2d: its input is a vector (H = W = 1: Input<N>, or after Fc "
                                                     "or Flatten); give images as Input<H, W, C>, e.g. Input<28, 28, 1>");
  static_assert(kFits || kFlatInput,
                "Conv2d: the window is larger than the padded input (check the input shape, KH x KW and Pad)");
  static_assert(P < KH && P < KW, "Conv2d: padding as wide as the window would give outputs that see only zeros");
  // (A window that does not fit is planned as 1 x 1, so the static_assert above is the only
  // error, not one followed by layers of an output shape wrapped around 2^64.)
  static constexpr kernels::ConvGeometry kGeometry{In::kH, In::kW, In::kC, kFits ? KH : 1, kFits ? KW : 1, S, P};
  static constexpr std::size_t kOH = kGeometry.oh(), kOW = kGeometry.ow(), kPixels = kOH * kOW;
  using Out = Shape<kOH, kOW, K>;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize, kMaxBatch = B::kMaxBatch;
  static constexpr std::size_t kPatch = KH * KW * In::kC;  // fan-in of an output
  static constexpr bool kRelu = B::kFusedRelu, kTraining = B::kTraining, kGradInput = B::kGradInput;
  static constexpr auto kSpec = FixedString("conv:") + number<K>() + ":" + number<KH>() + "x" + number<KW>() +
                                only_if<S != 1>(FixedString(":s") + number<S>()) +
                                only_if<P != 0>(FixedString(":p") + number<P>()) + only_if<kRelu>(FixedString("+relu"));
  static constexpr std::size_t kParams = 2, kParamScalars = kPatch * K + K;
  static constexpr bool kInPlace = false;
  // A convolution's work per image is large (cnn:5x5's second layer: 10 M multiply-adds, a
  // 784 x 128 dense layer 0.1 M): a network holding one runs each thread's half of the batch
  // through all its layers (layers/layer.hpp), so a thread reads back the activations it wrote.
  static constexpr bool kBatchHalves = true;
  // A 1x1 window with stride 1 and no padding reads x itself as its columns.
  static constexpr bool kDirect = KH == 1 && KW == 1 && S == 1 && P == 0;
#if FIRMNET_HAVE_XSIMD
  // The forward product and dw read their columns in place from the padded images (any window but
  // 1x1; a partial panel of B's columns, kPatch x 32 floats, fits any GEMM scratch).
  static constexpr bool kRows =
      std::is_same_v<T, float> && !kDirect && kPatch * kernels::kMaxNR <= kernels::kMaxGemmScratch;
  // Otherwise (a larger window) the columns are packed from the images where a (ky, kx) has
  // channels enough to copy as runs; a first layer of 1 or 3 channels writes them (its im2col rows
  // are runs of KW·C adjacent values).
  static constexpr bool kImplicit = std::is_same_v<T, float> && !kDirect && In::kC >= 8;
#else
  static constexpr bool kRows = false, kImplicit = false;
#endif
  // dx as a convolution of dy: same stride 1 and window size across and down (one padding).
  static constexpr bool kFlipped = kImplicit && kGradInput && S == 1 && KH == KW && K >= 8;
  static constexpr kernels::ConvGeometry kFlippedGeometry{kOH, kOW, K, KH, KW, 1, KH - 1 - P};
  // Winograd's F(4x4, 3x3) or F(2x2, 5x5) (kernels/conv_winograd.hpp) for a stride-1 3x3 or 5x5
  // window on channel counts in multiples of 16: the forward, and dx as the convolution of dz.
  static constexpr bool kWinograd = kRows && kernels::winograd_fits(kGeometry, K);
  static constexpr bool kWinogradDx = kFlipped && kernels::winograd_fits(kFlippedGeometry, In::kC);
  static constexpr bool kWinogradDw = kWinograd && kTraining;  // and dw
  // ... else read in place from dz padded (conv_direct.hpp) where its window is not too large.
  static constexpr bool kFlippedRows =
      kFlipped && !kWinogradDx && KH * KW * K * kernels::kMaxNR <= kernels::kMaxGemmScratch;
  static constexpr std::size_t kImagesPerChunk =
      kImplicit ? kMaxBatch : std::clamp<std::size_t>(detail::kConvChunkElements / (kPixels * kPatch), 1, kMaxBatch);
  static constexpr std::size_t kChunkRows = kImagesPerChunk * kPixels;
  // im2col's columns: only without the padded source and conv_pack.hpp.
  static constexpr std::size_t kColumns = kDirect || kImplicit || kRows ? 0 : kChunkRows * kPatch;
  static constexpr std::size_t kGradColumns = kGradInput && !kDirect && !kFlipped ? kChunkRows * kPatch : 0;
  static constexpr std::size_t kFlippedWeights = kFlipped ? kPatch * K : 0;
  // The zero-padded images the forward and dw read (x), and dx's (dz, padded by KH - 1 - P).
  static constexpr std::size_t kPaddedX =
      kRows && !kWinograd ? kMaxBatch * (In::kH + 2 * P) * (In::kW + 2 * P) * In::kC : 0;
  static constexpr std::size_t kPaddedDz =
      kFlippedRows ? kMaxBatch * (kOH + 2 * (KH - 1 - P)) * (kOW + 2 * (KW - 1 - P)) * K : 0;
  static constexpr std::size_t kPadded = std::max(kPaddedX, kPaddedDz);
  // Winograd's transformed weights (36·C·K, the same count for dx's), then one thread's chunks.
  static constexpr std::size_t kWinoWeights =
      kWinograd || kWinogradDx ? kernels::winograd_weight_floats(kGeometry, K) : 0;
  static constexpr std::size_t kWinoChunks =
      std::max(kWinograd ? kernels::winograd_scratch(kGeometry, K) : 0,
               kWinogradDx ? kernels::winograd_scratch(kFlippedGeometry, In::kC) : 0);
  // Scratch: columns, the gradient's columns or the flipped weights (dx), the padded images,
  // Winograd's weights and chunks, then the GEMM's packs.
  static constexpr std::size_t kScratch =
      kColumns + kGradColumns + kFlippedWeights + kPadded + kWinoWeights + kWinoChunks +
      gemm_floats<T>(std::max({kWinograd ? 0
                               : kRows  ? kPatch * kernels::kMaxNR
                                        : kernels::gemm_scratch_floats(kChunkRows, K, kPatch, !kImplicit),
                               kTraining && !kRows ? kernels::gemm_scratch_floats(kPatch, K, kChunkRows, !kImplicit) : 0,
                               kGradInput ? kernels::gemm_nt_scratch(kChunkRows, kPatch, K) : 0,
                               kFlippedRows ? KH * KW * K * kernels::kMaxNR : 0,
                               kFlipped && !kWinogradDx ? kernels::gemm_scratch_floats(kMaxBatch * In::kH * In::kW, In::kC, KH * KW * K, false)
                                        : 0}));

  Matrix<T, kPatch, K> w;  // (KH·KW·C, K), HWIO
  Matrix<T, 1, K> b;
  [[no_unique_address]] Maybe<kTraining, Matrix<T, kPatch, K>> dw;
  [[no_unique_address]] Maybe<kTraining, Matrix<T, 1, K>> db;

  void forward(ConstView<T, kIn> x, View<T, kOut> y, Scratch<T> s) const noexcept {
    FIRMNET_EXPECTS(x.rows() <= kMaxBatch && y.rows() == x.rows() && s.size() >= kScratch);
#if FIRMNET_HAVE_XSIMD
    if constexpr (kWinograd) {
      float* u = s.data() + kWinoOffset;
      kernels::conv_winograd_weights(kGeometry, K, w.data(), u);
      kernels::conv_winograd({kGeometry, K, x.rows(), x.data(), u, b.data(), kRelu, y.data()},
                             s.subspan(kWinoOffset + kWinoWeights, kWinoChunks));
      return;
    } else if constexpr (kRows) {
      const kernels::ConvSource cols{kGeometry, padded(kGeometry, x.data(), x.rows(), s), false, true};
      kernels::gemm_conv_nn_bias(cols, 0, x.rows() * kPixels, K, kPatch, w.data(), b.data(), kRelu, y.data(), gemm_part(s));
      return;
    } else if constexpr (kImplicit) {  // a window too large for the padded source: cols packed from x
      const kernels::ConvSource cols{kGeometry, x.data(), false};
      kernels::gemm_conv_nn_bias(cols, 0, x.rows() * kPixels, K, kPatch, w.data(), b.data(), kRelu, y.data(), gemm_part(s));
      return;
    }
#endif
    if constexpr (!kRows && !kImplicit) {
      for (std::size_t n = 0; n < x.rows(); n += kImagesPerChunk) {
        const std::size_t images = std::min(kImagesPerChunk, x.rows() - n);
        const T* cols = columns(x.row(n), images, s);
        if constexpr (kRelu)
          kernels::gemm_nn_bias_relu(images * kPixels, K, kPatch, cols, w.data(), b.data(), y.row(n), gemm_part(s));
        else
          kernels::gemm_nn_bias(images * kPixels, K, kPatch, cols, w.data(), b.data(), y.row(n), gemm_part(s));
      }
    }
  }

  ConstView<T, kIn> backward(ConstView<T, kIn> x, ConstView<T, kOut> y, View<T, kOut> dy, View<T, kIn> dx,
                             Scratch<T> s, Grads<T> g = {}) noexcept
    requires kTraining
  {
    const std::size_t rows = x.rows();
    FIRMNET_EXPECTS(y.rows() == rows && dy.rows() == rows && s.size() >= kScratch);
    T* const dw_out = g.w ? g.w : dw.data();
    if constexpr (kRelu) kernels::relu_bwd(y.data(), dy.data(), dy.data(), rows * kOut);  // dz, in place
    kernels::col_sum(rows * kPixels, K, dy.data(), g.b ? g.b : db.data());              // db = Σ dz
#if FIRMNET_HAVE_XSIMD
    if constexpr (kWinogradDw) {  // dw by Winograd's algorithm, its sums where dx's U goes next
      kernels::conv_winograd_dw({kGeometry, K, rows, x.data(), dy.data(), dw_out}, s.data() + kWinoOffset,
                                s.subspan(kWinoOffset + kWinoWeights, kWinoChunks));
    } else if constexpr (kRows) {  // dw = colsᵀ·dz, read in place from x padded again (the forward's copy
                            // is gone: the network's scratch is every layer's)
      const kernels::ConvSource cols{kGeometry, padded(kGeometry, x.data(), rows, s), true, true};
      kernels::gemm_conv_tn(cols, kPatch, K, rows * kPixels, dy.data(), dw_out, false, gemm_part(s));
    } else if constexpr (kImplicit) {  // dw = colsᵀ·dz, the columns packed from x
      const kernels::ConvSource cols{kGeometry, x.data(), true};
      kernels::gemm_conv_tn(cols, kPatch, K, rows * kPixels, dy.data(), dw_out, false, gemm_part(s));
    }
#endif
    if constexpr (!kRows && !kImplicit) {
      for (std::size_t n = 0; n < rows; n += kImagesPerChunk) {  // dw = colsᵀ·dz
        const std::size_t images = std::min(kImagesPerChunk, rows - n);
        kernels::gemm_tn(kPatch, K, images * kPixels, columns(x.row(n), images, s), dy.row(n), dw_out, n > 0,
                         gemm_part(s));
      }
    }
    if constexpr (!kGradInput) return {};
    FIRMNET_EXPECTS(dx.rows() == rows);
#if FIRMNET_HAVE_XSIMD
    if constexpr (kFlipped) {  // dx = dz convolved with w turned by 180 degrees, (ky, kx, k) -> c
      T* flipped = s.data() + kColumns + kGradColumns;
      for (std::size_t ky = 0; ky < KH; ++ky)
        for (std::size_t kx = 0; kx < KW; ++kx)
          for (std::size_t c = 0; c < In::kC; ++c)
            for (std::size_t k = 0; k < K; ++k)
              flipped[(((KH - 1 - ky) * KW + (KW - 1 - kx)) * K + k) * In::kC + c] = w(((ky * KW + kx) * In::kC + c), k);
      if constexpr (kWinogradDx) {
        float* u = s.data() + kWinoOffset;
        kernels::conv_winograd_weights(kFlippedGeometry, In::kC, flipped, u);
        kernels::conv_winograd({kFlippedGeometry, In::kC, rows, dy.data(), u, nullptr, false, dx.data()},
                               s.subspan(kWinoOffset + kWinoWeights, kWinoChunks));
        return dx;
      }
      const kernels::ConvSource cols =
          kFlippedRows ? kernels::ConvSource{kFlippedGeometry, padded(kFlippedGeometry, dy.data(), rows, s), false, true}
                       : kernels::ConvSource{kFlippedGeometry, dy.data(), false};
      kernels::gemm_conv_nn_bias(cols, 0, rows * In::kH * In::kW, In::kC, KH * KW * K, flipped, nullptr, false,
                                 dx.data(), gemm_part(s));
      return dx;
    }
#endif
    if constexpr (kDirect) {
      kernels::gemm_nt(rows * kPixels, kPatch, K, dy.data(), w.data(), dx.data(), false, gemm_part(s));
    } else {
      for (std::size_t i = 0; i < rows * kIn; ++i) dx.data()[i] = T(0);
      T* dcols = s.data() + kColumns;  // kGradColumns of them
      for (std::size_t n = 0; n < rows; n += kImagesPerChunk) {  // dx = col2im(dz·wᵀ)
        const std::size_t images = std::min(kImagesPerChunk, rows - n);
        kernels::gemm_nt(images * kPixels, kPatch, K, dy.row(n), w.data(), dcols, false, gemm_part(s));
        kernels::col2im(kGeometry, dcols, images, dx.row(n));
      }
    }
    return dx;
  }

  std::array<Param<T>, 2> params() noexcept {
    T* dw_data = nullptr;
    T* db_data = nullptr;
    if constexpr (kTraining) dw_data = dw.data(), db_data = db.data();
    return {{{"w", w.data(), dw_data, kPatch, K, true}, {"b", b.data(), db_data, 1, K, false}}};
  }

 private:
  // The columns of `images` images from x: x itself for a 1x1 window, else im2col into scratch.
  static const T* columns(const T* x, std::size_t images, Scratch<T> s) noexcept {
    if constexpr (kDirect) {
      return x;
    } else {
      kernels::im2col(kGeometry, x, images, s.data());
      return s.data();
    }
  }
  // The images under geometry g with their zero border, in scratch (x itself without padding).
  static const T* padded(const kernels::ConvGeometry& g, const T* x, std::size_t images, Scratch<T> s) noexcept {
    if (g.pad == 0) return x;
    T* dst = s.data() + kColumns + kGradColumns + kFlippedWeights;
    kernels::pad_images(g, x, images, dst);
    return dst;
  }
  static constexpr std::size_t kWinoOffset = kColumns + kGradColumns + kFlippedWeights + kPadded;
  static kernels::Scratch gemm_part(Scratch<T> s) noexcept {
    return gemm_scratch(s.subspan(kWinoOffset + kWinoWeights + kWinoChunks));
  }
};

template <std::size_t K, std::size_t KH, std::size_t KW, class... Opts>
struct Conv2d {
  static_assert(K > 0 && KH > 0 && KW > 0, "Conv2d<K, KH, KW>: K output channels of a KH x KW window, all > 0");
  static constexpr std::size_t kStride = detail::stride_of<Opts...>(), kPad = detail::pad_of<Opts...>();
  template <class B>
  using Layer = Conv2dLayer<B, K, KH, KW, kStride, kPad>;
  template <class InShape>
  using Out = typename Layer<Bind<Infer<float, 1>, InShape, false, false>>::Out;
  static constexpr bool kFusesRelu = true;
};

}  // namespace firmnet
