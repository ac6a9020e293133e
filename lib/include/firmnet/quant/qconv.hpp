// quant/qconv.hpp: the int8 2-D convolution, twin of layers/conv2d.hpp, over uint8 NHWC images.
//   for each output pixel: patch = the KH x KW x C window (padding: the input's zero point, which
//   stands for real 0), acc = W·patch + bias (the int8 product, exact), then per channel
//   y = clamp(output_zero_point + acc·M, output_min, output_max)   (kernels/requantize.hpp)
// W: (K, KH·KW·C) int8 packed (kernels/qgemm_ref.hpp), its columns in the float layer's HWIO
// order. im2col on the fly, kRows pixels at a time (CMSIS-NN takes two): the weights are read
// once per kRows pixels, and the scratch is kRows patches, not the whole image's columns.
// Integer-only: the same bits everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/im2col.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class InShape, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P>
struct QConv2d {
  using In = InShape;
  static constexpr kernels::ConvGeometry kGeometry{In::kH, In::kW, In::kC, KH, KW, S, P};
  using Out = Shape<kGeometry.oh(), kGeometry.ow(), K>;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize, kPatch = KH * KW * In::kC;
  static_assert(kPatch <= kernels::kQgemmMaxInputs, "too many inputs per output for exact int32 accumulators");
  static constexpr auto kOp = FixedString("conv");
  static constexpr auto kTypeName = FixedString("firmnet::quant::QConv2d<firmnet::Shape<") + number<In::kH>() + ", " +
                                    number<In::kW>() + ", " + number<In::kC>() + ">, " + number<K>() + ", " + number<KH>() +
                                    ", " + number<KW>() + ", " + number<S>() + ", " + number<P>() + ">";
  static constexpr std::size_t kChannels = K, kFanIn = kPatch, kMacs = Out::kH * Out::kW * K * kPatch;
  static constexpr std::size_t kRows = 4;  // pixels per product
  static constexpr std::size_t kPatchStride = kernels::qpad4(kPatch), kAccStride = kernels::qpad4(K);
  static constexpr std::size_t kAccInts = kRows * kAccStride, kScratchBytes = kRows * kPatchStride;
  static constexpr bool kInPlace = false;

  // One pixel's patch. A window inside the image is KH runs of KW·C bytes, each one copy of a
  // size known here (a few vector moves); windows over the border take the general loop.
  static void gather(const std::uint8_t* x, std::size_t oy, std::size_t ox, std::uint8_t pad, std::uint8_t* patch) noexcept {
    constexpr std::size_t kRun = KW * In::kC;
    const bool inside = oy * S >= P && oy * S + KH <= P + In::kH && ox * S >= P && ox * S + KW <= P + In::kW;
    if (!inside) return kernels::im2col_pixel(kGeometry, x, oy, ox, pad, patch);
    const std::uint8_t* src = x + ((oy * S - P) * In::kW + (ox * S - P)) * In::kC;
#pragma GCC unroll 8
    for (std::size_t ky = 0; ky < KH; ++ky) std::memcpy(patch + ky * kRun, src + ky * In::kW * In::kC, kRun);
  }

  // One pixel's patch, kPatchStride bytes with the padding past kPatch zeroed (it meets zero weights).
  static void gather_padded(const std::uint8_t* x, std::size_t oy, std::size_t ox, std::uint8_t pad,
                            std::uint8_t* patch) noexcept {
    gather(x, oy, ox, pad, patch);
    for (std::size_t i = kPatch; i < kPatchStride; ++i) patch[i] = 0;
  }

  // The patches of `n` output pixels (oy, ox)[0..n) into scratch, and their accumulators.
  static void product(const QParams& p, const std::uint8_t* x, const std::size_t* oy, const std::size_t* ox,
                      std::size_t n, Work w) noexcept {
    const auto pad = static_cast<std::uint8_t>(p.input_zero_point);
    for (std::size_t j = 0; j < n; ++j) gather_padded(x, oy[j], ox[j], pad, w.scratch + j * kPatchStride);
    kernels::qgemm_u8s8_s32(w.scratch, kPatchStride, n, p.weights, kPatch, K, w.acc, kAccStride);
  }

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    constexpr std::size_t kPixels = Out::kH * Out::kW;
    std::size_t oy[kRows], ox[kRows];
    for (std::size_t first = 0; first < kPixels; first += kRows) {
      const std::size_t n = kPixels - first < kRows ? kPixels - first : kRows;
      for (std::size_t j = 0; j < n; ++j) oy[j] = (first + j) / Out::kW, ox[j] = (first + j) % Out::kW;
      product(p, x, oy, ox, n, w);
      for (std::size_t j = 0; j < n; ++j) requantize_to_u8(p, w.acc + j * kAccStride, 1, kAccStride, K, y + (first + j) * K);
    }
  }
};

template <class B, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P>
struct Twin<Conv2dLayer<B, K, KH, KW, S, P>> {
  using type = QConv2d<typename B::In, K, KH, KW, S, P>;
};

}  // namespace firmnet::quant
