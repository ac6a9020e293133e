// The per-ISA int8 entry points, each defined in its own translation unit: the product and the
// requantization, both compiled with that ISA's flags.
#pragma once

#include "firmnet/kernels/qgemm.hpp"

namespace firmnet::kernels::qvariants {

struct Kernels {
  decltype(QgemmVariant::run) qgemm;
  decltype(QgemmVariant::requantize) requantize;
};
Kernels baseline() noexcept;  // SSE2 on x86-64, NEON on ARM, the reference elsewhere
const char* baseline_name() noexcept;
#if FIRMNET_X86_DISPATCH
Kernels avx2() noexcept;
Kernels avx512vnni() noexcept;
#endif
#if FIRMNET_ARM64_DISPATCH
Kernels dotprod() noexcept;
#endif

}  // namespace firmnet::kernels::qvariants
