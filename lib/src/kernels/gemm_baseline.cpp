// The GEMM for the ISA the build targets (sse2 for plain x86-64, neon64 on aarch64, ...).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_baseline(const GemmProblem& p, float* pack_a, float* pack_b) noexcept {
  gemm_blocked<SimdArch>(p, pack_a, pack_b);
}
const char* baseline_name() noexcept { return SimdArch::name(); }

}  // namespace firmnet::kernels::variants
