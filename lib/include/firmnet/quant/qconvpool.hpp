// quant/qconvpool.hpp: a convolution and the max pooling after it as one int8 layer (Fusion of
// QConv2d and QMaxPool, when the pooling windows tile the image: size == stride).
// For each pooled pixel, the Z x Z convolution outputs under its window are computed together
// (their patches are one product of Z² rows, a row of pooled pixels at a time where patches are
// short), the largest accumulator of each channel is kept, and only it is requantized
// (kernels/qgemm_pool.hpp). The requantization is monotone (its multipliers are >= 0: the .fnq
// reader checks), so max-then-requantize gives the bits of requantize-then-max, the unfused
// layers' (tested); the full-resolution convolution output never exists: on a Cortex-M4 that is
// the largest buffer a CNN would need (28·28·32 bytes for the first conv of the default CNN).
// kRecords = 2: it stands for the conv record and the maxpool record of a .fnq file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>

#include "firmnet/core/fixed_string.hpp"
#include "firmnet/core/shape.hpp"
#include "firmnet/kernels/qgemm_pool.hpp"
#include "firmnet/quant/qconv.hpp"
#include "firmnet/quant/qlayer.hpp"
#include "firmnet/quant/qmaxpool.hpp"
#include "firmnet/quant/qparams.hpp"

namespace firmnet::quant {

template <class Conv, std::size_t Z>
struct QConvPool {
  using In = typename Conv::In;
  using Pool = QMaxPool<typename Conv::Out, Z, Z>;
  using Out = typename Pool::Out;
  static constexpr std::size_t kIn = In::kSize, kOut = Out::kSize, kK = Conv::Out::kC;
  static constexpr auto kOp = Conv::kOp;  // its first record's
  static constexpr auto kLabel = FixedString("conv+maxpool");  // for reports
  static constexpr auto kTypeName = FixedString("firmnet::quant::QConvPool<") + Conv::kTypeName + ", " + number<Z>() + ">";
  static constexpr std::size_t kRecords = 2;
  static constexpr std::size_t kChannels = Conv::kChannels, kFanIn = Conv::kFanIn;
  static constexpr std::size_t kWindow = Z * Z;
  // Pooled pixels per product: a whole output row when patches are short (a first convolution of a
  // 1-channel image), whose patches take a few hundred bytes and whose weights the Cortex-M kernel
  // then widens once per row (kernels/qgemm_pool.hpp); else one pooled pixel.
  static constexpr std::size_t kBand = Conv::kPatchStride <= 12 ? Out::kW : 1;
  static constexpr std::size_t kRows = kBand * kWindow;
  static constexpr std::size_t kMacs = Out::kH * Out::kW * kWindow * kK * Conv::kPatch;  // the conv outputs it computes
  static constexpr std::size_t kAccInts = kWindow * Conv::kAccStride, kScratchBytes = kRows * Conv::kPatchStride;
  static constexpr bool kInPlace = false;
  using Parts = std::tuple<Conv, Pool>;  // the layers it stands for, one per record

  static void run(const QParams& p, const std::uint8_t* x, std::uint8_t* y, Work w) noexcept {
    const kernels::RequantArgs rq{p.bias, p.multiplier, p.shift, p.output_zero_point, p.output_min, p.output_max};
    const auto pad = static_cast<std::uint8_t>(p.input_zero_point);
    for (std::size_t py = 0; py < Out::kH; ++py)
      for (std::size_t px0 = 0; px0 < Out::kW; px0 += kBand) {
        const std::size_t pixels = Out::kW - px0 < kBand ? Out::kW - px0 : kBand;
        std::uint8_t* patch = w.scratch;  // the windows' patches, pooled pixel by pooled pixel
        for (std::size_t px = px0; px < px0 + pixels; ++px)
#pragma GCC unroll 16
          for (std::size_t j = 0; j < kWindow; ++j, patch += Conv::kPatchStride)
            Conv::gather_padded(x, py * Z + j / Z, px * Z + j % Z, pad, patch);
        kernels::qgemm_pool_u8(w.scratch, Conv::kPatchStride, pixels, kWindow, p.weights, Conv::kPatch, kK, rq, w.acc,
                               Conv::kAccStride, y + (py * Out::kW + px0) * kK, kK);
      }
  }
};

template <class In, std::size_t K, std::size_t KH, std::size_t KW, std::size_t S, std::size_t P, std::size_t Z>
struct Fusion<QConv2d<In, K, KH, KW, S, P>, QMaxPool<typename QConv2d<In, K, KH, KW, S, P>::Out, Z, Z>> {
  static constexpr bool kFuses = Z >= 1 && Z <= 4;  // Z² patches of scratch
  using type = QConvPool<QConv2d<In, K, KH, KW, S, P>, Z>;
};

}  // namespace firmnet::quant
