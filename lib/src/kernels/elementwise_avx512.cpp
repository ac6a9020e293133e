// The element-wise kernels at AVX-512 width (run only where the CPU has AVX-512BW).
#include "elementwise_variants.hpp"

namespace firmnet::kernels::variants {
extern const ElementwiseVariant kElementwiseAvx512 = elementwise_for<xsimd::avx512bw>("avx512bw");
}  // namespace firmnet::kernels::variants
