// What the x86 CPU (and its OS) can run, as the dispatchers see it: the instruction sets the
// compiled variants need, lowered by FIRMNET_MAX_ISA when that names a level (avx2: no AVX-512;
// sse2: neither AVX-512 nor AVX2), so the slower paths can be run and tested on a faster CPU as if
// it lacked the rest. An unknown level is reported on stderr and ignored, never fatal.
#pragma once

#include "firmnet/kernels/blocking.hpp"

namespace firmnet::kernels {

struct X86Features {
  bool avx2_fma = false;    // AVX2 and FMA (the fma3+avx2 GEMM, the avx2 int8 product)
  bool avx512 = false;      // AVX-512 F, CD, DQ, BW and VL (the avx512bw GEMM)
  bool avx512_vnni = false; // the above plus VNNI (the avx512vnni int8 product)
};

#if FIRMNET_X86_DISPATCH
X86Features x86_features() noexcept;
// The level-1 data cache the GEMM plans for: the FIRMNET_L1D override (KiB/ways, e.g. 32/8: to
// measure the other plan on one machine; a malformed value is reported on stderr and ignored),
// else what CPUID says as Linux reads it (leaf 4 on Intel; 0x8000001D, else 0x80000005, on AMD
// and Hygon) on the core this first runs on (a hybrid CPU's core types differ: only the speed
// depends on it), else L1Data{}.
L1Data x86_l1_data() noexcept;
#endif

}  // namespace firmnet::kernels
