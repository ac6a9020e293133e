// The AVX-512 VNNI int8 product (vpdpbusd; run only where the CPU has it).
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {
Kernels avx512vnni() noexcept { return {qgemm::avx512vnni, requant::loop}; }
}  // namespace firmnet::kernels::qvariants
