// kernels/elementwise_dispatch.hpp: the element-wise kernels of the GEMM variant the process runs
// (kernels/gemm_dispatch.hpp): an AVX2 or AVX-512 CPU runs them at its width, with the bits of the
// SSE2 path (elementwise_simd.hpp). SIMD builds only; kernels/elementwise.hpp, relu.hpp and
// optim_update.hpp call through here for float.
#pragma once

#include <cstddef>
#include <span>

#include "firmnet/kernels/conv_ref.hpp"

namespace firmnet::kernels {

struct ElementwiseVariant {
  const char* name;  // the GEMM variant's: "avx512bw", "fma3+avx2", or the baseline's
  float (*l2_grad_sumsq)(const float* w, float reg, float* dw, std::size_t n) noexcept;
  float (*l2_sgd_sumsq)(float* w, float reg, float* dw, std::size_t n, float lr) noexcept;
  float (*sumsq)(const float* w, std::size_t n) noexcept;
  // out[q] = sumsq(w + q·len, len) for q < count, several chunks at once (elementwise_simd.hpp).
  void (*sumsq_chunks)(const float* w, std::size_t len, std::size_t count, float* out) noexcept;
  void (*axpy)(float alpha, const float* x, float* y, std::size_t n) noexcept;
  void (*relu_fwd)(const float* x, float* y, std::size_t n) noexcept;
  void (*relu_bwd)(const float* y, const float* dy, float* dx, std::size_t n) noexcept;
  void (*sgd_momentum)(float* w, const float* g, float* v, std::size_t n, float lr, float mu, bool nesterov) noexcept;
  void (*adam)(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float step,
               float sqrt_bc2, float eps, float decay) noexcept;
  // Max pooling of images [n0, n1) (kernels/pool.hpp).
  void (*maxpool_fwd)(const ConvGeometry& g, std::size_t n0, std::size_t n1, const float* x, float* y) noexcept;
  void (*maxpool_bwd)(const ConvGeometry& g, std::size_t n0, std::size_t n1, const float* x, const float* y,
                      const float* dy, float* dx) noexcept;
  bool supported;
};

std::span<const ElementwiseVariant> elementwise_variants() noexcept;
// The variant named like the active GEMM variant.
const ElementwiseVariant& elementwise_active() noexcept;

}  // namespace firmnet::kernels
