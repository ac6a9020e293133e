// kernels/optim_update.hpp: the optimizers' per-parameter updates with xsimd (the build's ISA),
// a scalar tail, the references (optim_update_ref.hpp) where there is no SIMD or for double.
// Plain multiplies and adds, sqrt and divide only, all correctly rounded by IEEE 754, in the
// reference's order: the SIMD path gives the reference's bits exactly (tested).
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/optim_update_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/simd.hpp"
#endif

namespace firmnet::kernels {

template <class T>
void sgd_momentum(T* w, const T* g, T* v, std::size_t n, T lr, T mu, bool nesterov) noexcept {
  std::size_t i = 0;
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    const B vlr(lr), vmu(mu);
    for (const std::size_t end = n - n % B::size; i < end; i += B::size) {
      const B gi = B::load_unaligned(g + i);
      const B vi = vmu * B::load_unaligned(v + i) - vlr * gi;
      vi.store_unaligned(v + i);
      (B::load_unaligned(w + i) + (nesterov ? vmu * vi - vlr * gi : vi)).store_unaligned(w + i);
    }
  }
#endif
  sgd_momentum_ref(w + i, g + i, v + i, n - i, lr, mu, nesterov);
}

template <class T>
void adam(T* w, const T* g, T* m, T* v, std::size_t n, T b1, T b2, T step, T sqrt_bc2, T eps, T decay) noexcept {
  std::size_t i = 0;
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    using B = xsimd::batch<float, SimdArch>;
    const B vb1(b1), vb2(b2), c1(1.0f - b1), c2(1.0f - b2), vstep(step), vbc2(sqrt_bc2), veps(eps), vdecay(decay);
    for (const std::size_t end = n - n % B::size; i < end; i += B::size) {
      const B gi = B::load_unaligned(g + i);
      const B mi = vb1 * B::load_unaligned(m + i) + c1 * gi;
      const B vi = vb2 * B::load_unaligned(v + i) + c2 * gi * gi;
      mi.store_unaligned(m + i);
      vi.store_unaligned(v + i);
      (B::load_unaligned(w + i) * vdecay - vstep * mi / (xsimd::sqrt(vi) / vbc2 + veps)).store_unaligned(w + i);
    }
  }
#endif
  adam_ref(w + i, g + i, m + i, v + i, n - i, b1, b2, step, sqrt_bc2, eps, decay);
}

}  // namespace firmnet::kernels
