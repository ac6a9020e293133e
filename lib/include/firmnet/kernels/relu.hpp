// kernels/relu.hpp: y = max(x, 0) and dx = dy·[y > 0]: for float in SIMD builds the kernels of the
// active GEMM variant (elementwise_dispatch.hpp, the CPU's width), else the scalar loop. Must equal
// relu_ref.hpp bit for bit, NaN -> 0 included. In place (y == x, dx == dy) is allowed. A CNN's
// activations (kMinSplitElements floats or more) are shared across the GEMM pool in cache-line ranges.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::kernels {

template <class T>
void relu_fwd(const T* x, T* y, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_range(n, kSplitUnit, kMinSplitElements, [&, &ew = elementwise_active()](std::size_t a, std::size_t b) {
      ew.relu_fwd(x + a, y + a, b - a);
    });
#endif
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
void relu_bwd(const T* y, const T* dy, T* dx, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_range(n, kSplitUnit, kMinSplitElements, [&, &ew = elementwise_active()](std::size_t a, std::size_t b) {
      ew.relu_bwd(y + a, dy + a, dx + a, b - a);
    });
#endif
  for (std::size_t i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
}

}  // namespace firmnet::kernels
