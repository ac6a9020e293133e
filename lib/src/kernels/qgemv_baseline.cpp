// The int8 product for the ISA the build targets.
#include "firmnet/kernels/qgemv_ref.hpp"
#include "firmnet/kernels/qgemv_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemv_variants.hpp"

namespace firmnet::kernels::qvariants {

#if defined(__ARM_NEON)
Kernels baseline() noexcept { return {qgemv::neon, requant::loop}; }
const char* baseline_name() noexcept { return "neon"; }
#elif defined(__AVX2__)
Kernels baseline() noexcept { return {qgemv::avx2, requant::loop}; }
const char* baseline_name() noexcept { return "avx2"; }
#elif defined(__SSE2__)
Kernels baseline() noexcept { return {qgemv::sse2, requant::loop}; }
const char* baseline_name() noexcept { return "sse2"; }
#else
Kernels baseline() noexcept { return {qgemv_u8s8_s32_ref, requant::loop}; }
const char* baseline_name() noexcept { return "scalar"; }
#endif

}  // namespace firmnet::kernels::qvariants
