// kernels/gemm_portable.hpp: plain GEMM loops with the contract of gemm_ref.hpp, ordered for
// unit-stride inner loops so a compiler can vectorise them. What kernels/gemm.hpp runs where the
// blocked SIMD GEMM does not: double precision (gradient checks) and builds without SIMD
// (Cortex-M). No heap, no state: pure functions over pointers.
#pragma once

#include <cstddef>

#include "firmnet/kernels/gemm_ref.hpp"

namespace firmnet::kernels::portable {

namespace detail {
template <class T>
void zero(T* c, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) c[i] = T(0);
}
}  // namespace detail

template <class T>
void gemm_nn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
             bool accumulate) noexcept {
  if (!accumulate) detail::zero(c, m * n);
  for (std::size_t i = 0; i < m; ++i) {
    T* c_row = c + i * n;
    for (std::size_t p = 0; p < k; ++p) {
      const T a_ip = a[i * k + p];
      const T* b_row = b + p * n;
      for (std::size_t j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
    }
  }
}

template <class T>
void gemm_tn(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
             bool accumulate) noexcept {
  if (!accumulate) detail::zero(c, m * n);
  for (std::size_t p = 0; p < k; ++p) {
    const T* a_row = a + p * m;
    const T* b_row = b + p * n;
    for (std::size_t i = 0; i < m; ++i) {
      const T a_pi = a_row[i];
      T* c_row = c + i * n;
      for (std::size_t j = 0; j < n; ++j) c_row[j] += a_pi * b_row[j];
    }
  }
}

// Both operands are read along k with unit stride already: the reference's loop order is the
// portable one.
template <class T>
void gemm_nt(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
             bool accumulate) noexcept {
  gemm_nt_ref(m, n, k, a, b, c, accumulate);
}

template <class T>
void gemm_nn_bias(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b,
                  const T* bias, T* c) noexcept {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] = bias[j];
  gemm_nn(m, n, k, a, b, c, true);
}

template <class T>
void gemm_nn_bias_relu(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b,
                       const T* bias, T* c) noexcept {
  gemm_nn_bias(m, n, k, a, b, bias, c);
  for (std::size_t i = 0; i < m * n; ++i) c[i] = c[i] > T(0) ? c[i] : T(0);
}

template <class T>
void col_sum(std::size_t m, std::size_t n, const T* a, T* out) noexcept {
  detail::zero(out, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) out[j] += a[i * n + j];
}

}  // namespace firmnet::kernels::portable
