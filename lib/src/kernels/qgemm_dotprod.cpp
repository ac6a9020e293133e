// The aarch64 dot-product int8 product (compiled with +dotprod, run only where the CPU reports
// asimddp in its hardware capabilities).
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {
extern const Kernels kDotprod = {qgemm::dotprod, requant::loop, requant::finish_loop};
}  // namespace firmnet::kernels::qvariants
