// The GEMM for the ISA the build targets (sse2 for plain x86-64, neon64 on aarch64, ...).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_baseline(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept {
  gemm_blocked<SimdArch>(p, scratch, l1);
}
const char* baseline_name() noexcept { return SimdArch::name(); }

void wino_weights_baseline(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept {
  winograd_weights<SimdArch>(g, k, w, u);
}
void wino_tiles_baseline(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept {
  winograd_tiles<SimdArch>(p, first, last, scratch);
}

void wino_dw_baseline(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept {
  winograd_dw<SimdArch>(p, c0, c1, sums, scratch);
}

}  // namespace firmnet::kernels::variants
