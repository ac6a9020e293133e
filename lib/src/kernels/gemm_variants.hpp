// The per-ISA entry points, each defined in its own translation unit compiled for that ISA.
#pragma once

#include "firmnet/kernels/conv_winograd.hpp"
#include "firmnet/kernels/gemm_blocked.hpp"

namespace firmnet::kernels::variants {

// Each variant: the GEMM, and Winograd's weight transform and tiles (conv_winograd.hpp).
void gemm_baseline(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept;  // the build's ISA
void wino_weights_baseline(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept;
void wino_tiles_baseline(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept;
void wino_dw_baseline(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept;
const char* baseline_name() noexcept;
#if FIRMNET_X86_DISPATCH
void gemm_avx2(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept;     // fma3+avx2
void wino_weights_avx2(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept;
void wino_tiles_avx2(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept;
void wino_dw_avx2(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept;
void gemm_avx512(const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept;   // avx512bw
void wino_weights_avx512(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept;
void wino_tiles_avx512(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept;
void wino_dw_avx512(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept;
#endif

}  // namespace firmnet::kernels::variants
