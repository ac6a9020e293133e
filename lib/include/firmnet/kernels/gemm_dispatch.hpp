// kernels/gemm_dispatch.hpp: the compiled float GEMM variants and the choice among them.
// x86: one variant per ISA, each in its own translation unit built with that ISA's flags
// (avx512bw, fma3+avx2, and the build's baseline); the first call picks the best the CPU and OS
// support, or the one named by the FIRMNET_KERNELS environment variable (avx512bw, fma3+avx2,
// baseline). Other targets: the one variant for the ISA the compiler targets. Each thread has
// its own pack buffers (thread_local, sized at compile time from kernels/blocking.hpp).
#pragma once

#include <span>

#include "firmnet/kernels/gemm_blocked.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

struct GemmVariant {
  const char* name;                            // the xsimd arch name, e.g. "avx512bw"
  void (*run)(const GemmProblem&, float* pack_a, float* pack_b) noexcept;
  bool supported;                              // this CPU (and OS) can run it
};

// The three forms as problems over contiguous row-major operands (see kernels/gemm.hpp).
inline GemmProblem problem_nn(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
                              bool accumulate, const float* bias = nullptr, bool relu = false) noexcept {
  return {m, n, k, {a, k, 1}, {b, 1, n}, c, n, accumulate, bias, relu};  // A(i,p) = a[i·k + p], B(p,j) = b[p·n + j]
}
inline GemmProblem problem_tn(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
                              bool accumulate) noexcept {
  return {m, n, k, {a, 1, m}, {b, 1, n}, c, n, accumulate, nullptr, false};  // A(i,p) = a[p·m + i]
}
inline GemmProblem problem_nt(std::size_t m, std::size_t n, std::size_t k, const float* a, const float* b, float* c,
                              bool accumulate) noexcept {
  return {m, n, k, {a, k, 1}, {b, k, 1}, c, n, accumulate, nullptr, false};  // B(p,j) = b[j·k + p]
}

// Every compiled variant, best first (tests run each supported one).
std::span<const GemmVariant> gemm_variants() noexcept;
// The variant gemm_f32 runs.
const GemmVariant& gemm_active() noexcept;
// Runs p with the active variant on this thread's pack buffers.
void gemm_f32(const GemmProblem& p) noexcept;
// Runs p with the given variant on this thread's pack buffers.
void gemm_f32_with(const GemmVariant& variant, const GemmProblem& p) noexcept;

}  // namespace firmnet::kernels
#endif
