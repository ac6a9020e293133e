// kernels/gemm_problem.hpp: one GEMM call as the SIMD kernels see it: C(m, n) = A(m, k)·B(k, n)
// [+ C] [+ bias] [ReLU] over strided A and B, so one description covers X·W, Xᵀ·dY, dY·Wᵀ and any
// sub-block a thread takes. Plain structs and templates only: per-ISA translation units must
// share no non-template inline code, or the linker may hand the SSE2 path an AVX-512 copy.
#pragma once

#include <cstddef>

namespace firmnet::kernels {

struct ConvSource;  // kernels/conv_pack.hpp

// Element (i, p) of a matrix block is at data[i·row_stride + p·k_stride].
struct Strided {
  const float* data;
  std::size_t row_stride;
  std::size_t k_stride;
};

template <class Arch>
const float* element(const Strided& s, std::size_t i, std::size_t p) noexcept {
  return s.data + i * s.row_stride + p * s.k_stride;
}

struct GemmProblem {
  std::size_t m, n, k;
  Strided a;  // element (i, p) of A, i < m, p < k
  Strided b;  // element (p, j) of B, addressed as (j, p): "row" j, depth p
  float* c;   // (m, n), row stride ldc
  std::size_t ldc;
  bool accumulate;     // C += A·B instead of C = A·B
  const float* bias;   // (n) added when not accumulating, or null
  bool relu;           // ReLU on the result
  // A as the im2col matrix of images, packed straight from them (kernels/conv_pack.hpp), from
  // its row a_row0 on; `a` is then unused. Such a product always takes the blocked path.
  const ConvSource* a_conv = nullptr;
  std::size_t a_row0 = 0;
};

// How a tile's accumulators start.
enum class Init { zero, from_c, from_bias };

}  // namespace firmnet::kernels
