// The aarch64 dot-product int8 product (compiled with +dotprod, run only where the CPU reports
// asimddp in its hardware capabilities).
#include "firmnet/kernels/qgemv_simd.hpp"
#include "qgemv_variants.hpp"

namespace firmnet::kernels::qvariants {
Fn dotprod() noexcept { return qgemv::dotprod; }
}  // namespace firmnet::kernels::qvariants
