// kernels/gemm.hpp: the GEMMs layers call, with the contract of gemm_ref.hpp:
//   nn: C(M,N) = A(M,K)·B(K,N)   tn: C = A(K,M)ᵀ·B(K,N)   nt: C = A(M,K)·B(N,K)ᵀ
// row-major and contiguous, C overwritten (never read) or accumulated; forward epilogues add the
// bias and apply ReLU in the same pass. float runs the cache-blocked SIMD GEMM
// (gemm_blocked.hpp, dispatched by ISA); double and SIMD-less builds run gemm_portable.hpp.
// No heap: the blocked GEMM packs into the caller's scratch, of at least gemm_*_scratch(m, n, k)
// floats (compile-time constants for compile-time shapes; 0 where nothing is packed).
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/gemm_portable.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/gemm_dispatch.hpp"
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

// Scratch floats each form needs (blocking.hpp's bound; nt reads B across rows, so it packs).
constexpr std::size_t gemm_nn_scratch(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return gemm_scratch_floats(m, n, k, true);
}
constexpr std::size_t gemm_tn_scratch(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return gemm_scratch_floats(m, n, k, true);
}
constexpr std::size_t gemm_nt_scratch(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return gemm_scratch_floats(m, n, k, k == 1);
}

using Scratch = std::span<float>;

// A forward product in two halves of its depth (gemm_nn_bias_halves): for weight matrices
// (k x n) of 64 K floats or more, the size from which the optimizer's passes over them split in
// two halves of rows across the pool (kMinSplitElements, thread_pool.hpp). Reading w in the same
// halves, each thread touches only the rows it updates: no line of w moves between the cores in
// a training step (split by columns instead, the Fashion-MNIST step ran no faster on 2 threads).
// Where backward makes plain SGD's step itself (gemm_tn_sgd), w is stepped in the weight
// gradient's own split across the pool (rows in 48-row units, gemm_dispatch.cpp), which may cut a
// few rows away from the halves: a matter of speed only, the bits never depend on either.
constexpr bool gemm_halves_pay(std::size_t k, std::size_t n) noexcept { return k * n >= (std::size_t(1) << 16); }
// Where the second half starts: half the depth in whole cache lines of A's rows (784 -> 384).
constexpr std::size_t gemm_k_half(std::size_t k) noexcept { return (k + 15) / 16 / 2 * 16; }
// Scratch of gemm_nn_bias_halves: the second half's m x n sums (whole cache lines), then the packs.
constexpr std::size_t gemm_halves_partial(std::size_t m, std::size_t n) noexcept { return (m * n + 15) / 16 * 16; }
constexpr std::size_t gemm_nn_halves_scratch(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return gemm_halves_partial(m, n) + gemm_nn_scratch(m, n, k);
}

#if FIRMNET_HAVE_XSIMD
namespace detail {
template <class T>
constexpr bool kFast = std::is_same_v<T, float>;
}  // namespace detail
#endif

template <class T>
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate,
             Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, accumulate), scratch);
#endif
  (void)scratch;
  portable::gemm_nn(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate,
             Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_tn(m, n, k, a, b, c, accumulate), scratch);
#endif
  (void)scratch;
  portable::gemm_tn(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate,
             Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nt(m, n, k, a, b, c, accumulate), scratch);
#endif
  (void)scratch;
  portable::gemm_nt(m, n, k, a, b, c, accumulate);
}

// Plain SGD's step on a weight matrix w (m, n) whose gradient is aᵀ·b (a (k, m), b (k, n)):
//   w -= lr·(aᵀ·b + reg·w)   (reg 0: w -= lr·aᵀ·b)
// with the bits of gemm_tn into dw followed by l2_sgd_sumsq (axpy when reg is 0) over w and dw.
// float folds the step into the store of the product's tiles where its path can
// (gemm_problem.hpp SgdStep): w is read and written once and the gradient never stored. In a
// profile of the Fashion-MNIST step (AVX2, Zen 5) the separate pass over w and dw was 3 % of the
// time and slowed the products around it: removing it took the step from 215 to 204 us. dw holds
// the gradient where the step is not folded (double, SIMD-less builds, the paths SgdStep names);
// its contents afterwards are unspecified.
template <class T>
void gemm_tn_sgd(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* w, T* dw, T lr, T reg,
                 Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) {
    const SgdStep step{-lr, reg, reg != 0.0f, w, dw};
    GemmProblem p = problem_tn(m, n, k, a, b, w, false);
    p.step = &step;
    return gemm_f32(p, scratch);
  }
#endif
  (void)scratch;
  portable::gemm_tn(m, n, k, a, b, dw, false);
  for (std::size_t i = 0; i < m * n; ++i) w[i] += -lr * (reg != T(0) ? dw[i] + reg * w[i] : dw[i]);
}

template <class T>
void gemm_nn_bias(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, const T* bias, T* c,
                  Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, false, bias, false), scratch);
#endif
  (void)scratch;
  portable::gemm_nn_bias(m, n, k, a, b, bias, c);
}

template <class T>
void gemm_nn_bias_relu(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, const T* bias, T* c,
                       Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, false, bias, true), scratch);
#endif
  (void)scratch;
  portable::gemm_nn_bias_relu(m, n, k, a, b, bias, c);
}

// c(m, n) = act((bias + a(:, 0:k0)·b(0:k0, :)) + a(:, k0:k)·b(k0:k, :)), k0 = gemm_k_half(k):
// the forward of a dense layer whose weights gemm_halves_pay; with a pool, the halves run on two
// threads at once (gemm_f32_halves). scratch: gemm_nn_halves_scratch(m, n, k) floats. double and
// SIMD-less builds (one thread) sum in one pass, as gemm_nn_bias does.
template <class T>
void gemm_nn_bias_halves(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, const T* bias, bool relu,
                         T* c, Scratch scratch) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) {
    const std::size_t partial = gemm_halves_partial(m, n);
    FIRMNET_EXPECTS(scratch.size() >= partial);
    return gemm_f32_halves(problem_nn(m, n, k, a, b, c, false, bias, relu), scratch.data(), scratch.subspan(partial));
  }
#endif
  (void)scratch;
  if (relu) portable::gemm_nn_bias_relu(m, n, k, a, b, bias, c);
  else portable::gemm_nn_bias(m, n, k, a, b, bias, c);
}

#if FIRMNET_HAVE_XSIMD
// Convolutions as products with the im2col matrix packed straight from the images
// (kernels/conv_pack.hpp), float only; scratch: gemm_conv_scratch(m, n, k).
constexpr std::size_t gemm_conv_scratch(std::size_t m, std::size_t n, std::size_t k) noexcept {
  return gemm_scratch_floats(m, n, k, false);
}
// c(m, n) = cols(a) (pixel-major, rows a_row0..)·b(k, n) + bias, [ReLU]; bias may be null.
inline void gemm_conv_nn_bias(const ConvSource& a, std::size_t a_row0, std::size_t m, std::size_t n, std::size_t k,
                              const float* b, const float* bias, bool relu, float* c, Scratch scratch) noexcept {
  GemmProblem p{m, n, k, {nullptr, 0, 0}, {b, 1, n}, c, n, false, bias, relu};
  p.a_conv = &a;
  p.a_row0 = a_row0;
  gemm_f32(p, scratch);
}
// c(m = patch, n) [+]= colsᵀ(a) (patch-major)·b(k = pixels, n).
inline void gemm_conv_tn(const ConvSource& a, std::size_t m, std::size_t n, std::size_t k, const float* b, float* c,
                         bool accumulate, Scratch scratch) noexcept {
  GemmProblem p{m, n, k, {nullptr, 0, 0}, {b, 1, n}, c, n, accumulate, nullptr, false};
  p.a_conv = &a;
  gemm_f32(p, scratch);
}
#endif

// Bias gradient: out(N) = Σ_rows A(M, N), each column summed row by row from 0 (col_sum_ref's
// order, bit for bit). SIMD: up to 16 vectors of columns per pass over the rows, so a conv's dz
// (50176 x 32, 6 MiB) is read once, not once per vector of columns (SSE2: 8 strided passes).
template <class T>
void col_sum(std::size_t m, std::size_t n, const T* a, T* out) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) {
    using B = xsimd::batch<float, SimdArch>;
    constexpr std::size_t V = 16, W = B::size;
    // Columns [j, j + vectors·W), vectors <= V, in one pass over the rows.
    auto sum_columns = [&](std::size_t j, std::size_t vectors) {
      B sum[V];
      for (std::size_t v = 0; v < vectors; ++v) sum[v] = B(0.0f);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t v = 0; v < vectors; ++v) sum[v] += B::load_unaligned(a + i * n + j + v * W);
      for (std::size_t v = 0; v < vectors; ++v) sum[v].store_unaligned(out + j + v * W);
    };
    // Bounds as n - n % step: GCC 12 warns falsely on j + step <= n forms here.
    const std::size_t blocks_end = n - n % (V * W), vec_end = n - n % W;
    for (std::size_t j = 0; j < blocks_end; j += V * W) sum_columns(j, V);
    if (vec_end > blocks_end) sum_columns(blocks_end, (vec_end - blocks_end) / W);
    for (std::size_t j = vec_end; j < n; ++j) {
      float sum = 0.0f;
      for (std::size_t i = 0; i < m; ++i) sum += a[i * n + j];
      out[j] = sum;
    }
    return;
  }
#endif
  portable::col_sum(m, n, a, out);
}

}  // namespace firmnet::kernels
