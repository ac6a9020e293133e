// The AVX-512 GEMM (compiled with -mavx512f/cd/dq/bw/vl, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx512(const GemmProblem& p, float* pack_a, float* pack_b) noexcept {
  gemm_blocked<xsimd::avx512bw>(p, pack_a, pack_b);
}

}  // namespace firmnet::kernels::variants
