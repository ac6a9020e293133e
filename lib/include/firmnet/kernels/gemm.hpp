// kernels/gemm.hpp: the GEMMs layers call, with the contract of gemm_ref.hpp:
//   nn: C(M,N) = A(M,K)·B(K,N)   tn: C = A(K,M)ᵀ·B(K,N)   nt: C = A(M,K)·B(N,K)ᵀ
// row-major and contiguous, C overwritten (never read) or accumulated; forward epilogues add the
// bias and apply ReLU in the same pass. float runs the cache-blocked SIMD GEMM
// (gemm_blocked.hpp, dispatched by ISA); double and SIMD-less builds run gemm_portable.hpp.
// No heap: the pack buffers are per-thread arrays sized at compile time.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/gemm_portable.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/gemm_dispatch.hpp"
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

#if FIRMNET_HAVE_XSIMD
namespace detail {
template <class T>
constexpr bool kFast = std::is_same_v<T, float>;
}  // namespace detail
#endif

template <class T>
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, accumulate));
#endif
  portable::gemm_nn(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_tn(m, n, k, a, b, c, accumulate));
#endif
  portable::gemm_tn(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c, bool accumulate) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nt(m, n, k, a, b, c, accumulate));
#endif
  portable::gemm_nt(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_nn_bias(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, const T* bias, T* c) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, false, bias, false));
#endif
  portable::gemm_nn_bias(m, n, k, a, b, bias, c);
}

template <class T>
void gemm_nn_bias_relu(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, const T* bias,
                       T* c) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) return gemm_f32(problem_nn(m, n, k, a, b, c, false, bias, true));
#endif
  portable::gemm_nn_bias_relu(m, n, k, a, b, bias, c);
}

// Bias gradient: out(N) = Σ_rows A(M, N).
template <class T>
void col_sum(std::size_t m, std::size_t n, const T* a, T* out) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (detail::kFast<T>) {
    using B = xsimd::batch<float, SimdArch>;
    std::size_t j = 0;
    for (const std::size_t end = n - n % B::size; j < end; j += B::size) {
      B sum(0.0f);
      for (std::size_t i = 0; i < m; ++i) sum += B::load_unaligned(a + i * n + j);
      sum.store_unaligned(out + j);
    }
    for (; j < n; ++j) {
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
