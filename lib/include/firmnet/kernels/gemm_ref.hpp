// kernels/gemm_ref.hpp: the scalar reference GEMMs, the oracle of kernels/gemm.hpp.
// Row-major, contiguous (leading dimension = row length). Shapes use the BLAS names:
//   nn: C(M,N) = A(M,K)   · B(K,N)      (layer forward: X·W)
//   tn: C(M,N) = A(K,M)ᵀ  · B(K,N)      (weight gradient: Xᵀ·dY)
//   nt: C(M,N) = A(M,K)   · B(N,K)ᵀ     (input gradient: dY·Wᵀ)
// With accumulate the product is added to C, otherwise C is overwritten and never read.
// Slow on purpose and never optimised: plain loops, one dot product per output element.
#pragma once

#include <cstddef>

namespace firmnet::kernels {

template <class T>
void gemm_nn_ref(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
                 bool accumulate) noexcept {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      T sum = 0;
      for (std::size_t p = 0; p < k; ++p) sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
    }
}

template <class T>
void gemm_tn_ref(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
                 bool accumulate) noexcept {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      T sum = 0;
      for (std::size_t p = 0; p < k; ++p) sum += a[p * m + i] * b[p * n + j];
      c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
    }
}

template <class T>
void gemm_nt_ref(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b, T* c,
                 bool accumulate) noexcept {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      T sum = 0;
      for (std::size_t p = 0; p < k; ++p) sum += a[i * k + p] * b[j * k + p];
      c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
    }
}

// Forward epilogues: C = A·B + bias (bias broadcast over rows), optionally followed by ReLU.
template <class T>
void gemm_nn_bias_ref(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b,
                      const T* bias, T* c) noexcept {
  gemm_nn_ref(m, n, k, a, b, c, false);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c[i * n + j] += bias[j];
}

template <class T>
void gemm_nn_bias_relu_ref(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* b,
                           const T* bias, T* c) noexcept {
  gemm_nn_bias_ref(m, n, k, a, b, bias, c);
  for (std::size_t i = 0; i < m * n; ++i) c[i] = c[i] > T(0) ? c[i] : T(0);
}

// Bias gradient: out(N) = Σ_rows A(M,N), i.e. the column sums.
template <class T>
void col_sum_ref(std::size_t m, std::size_t n, const T* a, T* out) noexcept {
  for (std::size_t j = 0; j < n; ++j) {
    T sum = 0;
    for (std::size_t i = 0; i < m; ++i) sum += a[i * n + j];
    out[j] = sum;
  }
}

}  // namespace firmnet::kernels
