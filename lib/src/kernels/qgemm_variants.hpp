// The per-ISA int8 entry points, each defined in its own translation unit: the product and the
// requantization, both compiled with that ISA's flags.
#pragma once

#include "firmnet/kernels/qgemm.hpp"

namespace firmnet::kernels::qvariants {

struct Kernels {
  decltype(QgemmVariant::run) qgemm;
  decltype(QgemmVariant::requantize) requantize;
  decltype(QgemmVariant::finish) finish;
};
// Constant-initialised data, not functions: nothing compiled with an ISA's flags runs before the
// CPU is known to have it (a function returning this struct through memory would store it with
// that ISA's vector instructions).
extern const Kernels kBaseline;  // SSE2 on x86-64, NEON on ARM, the reference elsewhere
extern const char* const kBaselineName;
#if FIRMNET_X86_DISPATCH
extern const Kernels kAvx2;
extern const Kernels kAvx512Vnni;
#endif
#if FIRMNET_ARM64_DISPATCH
extern const Kernels kDotprod;
#endif

}  // namespace firmnet::kernels::qvariants
