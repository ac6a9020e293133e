// The element-wise kernels at AVX2 width (compiled with -mavx2 -mfma, run only where the CPU has them).
#include "elementwise_variants.hpp"

namespace firmnet::kernels::variants {
extern const ElementwiseVariant kElementwiseAvx2 = elementwise_for<xsimd::fma3<xsimd::avx2>>("fma3+avx2");
}  // namespace firmnet::kernels::variants
