// kernels/qgemm_dsp.hpp: the int8 matrix product on Cortex-M4/M7/M33 (the Armv7E-M DSP
// extension), with the contract of qgemm_ref.hpp: exact, the same bits as every other path.
// SMLAD multiplies two int16 pairs and adds both products to an int32 in one instruction, and
// UXTB16/SXTB16 widen bytes 0 and 2 of a word (1 and 3 after rotating it by 8) into such a pair.
// Four products thus cost one load and two extends per operand and two SMLADs, where the scalar
// loop needs eight byte loads and four multiply-adds.
// SMLAD's sum wraps (it only sets the Q flag), so the result is exact whenever the true sum fits.
#pragma once

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace firmnet::kernels::qgemm {

namespace dsp_detail {
inline std::uint32_t load4(const void* p) noexcept {  // Armv7E-M loads unaligned words natively
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
// Bytes 1 and 3 widened. The instructions rotate their operand for free, but GCC 12 does not fold
// a C rotate into them (one extra instruction per word), so these two are written out.
inline std::int32_t sxtb16_ror8(std::uint32_t v) noexcept {
  std::int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
inline std::int32_t uxtb16_ror8(std::uint32_t v) noexcept {
  std::int32_t r;
  __asm__("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

// Adds x[0..3]·w[0..3] to sum, x given as its two widened pairs.
inline std::int32_t dot4(std::int32_t x02, std::int32_t x13, const std::int8_t* w, std::int32_t sum) noexcept {
  const std::uint32_t wv = load4(w);
  sum = __smlad(x02, __sxtb16(static_cast<std::int32_t>(wv)), sum);
  return __smlad(x13, sxtb16_ror8(wv), sum);
}
}  // namespace dsp_detail

// Products with at most three quads per row (the first convolution of an image with one channel:
// 3x3 = 9 inputs): the row's widened quads stay in registers while every output's weights stream
// past, so x is read and widened once per row, not once per four outputs. Where the last quad
// holds one input (Trim), its odd pair meets only zero weights (the packing pads with zeros)
// and is skipped.
template <std::size_t Quads, bool Trim>
inline void dsp_short(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                      std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  using namespace dsp_detail;
  const std::size_t out4 = (out + 3) / 4 * 4, step = out4 * 4;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint8_t* xr = x + r * x_stride;
    std::int32_t x02[Quads], x13[Quads];
#pragma GCC unroll 4
    for (std::size_t q = 0; q < Quads; ++q) {
      const std::uint32_t xv = load4(xr + 4 * q);
      x02[q] = static_cast<std::int32_t>(__uxtb16(xv));
      x13[q] = uxtb16_ror8(xv);
    }
    std::int32_t* a = acc + r * acc_stride;
    for (std::size_t o = 0; o < out4; ++o) {  // the padded outputs too: they get 0
      const std::int8_t* wo = w + 4 * o;
      std::int32_t s = 0;
#pragma GCC unroll 4
      for (std::size_t q = 0; q < Quads; ++q) {
        const std::uint32_t wv = load4(wo + q * step);
        s = __smlad(x02[q], __sxtb16(static_cast<std::int32_t>(wv)), s);
        if (!Trim || q + 1 < Quads) s = __smlad(x13[q], sxtb16_ror8(wv), s);
      }
      a[o] = s;
    }
  }
}

// Two rows by two outputs: each weight quad is widened once for both rows, each quad of x once
// for both outputs (GCC 12's loop: 24 instructions per 16 products, where one row by four outputs
// takes 26), and the four sums, both rows' widened quads, the weights and the pointers fit the
// 14 registers.
inline void dsp_2x2(const std::uint8_t* x0, std::size_t x_stride, std::size_t quads, const std::int8_t* w,
                    std::size_t step, std::int32_t* a0, std::size_t acc_stride) noexcept {
  using namespace dsp_detail;
  const std::uint8_t* x1 = x0 + x_stride;
  std::int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
#pragma GCC unroll 2
  for (std::size_t q = 0; q < quads; ++q, w += step) {
    const std::uint32_t xv0 = load4(x0 + 4 * q), xv1 = load4(x1 + 4 * q);
    const auto x0e = static_cast<std::int32_t>(__uxtb16(xv0)), x0o = uxtb16_ror8(xv0);
    const auto x1e = static_cast<std::int32_t>(__uxtb16(xv1)), x1o = uxtb16_ror8(xv1);
    std::uint32_t wv = load4(w);
    std::int32_t we = __sxtb16(static_cast<std::int32_t>(wv)), wo = sxtb16_ror8(wv);
    s00 = __smlad(x0o, wo, __smlad(x0e, we, s00));
    s10 = __smlad(x1o, wo, __smlad(x1e, we, s10));
    wv = load4(w + 4);
    we = __sxtb16(static_cast<std::int32_t>(wv)), wo = sxtb16_ror8(wv);
    s01 = __smlad(x0o, wo, __smlad(x0e, we, s01));
    s11 = __smlad(x1o, wo, __smlad(x1e, we, s11));
  }
  a0[0] = s00, a0[1] = s01, a0[acc_stride] = s10, a0[acc_stride + 1] = s11;
}

// Row by row, four outputs at a time: their accumulators stay in registers while the row's quads
// stream past, each quad of x widened once for the four weight quads that follow it in memory.
inline void dsp_1x4(const std::uint8_t* xr, std::size_t quads, const std::int8_t* w, std::size_t step,
                    std::int32_t* a) noexcept {
  using namespace dsp_detail;
  std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (const std::uint8_t* end = xr + 4 * quads; xr != end; xr += 4, w += step) {
    const std::uint32_t xv = load4(xr);
    const std::int32_t x02 = static_cast<std::int32_t>(__uxtb16(xv));  // 0..255: also valid int16
    const std::int32_t x13 = uxtb16_ror8(xv);
    s0 = dot4(x02, x13, w, s0);
    s1 = dot4(x02, x13, w + 4, s1);
    s2 = dot4(x02, x13, w + 8, s2);
    s3 = dot4(x02, x13, w + 12, s3);
  }
  a[0] = s0, a[1] = s1, a[2] = s2, a[3] = s3;
}

// Pairs of rows by pairs of outputs (dsp_2x2), a last odd row by fours (dsp_1x4); products of
// at most three quads per row take dsp_short.
inline void dsp(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w, std::size_t in,
                std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  const std::size_t quads = (in + 3) / 4, out4 = (out + 3) / 4 * 4, step = out4 * 4;
  const bool trim = in % 4 == 1;
  switch (quads) {
    case 1: return trim ? dsp_short<1, true>(x, x_stride, rows, w, out, acc, acc_stride)
                        : dsp_short<1, false>(x, x_stride, rows, w, out, acc, acc_stride);
    case 2: return trim ? dsp_short<2, true>(x, x_stride, rows, w, out, acc, acc_stride)
                        : dsp_short<2, false>(x, x_stride, rows, w, out, acc, acc_stride);
    case 3: return trim ? dsp_short<3, true>(x, x_stride, rows, w, out, acc, acc_stride)
                        : dsp_short<3, false>(x, x_stride, rows, w, out, acc, acc_stride);
    default: break;
  }
  std::size_t r = 0;
  for (; r + 2 <= rows; r += 2)
    for (std::size_t o = 0; o < out4; o += 2)
      dsp_2x2(x + r * x_stride, x_stride, quads, w + o * 4, step, acc + r * acc_stride + o, acc_stride);
  if (r < rows) {
    const std::uint8_t* xr = x + r * x_stride;
    std::int32_t* a = acc + r * acc_stride;
    for (std::size_t o = 0; o < out4; o += 4) dsp_1x4(xr, quads, w + o * 4, step, a + o);
  }
}

}  // namespace firmnet::kernels::qgemm
#endif
