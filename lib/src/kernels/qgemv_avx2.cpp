// The AVX2 int8 product (compiled with -mavx2, run only where the CPU has it).
#include "firmnet/kernels/qgemv_simd.hpp"
#include "qgemv_variants.hpp"

namespace firmnet::kernels::qvariants {
Fn avx2() noexcept { return qgemv::avx2; }
}  // namespace firmnet::kernels::qvariants
