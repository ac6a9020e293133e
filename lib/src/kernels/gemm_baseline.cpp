// The GEMM for the ISA the build targets (sse2 for plain x86-64, neon64 on aarch64, ...).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_baseline(const GemmProblem& p, std::span<float> scratch) noexcept {
  gemm_blocked<SimdArch>(p, scratch);
}
const char* baseline_name() noexcept { return SimdArch::name(); }

}  // namespace firmnet::kernels::variants
