// The AVX-512 GEMM (compiled with -mavx512f/cd/dq/bw/vl, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx512(const GemmProblem& p, std::span<float> scratch) noexcept {
  gemm_blocked<xsimd::avx512bw>(p, scratch);
}

}  // namespace firmnet::kernels::variants
