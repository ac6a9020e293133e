// kernels/qgemv.hpp: acc[o] = Σ_i x[i]·w[o·in + i] (uint8 · int8 -> int32), the product every
// quantized layer runs, with the contract of qgemv_ref.hpp: exact, the same bits on every path.
// SIMD builds run a compiled variant chosen at run time like the float GEMM (x86: AVX-512 VNNI,
// AVX2 or SSE2; aarch64 Linux: sdot or NEON; armv7: NEON); Cortex-M4/M7 builds use the DSP
// extension's SMLAD (kernels/qgemv_dsp.hpp); anything else runs the reference loops.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/qgemv_dsp.hpp"
#include "firmnet/kernels/qgemv_ref.hpp"

namespace firmnet::kernels {

#if FIRMNET_HAVE_XSIMD
struct QgemvVariant {
  const char* name;  // "avx512vnni", "avx2", "sse2", "dotprod", "neon"
  void (*run)(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out, std::int32_t* acc) noexcept;
  // kernels/requantize.hpp, compiled with the same ISA flags.
  void (*requantize)(const std::int32_t* acc, const std::int32_t* multiplier, const std::int32_t* shift,
                     std::int32_t zero_point, std::int32_t lo, std::int32_t hi, std::size_t n, std::int32_t* out) noexcept;
  bool supported;
};
// Every compiled variant, best first; the active one (FIRMNET_QKERNELS=<name> overrides).
const QgemvVariant* qgemv_variants(std::size_t* count) noexcept;
const QgemvVariant& qgemv_active() noexcept;
#endif

inline void qgemv_u8s8_s32(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out,
                           std::int32_t* acc) noexcept {
#if FIRMNET_HAVE_XSIMD
  qgemv_active().run(x, w, in, out, acc);
#elif defined(__ARM_FEATURE_DSP)
  qgemv::dsp(x, w, in, out, acc);
#else
  qgemv_u8s8_s32_ref(x, w, in, out, acc);
#endif
}

inline const char* qgemv_name() noexcept {
#if FIRMNET_HAVE_XSIMD
  return qgemv_active().name;
#elif defined(__ARM_FEATURE_DSP)
  return "dsp (smlad)";
#else
  return "scalar";
#endif
}

}  // namespace firmnet::kernels
