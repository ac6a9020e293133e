// The AVX2 + FMA GEMM (compiled with -mavx2 -mfma, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx2(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept {
  gemm_blocked<xsimd::fma3<xsimd::avx2>>(p, scratch, l1);
}

void wino_weights_avx2(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept {
  winograd_weights<xsimd::fma3<xsimd::avx2>>(g, k, w, u);
}
void wino_tiles_avx2(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept {
  winograd_tiles<xsimd::fma3<xsimd::avx2>>(p, first, last, scratch);
}

void wino_dw_avx2(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept {
  winograd_dw<xsimd::fma3<xsimd::avx2>>(p, c0, c1, sums, scratch);
}

}  // namespace firmnet::kernels::variants
