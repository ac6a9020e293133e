// kernels/gemm_dispatch.hpp: the compiled float GEMM variants and the choice among them.
// x86: one variant per ISA, each in its own translation unit built with that ISA's flags
// (avx512bw, fma3+avx2, and the build's baseline); the first call picks the best the CPU and OS
// support, or the one named by the FIRMNET_KERNELS environment variable (avx512bw, fma3+avx2,
// baseline). Other targets: the one variant for the ISA the compiler targets.
// FIRMNET_MAX_ISA=avx2 (or sse2) rules out the variants above that level, as if the CPU lacked
// them, so the AVX2 path can be run and tested on an AVX-512 machine.
// The pack buffers come from the caller's scratch (kernels/blocking.hpp sizes it); when a pool
// splits a product, part 0 runs on the caller's scratch and part t on worker t's own.
#pragma once

#include <span>

#include "firmnet/kernels/conv_winograd.hpp"
#include "firmnet/kernels/gemm_blocked.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

struct GemmVariant {
  const char* name;                            // the xsimd arch name, e.g. "avx512bw"
  void (*run)(const GemmProblem&, std::span<float> scratch, const L1Data& l1) noexcept;
  bool supported;                              // this CPU (and OS) can run it
  // Winograd's convolution (conv_winograd.hpp): the weights' transform, and tiles [first, last).
  void (*wino_weights)(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept;
  void (*wino_tiles)(const WinogradConv& p, std::size_t first, std::size_t last, std::span<float> scratch) noexcept;
  void (*wino_dw)(const WinogradDw& p, std::size_t c0, std::size_t c1, float* sums, std::span<float> scratch) noexcept;
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
// The L1 data cache the blocking plans for (blocking.hpp): x86 reads it from CPUID once (or
// from FIRMNET_L1D, KiB/ways), other targets take L1Data{}. It changes where the AVX variants
// read A (gemm_blocked.hpp), never a result's bits.
const L1Data& gemm_l1() noexcept;
// Runs p with the active variant; scratch holds the pack buffers (gemm_scratch_floats).
void gemm_f32(const GemmProblem& p, std::span<float> scratch) noexcept;
// Runs p with the given variant, planned for l1 (tests run both plans on any machine).
void gemm_f32_with(const GemmVariant& variant, const GemmProblem& p, std::span<float> scratch,
                   const L1Data& l1 = gemm_l1()) noexcept;

// p (not accumulating, A not a convolution's) in two halves of its depth, added last:
//   C = act((bias + A(:, 0:k0)·B(0:k0, :)) + A(:, k0:k)·B(k0:k, :)),  k0 = gemm_k_half(k)
// With a pool, products from 4 MFLOP run the halves on threads 0 and 1 at once, each half the
// code one thread runs, so the bits never depend on the thread count. partial: m x n floats (the
// second half, before the sum); scratch: the pack buffers, as for gemm_f32; l1: as for
// gemm_f32_with. See gemm_nn_bias_halves.
void gemm_f32_halves(const GemmProblem& p, float* partial, std::span<float> scratch) noexcept;
void gemm_f32_halves_with(const GemmVariant& variant, const GemmProblem& p, float* partial,
                          std::span<float> scratch, const L1Data& l1 = gemm_l1()) noexcept;

// Winograd's convolution p (conv_winograd.hpp) with the active variant: u = the transform of
// HWIO weights w (winograd_weight_floats), then every tile. With a pool, products from 4 MFLOP
// split by whole chunks of tiles; part 0 runs on scratch (winograd_scratch floats), part t on
// worker t's. Every tile runs the same code on any thread: the bits never depend on the split.
void conv_winograd_weights(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept;
void conv_winograd(const WinogradConv& p, std::span<float> scratch) noexcept;
void conv_winograd_weights_with(const GemmVariant& variant, const ConvGeometry& g, std::size_t k, const float* w,
                                float* u) noexcept;
void conv_winograd_with(const GemmVariant& variant, const WinogradConv& p, std::span<float> scratch) noexcept;
// The weight gradient p (conv_winograd.hpp) with the active variant; sums: winograd_weight_floats.
// With a pool, products from 4 MFLOP split by channels in units of kWinoDwChannels (every value
// summed as on one thread); part 0 runs on scratch (winograd_scratch floats), part t on worker t's.
void conv_winograd_dw(const WinogradDw& p, float* sums, std::span<float> scratch) noexcept;
void conv_winograd_dw_with(const GemmVariant& variant, const WinogradDw& p, float* sums,
                           std::span<float> scratch) noexcept;

}  // namespace firmnet::kernels
#endif
