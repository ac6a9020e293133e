// kernels/optim_update.hpp: the optimizers' per-parameter updates: for float in SIMD builds the
// kernels of the active GEMM variant (elementwise_dispatch.hpp, the CPU's width), split across
// the GEMM's thread pool when a parameter is large (split_range), else the references
// (optim_update_ref.hpp).
// Plain multiplies and adds, sqrt and divide only, all correctly rounded by IEEE 754, in the
// reference's order: the SIMD path gives the reference's bits exactly (tested), on any split.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/optim_update_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::kernels {

template <class T>
void sgd_momentum(T* w, const T* g, T* v, std::size_t n, T lr, T mu, bool nesterov) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_range(n, kSplitUnit, kMinSplitElements, [&](std::size_t a, std::size_t b) {
      elementwise_active().sgd_momentum(w + a, g + a, v + a, b - a, lr, mu, nesterov);
    });
#endif
  sgd_momentum_ref(w, g, v, n, lr, mu, nesterov);
}

template <class T>
void adam(T* w, const T* g, T* m, T* v, std::size_t n, T b1, T b2, T step, T sqrt_bc2, T eps, T decay) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_range(n, kSplitUnit, kMinSplitElements, [&](std::size_t a, std::size_t b) {
      elementwise_active().adam(w + a, g + a, m + a, v + a, b - a, b1, b2, step, sqrt_bc2, eps, decay);
    });
#endif
  adam_ref(w, g, m, v, n, b1, b2, step, sqrt_bc2, eps, decay);
}

}  // namespace firmnet::kernels
