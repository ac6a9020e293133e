// The AVX2 + FMA GEMM (compiled with -mavx2 -mfma, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx2(const GemmProblem& p, float* pack_a, float* pack_b) noexcept {
  gemm_blocked<xsimd::fma3<xsimd::avx2>>(p, pack_a, pack_b);
}

}  // namespace firmnet::kernels::variants
