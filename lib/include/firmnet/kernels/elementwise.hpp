// kernels/elementwise.hpp: the element-wise passes of a training step over the weights, with the
// contract of elementwise_ref.hpp: the L2 gradient and penalty in one pass, and y += alpha·x for
// the SGD update. float uses xsimd (the build's ISA) with four independent accumulators, so the
// sum is not one serial chain of dependent additions (4 cycles per element). The sum's rounding
// differs from the sequential reference (it is a different order), but not from run to run.
// double and SIMD-less builds run the reference loops.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/elementwise_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

template <class T>
T l2_grad_sumsq(const T* w, T reg, T* dw, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    constexpr std::size_t W = B::size, U = 4;
    B sum[U] = {B(0.0f), B(0.0f), B(0.0f), B(0.0f)};
    const B r(reg);
    std::size_t i = 0;
    for (const std::size_t end = n - n % (U * W); i < end; i += U * W)
#pragma GCC unroll 4
      for (std::size_t u = 0; u < U; ++u) {
        const B x = B::load_unaligned(w + i + u * W);
        sum[u] = simd::madd<SimdArch>(x, x, sum[u]);
        simd::madd<SimdArch>(r, x, B::load_unaligned(dw + i + u * W)).store_unaligned(dw + i + u * W);
      }
    float total = xsimd::hadd((sum[0] + sum[1]) + (sum[2] + sum[3]));
    return total + l2_grad_sumsq_ref(w + i, reg, dw + i, n - i);
  }
#endif
  return l2_grad_sumsq_ref(w, reg, dw, n);
}

template <class T>
void axpy(T alpha, const T* x, T* y, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    const B a(alpha);
    std::size_t i = 0;
    for (const std::size_t end = n - n % B::size; i < end; i += B::size)
      simd::madd<SimdArch>(a, B::load_unaligned(x + i), B::load_unaligned(y + i)).store_unaligned(y + i);
    return axpy_ref(alpha, x + i, y + i, n - i);
  }
#endif
  axpy_ref(alpha, x, y, n);
}

}  // namespace firmnet::kernels
