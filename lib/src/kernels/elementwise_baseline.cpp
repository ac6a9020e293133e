// The element-wise kernels for the build's baseline ISA (the GEMM baseline's name).
#include "elementwise_variants.hpp"
#include "gemm_variants.hpp"

namespace firmnet::kernels::variants {
extern const ElementwiseVariant kElementwiseBaseline = elementwise_for<SimdArch>(nullptr);  // named at dispatch
}  // namespace firmnet::kernels::variants
