// The int8 product for the ISA the build targets.
#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {

#if defined(__ARM_NEON)
extern const Kernels kBaseline = {qgemm::neon, requant::loop, requant::finish_loop};
extern const char* const kBaselineName = "neon";
#elif defined(__AVX2__)
extern const Kernels kBaseline = {qgemm::avx2, requant::avx2, requant::finish_avx2};
extern const char* const kBaselineName = "avx2";
#elif defined(__SSE2__)
extern const Kernels kBaseline = {qgemm::sse2, requant::loop, requant::finish_loop};
extern const char* const kBaselineName = "sse2";
#else
extern const Kernels kBaseline = {qgemm_u8s8_s32_ref, requant::loop, requant::finish_loop};
extern const char* const kBaselineName = "scalar";
#endif

}  // namespace firmnet::kernels::qvariants
