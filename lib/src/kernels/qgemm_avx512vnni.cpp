// The AVX-512 VNNI int8 product (vpdpbusd; run only where the CPU has it).
#include "firmnet/kernels/qgemm_simd.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "qgemm_variants.hpp"

namespace firmnet::kernels::qvariants {
extern const Kernels kAvx512Vnni = {qgemm::avx512vnni, requant::avx2, requant::finish_avx512};
}  // namespace firmnet::kernels::qvariants
