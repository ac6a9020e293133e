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

// Plain SGD's step folded into the store of a weight gradient (kernels/gemm.hpp gemm_tn_sgd):
// C holds the weights w, the product is their gradient g, and each element of C becomes
//   w + neg_lr·(g + reg·w)   (l2)     or     w + neg_lr·g   (!l2)
// in place of g: the bits of storing g and then running l2_sgd_sumsq (axpy without L2) over it,
// every product and sum rounded on its own. Where a product's path cannot fold it (more than one
// K block, the small-M, narrow-N and Cᵀ paths, an empty depth), g goes to `grad` at C's offset
// from `weights` and the step follows in a pass over the block (gemm_blocked.hpp). (armv7 only:
// its NEON flushes subnormal floats to zero where its scalar VFP does not, and which elements the
// vector code steps differs from the separate passes', so a subnormal weight or gradient may
// round differently there; x86 and aarch64 run both in one mode, core/fp_mode.hpp.)
struct SgdStep {
  float neg_lr;    // -learning rate
  float reg;       // the L2 factor, when l2
  bool l2;
  float* weights;  // the whole weight matrix (C of the unsplit product)
  float* grad;     // a matrix of its shape and row stride, for the gradient where it is not folded

  float* grad_at(const float* c) const noexcept { return grad + (c - weights); }
  float stepped(float w, float g) const noexcept { return w + neg_lr * (l2 ? g + reg * w : g); }
};

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
  // C is a weight matrix stepped by its gradient, the product (not accumulating, no bias or ReLU).
  const SgdStep* step = nullptr;
};

// How a tile's accumulators start.
enum class Init { zero, from_c, from_bias };

}  // namespace firmnet::kernels
