// kernels/qgemm.hpp: acc[r][o] = Σ_i x[r][i]·W[o][i] (uint8 · int8 -> int32) over packed weights,
// the product every quantized layer runs, with the contract of qgemm_ref.hpp: exact, the same bits
// on every path. SIMD builds run a compiled variant chosen at run time like the float GEMM (x86:
// AVX-512 VNNI, AVX2 or SSE2; aarch64 Linux: sdot or NEON; armv7: NEON); Cortex-M4/M7 builds use
// the DSP extension's SMLAD (kernels/qgemm_dsp.hpp); anything else runs the reference loops.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/qgemm_dsp.hpp"
#include "firmnet/kernels/qgemm_ref.hpp"

namespace firmnet::kernels {

using QgemmFn = void (*)(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                         std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept;

#if FIRMNET_HAVE_XSIMD
struct QgemmVariant {
  const char* name;  // "avx512vnni", "avx2", "sse2", "dotprod", "neon"
  QgemmFn run;
  // kernels/requantize.hpp, compiled with the same ISA flags: int32 out, and a layer's uint8 end.
  void (*requantize)(const std::int32_t* acc, const std::int32_t* multiplier, const std::int32_t* shift,
                     std::int32_t zero_point, std::int32_t lo, std::int32_t hi, std::size_t n, std::int32_t* out) noexcept;
  void (*finish)(const std::int32_t* acc, std::size_t rows, std::size_t stride, const std::int32_t* bias,
                 const std::int32_t* multiplier, const std::int32_t* shift, std::int32_t zero_point, std::int32_t lo,
                 std::int32_t hi, std::size_t n, std::uint8_t* out) noexcept;
  bool supported;
};
// Every compiled variant, best first; the active one (FIRMNET_QKERNELS=<name> overrides).
const QgemmVariant* qgemm_variants(std::size_t* count) noexcept;
const QgemmVariant& qgemm_active() noexcept;
#endif

inline void qgemm_u8s8_s32(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                           std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
#if FIRMNET_HAVE_XSIMD
  qgemm_active().run(x, x_stride, rows, w, in, out, acc, acc_stride);
#elif defined(__ARM_FEATURE_DSP)
  qgemm::dsp(x, x_stride, rows, w, in, out, acc, acc_stride);
#else
  qgemm_u8s8_s32_ref(x, x_stride, rows, w, in, out, acc, acc_stride);
#endif
}

inline const char* qgemm_name() noexcept {
#if FIRMNET_HAVE_XSIMD
  return qgemm_active().name;
#elif defined(__ARM_FEATURE_DSP)
  return "dsp (smlad)";
#else
  return "scalar";
#endif
}

}  // namespace firmnet::kernels
