// kernels/relu.hpp: y = max(x, 0) and dx = dy·[y > 0] with xsimd (the build's ISA), a scalar tail,
// and the scalar loop where there is no SIMD. Must equal relu_ref.hpp bit for bit, NaN -> 0
// included, so both sides use select(x > 0, x, 0). In place (y == x, dx == dy) is allowed.
// Memory-bound: the compile-time ISA is as fast as any, so ReLU is not runtime-dispatched.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

template <class T>
void relu_fwd(const T* x, T* y, std::size_t n) noexcept {
  std::size_t i = 0;
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    for (const std::size_t end = n - n % B::size; i < end; i += B::size)
      simd::relu<SimdArch>(B::load_unaligned(x + i)).store_unaligned(y + i);
  }
#endif
  for (; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
void relu_bwd(const T* y, const T* dy, T* dx, std::size_t n) noexcept {
  std::size_t i = 0;
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    const B zero(0.0f);
    for (const std::size_t end = n - n % B::size; i < end; i += B::size)
      xsimd::select(B::load_unaligned(y + i) > zero, B::load_unaligned(dy + i), zero).store_unaligned(dx + i);
  }
#endif
  for (; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
}

}  // namespace firmnet::kernels
