// The AVX2 + FMA GEMM (compiled with -mavx2 -mfma, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx2(const GemmProblem& p, std::span<float> scratch) noexcept {
  gemm_blocked<xsimd::fma3<xsimd::avx2>>(p, scratch);
}

}  // namespace firmnet::kernels::variants
