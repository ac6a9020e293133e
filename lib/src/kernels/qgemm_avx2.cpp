// The AVX2 int8 product (compiled with -mavx2, run only where the CPU has it).
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {
extern const Kernels kAvx2 = {qgemm::avx2, requant::avx2, requant::finish_avx2};
}  // namespace firmnet::kernels::qvariants
