// The AVX-512 VNNI int8 product (vpdpbusd; run only where the CPU has it).
#include "firmnet/kernels/qgemv_simd.hpp"
#include "qgemv_variants.hpp"

namespace firmnet::kernels::qvariants {
Fn avx512vnni() noexcept { return qgemv::avx512vnni; }
}  // namespace firmnet::kernels::qvariants
