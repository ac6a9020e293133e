// The per-ISA element-wise kernels, each table defined in its own translation unit compiled with
// that ISA's flags; constant data, so nothing of an ISA runs before the CPU is known to have it.
#pragma once

#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/elementwise_simd.hpp"
#include "firmnet/kernels/pool.hpp"

namespace firmnet::kernels::variants {

// The kernels for one Arch (supported is filled in by the dispatcher).
template <class A>
constexpr ElementwiseVariant elementwise_for(const char* name) noexcept {
  return {name,
          ew::l2_grad_sumsq<A>,
          ew::l2_sgd_sumsq<A>,
          ew::sumsq<A>,
          ew::sumsq_chunks<A>,
          ew::axpy<A>,
          ew::relu_fwd<A>,
          ew::relu_bwd<A>,
          ew::sgd_momentum<A>,
          ew::adam<A>,
          kernels::detail::maxpool_fwd_images<float, A>,
          kernels::detail::maxpool_bwd_images<float, A>,
          false};
}

extern const ElementwiseVariant kElementwiseBaseline;
#if FIRMNET_X86_DISPATCH
extern const ElementwiseVariant kElementwiseAvx2;
extern const ElementwiseVariant kElementwiseAvx512;
#endif

}  // namespace firmnet::kernels::variants
