// The int8 product for the ISA the build targets.
#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {

#if defined(__ARM_NEON)
Kernels baseline() noexcept { return {qgemm::neon, requant::loop}; }
const char* baseline_name() noexcept { return "neon"; }
#elif defined(__AVX2__)
Kernels baseline() noexcept { return {qgemm::avx2, requant::loop}; }
const char* baseline_name() noexcept { return "avx2"; }
#elif defined(__SSE2__)
Kernels baseline() noexcept { return {qgemm::sse2, requant::loop}; }
const char* baseline_name() noexcept { return "sse2"; }
#else
Kernels baseline() noexcept { return {qgemm_u8s8_s32_ref, requant::loop}; }
const char* baseline_name() noexcept { return "scalar"; }
#endif

}  // namespace firmnet::kernels::qvariants
