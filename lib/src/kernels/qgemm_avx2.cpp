// The AVX2 int8 product (compiled with -mavx2, run only where the CPU has it).
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {
Kernels avx2() noexcept { return {qgemm::avx2, requant::loop}; }
}  // namespace firmnet::kernels::qvariants
