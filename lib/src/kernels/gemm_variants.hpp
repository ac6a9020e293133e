// The per-ISA entry points, each defined in its own translation unit compiled for that ISA.
#pragma once

#include "firmnet/kernels/gemm_blocked.hpp"

namespace firmnet::kernels::variants {

void gemm_baseline(const GemmProblem& p, std::span<float> scratch) noexcept;  // the build's ISA
const char* baseline_name() noexcept;
#if FIRMNET_X86_DISPATCH
void gemm_avx2(const GemmProblem& p, std::span<float> scratch) noexcept;     // fma3+avx2
void gemm_avx512(const GemmProblem& p, std::span<float> scratch) noexcept;   // avx512bw
#endif

}  // namespace firmnet::kernels::variants
