// core/arch.hpp: which kernel implementation this build runs, for logs and test output
// ("firmnet kernels: avx512bw"). The only place an ISA is named outside the kernels.
#pragma once

namespace firmnet {

// The compiler-vectorised portable loops of kernels/gemm.hpp.
inline const char* kernel_arch_name() noexcept { return "portable"; }

}  // namespace firmnet
