// kernels/qgemm_pool.hpp: a convolution's int8 product, the max pooling after it and the
// requantization as one kernel. The rows of x come in groups (the pixels under one pooling window);
// for each group g and output channel o:
//   y[g·y_stride + o] = requantize_o(max over the group's rows r of acc[r][o] + bias[o])
// with acc = x·Wᵀ (kernels/qgemm.hpp) and the arithmetic of requantize_u8 (kernels/requantize.hpp):
// the bits of the unfused layers everywhere. qgemm_pool_u8_ref runs exactly that, a group at a time
// through `acc` (group x acc_stride ints), and is what every target but the Cortex-M runs.
// On Cortex-M (Armv7E-M DSP) a product of at most three quads per row (the first convolution of a
// 1-channel image: 3x3 = 9 inputs) runs channel by channel over all the groups instead: each weight
// row is widened once for every group, not once per group, the rows' inputs once for every channel,
// the window's maximum stays in a register, and a channel whose values fit takes the short
// requantization (requant::ShortRequant). That stage of the default CNN had spent as much on
// requantizing and taking maxima as on its products (0.26 multiply-adds per instruction).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/kernels/requantize.hpp"

namespace firmnet::kernels {

// A layer's requantization (quant/qparams.hpp): per channel bias, multiplier and shift.
struct RequantArgs {
  const std::int32_t* bias;
  const std::int32_t* multiplier;
  const std::int32_t* shift;
  std::int32_t zero_point, lo, hi;
};

inline void qgemm_pool_u8_ref(const std::uint8_t* x, std::size_t x_stride, std::size_t groups, std::size_t group,
                              const std::int8_t* w, std::size_t in, std::size_t out, const RequantArgs& rq,
                              std::int32_t* acc, std::size_t acc_stride, std::uint8_t* y,
                              std::size_t y_stride) noexcept {
  for (std::size_t g = 0; g < groups; ++g) {
    qgemm_u8s8_s32(x + g * group * x_stride, x_stride, group, w, in, out, acc, acc_stride);
    requantize_u8(acc, group, acc_stride, rq.bias, rq.multiplier, rq.shift, rq.zero_point, rq.lo, rq.hi, out,
                  y + g * y_stride);
  }
}

#if defined(__ARM_FEATURE_DSP)
namespace qgemm {

// Two words in one LDRD, the pointer moved past them (GCC 12 splits such loads into two LDRs).
inline void load_pair(const std::int32_t*& p, std::int32_t& a, std::int32_t& b) noexcept {
  __asm__("ldrd %0, %1, [%2], #8" : "=r"(a), "=r"(b), "+r"(p) : "m"(*reinterpret_cast<const std::int64_t*>(p)));
}

// The groups' rows widened to int16 pairs (R words a row, on the stack, 64 rows at a time), then
// per output channel: its weights widened into P registers, each row's sum in P SMLADs, the
// group's maximum kept in a register (Group rows, unrolled), and each group's maximum requantized.
template <std::size_t Quads, bool Trim, std::size_t Group>
[[gnu::optimize("no-schedule-insns")]]  // scheduled, the unrolled rows' sums outgrow the registers
inline void dsp_short_pool(const std::uint8_t* x, std::size_t x_stride, std::size_t groups, const std::int8_t* w,
                           std::size_t out, const RequantArgs& rq, std::uint8_t* y, std::size_t y_stride) noexcept {
  using namespace dsp_detail;
  constexpr std::size_t P = 2 * Quads - (Trim ? 1 : 0);  // the last odd pair meets zero weights only
  constexpr std::size_t R = (P + 1) / 2 * 2;               // words a widened row takes: pairs load as LDRD
  constexpr std::size_t kMaxGroups = 64 / Group;
  // |acc| <= 12·255·128 for at most 12 inputs: with |bias| <= 2^29 every value fits the short way.
  constexpr std::int64_t kAccBound = 4 * Quads * 255 * 128;
  const std::size_t step = (out + 3) / 4 * 16;  // bytes from one quad of the packed weights to the next
  alignas(8) std::int32_t xw[kMaxGroups * Group * R];
  std::int32_t best[kMaxGroups];  // each group's maximum
  for (std::size_t g0 = 0; g0 < groups; g0 += kMaxGroups) {
    const std::size_t gn = groups - g0 < kMaxGroups ? groups - g0 : kMaxGroups;
    for (std::size_t r = 0; r < gn * Group; ++r) {
      const std::uint8_t* xr = x + (g0 * Group + r) * x_stride;
#pragma GCC unroll 3
      for (std::size_t q = 0; q < Quads; ++q) {
        const std::uint32_t xv = load4(xr + 4 * q);
        xw[r * R + 2 * q] = static_cast<std::int32_t>(__uxtb16(xv));
        xw[r * R + 2 * q + 1] = Trim && q + 1 == Quads ? 0 : uxtb16_ror8(xv);
      }
    }
    for (std::size_t o = 0; o < out; ++o) {
      std::int32_t wp[P];
#pragma GCC unroll 3
      for (std::size_t q = 0; q < Quads; ++q) {
        const std::uint32_t wv = load4(w + 4 * o + q * step);
        wp[2 * q] = __sxtb16(static_cast<std::int32_t>(wv));
        if (!Trim || q + 1 < Quads) wp[2 * q + 1] = sxtb16_ror8(wv);
      }
      const std::int32_t bias = rq.bias[o];
      const std::int32_t* xr = xw;
      for (std::size_t g = 0; g < gn; ++g) {
        std::int32_t top = 0;
#pragma GCC unroll 16
        for (std::size_t r = 0; r < Group; ++r) {
          std::int32_t s = 0;
#pragma GCC unroll 3
          for (std::size_t p = 0; p < P; p += 2) {
            std::int32_t a, b;
            load_pair(xr, a, b);
            s = __smlad(a, wp[p], s);
            if (p + 1 < P) s = __smlad(b, wp[p + 1], s);
          }
          top = r == 0 || s > top ? s : top;
        }
        best[g] = top;
      }
      std::uint8_t* yo = y + g0 * y_stride + o;
      const std::int32_t shift = rq.shift[o];
      const std::int64_t bound = kAccBound + (bias < 0 ? -std::int64_t(bias) : std::int64_t(bias));
      if (requant::ShortRequant::fits(shift, rq.zero_point, bound)) {
        const requant::ShortRequant requantize(rq.multiplier[o], shift, rq.zero_point, rq.lo, rq.hi);
        if (rq.hi == 255) {  // the usual top: USAT clamps to 0..255 in one instruction
          const std::int32_t lo = rq.lo;  // locals: the byte stores could alias anything read through rq
          for (const std::int32_t *b = best, *end = best + gn; b != end; ++b, yo += y_stride) {
            const std::int32_t v = __usat(requantize.unclamped(*b + bias), 8);
            *yo = static_cast<std::uint8_t>(v < lo ? lo : v);
          }
        } else {
          for (std::size_t g = 0; g < gn; ++g, yo += y_stride) *yo = requantize(best[g] + bias);
        }
      } else {
        for (std::size_t g = 0; g < gn; ++g, yo += y_stride)
          requant::finish_scalar(best + g, 1, 1, rq.bias + o, rq.multiplier + o, rq.shift + o, rq.zero_point, rq.lo,
                                 rq.hi, 1, yo);
      }
    }
  }
}

template <std::size_t Group>
inline bool dsp_short_pool(const std::uint8_t* x, std::size_t x_stride, std::size_t groups, const std::int8_t* w,
                           std::size_t in, std::size_t out, const RequantArgs& rq, std::uint8_t* y,
                           std::size_t y_stride) noexcept {
  const bool trim = in % 4 == 1;
  switch ((in + 3) / 4) {
    case 1: trim ? dsp_short_pool<1, true, Group>(x, x_stride, groups, w, out, rq, y, y_stride)
                 : dsp_short_pool<1, false, Group>(x, x_stride, groups, w, out, rq, y, y_stride);
            return true;
    case 2: trim ? dsp_short_pool<2, true, Group>(x, x_stride, groups, w, out, rq, y, y_stride)
                 : dsp_short_pool<2, false, Group>(x, x_stride, groups, w, out, rq, y, y_stride);
            return true;
    case 3: trim ? dsp_short_pool<3, true, Group>(x, x_stride, groups, w, out, rq, y, y_stride)
                 : dsp_short_pool<3, false, Group>(x, x_stride, groups, w, out, rq, y, y_stride);
            return true;
    default: return false;
  }
}

}  // namespace qgemm
#endif

inline void qgemm_pool_u8(const std::uint8_t* x, std::size_t x_stride, std::size_t groups, std::size_t group,
                          const std::int8_t* w, std::size_t in, std::size_t out, const RequantArgs& rq,
                          std::int32_t* acc, std::size_t acc_stride, std::uint8_t* y, std::size_t y_stride) noexcept {
#if defined(__ARM_FEATURE_DSP) && !FIRMNET_HAVE_XSIMD
  // 2x2 pooling windows (the CNNs people build); other windows take the reference's way.
  if (group == 4 && qgemm::dsp_short_pool<4>(x, x_stride, groups, w, in, out, rq, y, y_stride)) return;
#endif
  qgemm_pool_u8_ref(x, x_stride, groups, group, w, in, out, rq, acc, acc_stride, y, y_stride);
}

}  // namespace firmnet::kernels
