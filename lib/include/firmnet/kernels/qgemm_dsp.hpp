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

// Row by row, four outputs at a time: their accumulators stay in registers while the row's quads
// stream past, each quad of x widened once for the four weight quads that follow it in memory.
inline void dsp(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w, std::size_t in,
                std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  using namespace dsp_detail;
  const std::size_t quads = (in + 3) / 4, out4 = (out + 3) / 4 * 4, step = out4 * 4;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint8_t* xr = x + r * x_stride;
    for (std::size_t o = 0; o < out4; o += 4) {
      const std::int8_t* wq = w + o * 4;
      std::int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (std::size_t q = 0; q < quads; ++q, wq += step) {
        const std::uint32_t xv = load4(xr + 4 * q);
        const std::int32_t x02 = static_cast<std::int32_t>(__uxtb16(xv));  // 0..255: also valid int16
        const std::int32_t x13 = uxtb16_ror8(xv);
        s0 = dot4(x02, x13, wq, s0);
        s1 = dot4(x02, x13, wq + 4, s1);
        s2 = dot4(x02, x13, wq + 8, s2);
        s3 = dot4(x02, x13, wq + 12, s3);
      }
      std::int32_t* a = acc + r * acc_stride + o;
      a[0] = s0, a[1] = s1, a[2] = s2, a[3] = s3;
    }
  }
}

}  // namespace firmnet::kernels::qgemm
#endif
