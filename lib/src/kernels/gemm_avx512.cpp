// The AVX-512 GEMM (compiled with -mavx512f/cd/dq/bw/vl, run only where the CPU has them).
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {

void gemm_avx512(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept {
  gemm_blocked<xsimd::avx512bw>(p, scratch, l1);
}

void wino_weights_avx512(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept {
  winograd_weights<xsimd::avx512bw>(g, k, w, u);
}
void wino_tiles_avx512(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept {
  winograd_tiles<xsimd::avx512bw>(p, first, last, scratch);
}

void wino_dw_avx512(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept {
  winograd_dw<xsimd::avx512bw>(p, c0, c1, sums, scratch);
}

}  // namespace firmnet::kernels::variants
