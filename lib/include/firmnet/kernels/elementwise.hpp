// kernels/elementwise.hpp: the element-wise passes of a training step over the weights, with the
// contract of elementwise_ref.hpp: the L2 gradient and penalty in one pass, and y += alpha·x for
// the SGD update. float runs the SIMD kernels of the active GEMM variant (elementwise_dispatch.hpp:
// the CPU's width, the SSE2 path's bits), whose L2 sum keeps 16 partial sums rather than one serial
// chain of dependent additions: its rounding differs from the sequential reference (a different
// order), never from run to run or CPU to CPU. double and SIMD-less builds run the reference loops.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/elementwise_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#endif

namespace firmnet::kernels {

template <class T>
T l2_grad_sumsq(const T* w, T reg, T* dw, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) return elementwise_active().l2_grad_sumsq(w, reg, dw, n);
#endif
  return l2_grad_sumsq_ref(w, reg, dw, n);
}

template <class T>
void axpy(T alpha, const T* x, T* y, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) return elementwise_active().axpy(alpha, x, y, n);
#endif
  axpy_ref(alpha, x, y, n);
}

}  // namespace firmnet::kernels
