// core/arch.hpp: the one place that decides which SIMD instruction set the kernels use.
// Compile-time: xsimd's default_arch, the best one the compiler flags enable (sse2 for plain
// x86-64, fma3+avx2 for -march=x86-64-v3, avx512bw for v4, neon64 on aarch64, neon on armv7 with
// -mfpu=neon). Without SIMD (Cortex-M, or FIRMNET_NO_XSIMD) the kernels are scalar and xsimd is
// not even included. kernel_arch_name() is printed by every test binary and program.
#pragma once

#if defined(FIRMNET_NO_XSIMD)
#define FIRMNET_HAVE_XSIMD 0
#else
#include <xsimd/xsimd.hpp>
#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define FIRMNET_HAVE_XSIMD 0
#else
#define FIRMNET_HAVE_XSIMD 1
#endif
#endif

namespace firmnet {

#if FIRMNET_HAVE_XSIMD
using SimdArch = xsimd::default_arch;
constexpr const char* kernel_arch_name() noexcept { return SimdArch::name(); }
#else
constexpr const char* kernel_arch_name() noexcept { return "scalar"; }
#endif

}  // namespace firmnet
