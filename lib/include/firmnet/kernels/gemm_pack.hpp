// kernels/gemm_pack.hpp: copies blocks of A and B into the panel layouts the microkernel reads,
// zero-padding the last panel so edge tiles compute on zeros instead of reading past the matrix.
//   A panels: MR rows each, k-major: ap[(p·kc + k)·MR + r] = A(p·MR + r, k)
//   B panels: NR columns each, k-major: bp[(q·kc + k)·NR + c] = B(k, q·NR + c)
// Sources are addressed as "element (i, k) at base + i·row_stride + k·k_stride", so one routine
// reads A of X·W (row-major, k contiguous: a transpose per panel) and A of Xᵀ·dY (stored (K, M):
// MR contiguous floats per k, a copy); the same for B. The contiguous case copies whole vectors
// and the transposing case uses 8 x 8 register transposes where AVX has them.
#pragma once

#include <cstddef>
#include <cstring>

#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

template <class Arch, std::size_t P>
void pack_panels(Strided src, std::size_t rows, std::size_t kc, float* dst) noexcept {
  for (std::size_t p0 = 0; p0 < rows; p0 += P) {
    const std::size_t valid = rows - p0 < P ? rows - p0 : P;
    float* panel = dst + p0 * kc;  // (p0 / P) panels of P·kc floats before this one
    if (src.row_stride == 1 && valid == P) {
      // The P values of one k are contiguous: copy P floats per k.
      for (std::size_t k = 0; k < kc; ++k) std::memcpy(panel + k * P, element<Arch>(src, p0, k), P * sizeof(float));
      continue;
    }
    std::size_t k = 0;
    if constexpr (simd::is_avx<Arch> && P % 8 == 0) {
      if (src.k_stride == 1 && valid == P) {
        // Row-major source: 8 x 8 transposes, 8 rows by 8 k at a time.
        for (std::size_t r = 0; r < P; r += 8) {
          const float* row[8];
          for (std::size_t i = 0; i < 8; ++i) row[i] = element<Arch>(src, p0 + r + i, 0);
          for (std::size_t kk = 0; kk + 8 <= kc; kk += 8) simd::transpose_8x8<Arch>(row, kk, panel + kk * P + r, P);
        }
        k = kc - kc % 8;
      }
    }
    for (; k < kc; ++k) {
      float* out = panel + k * P;
      for (std::size_t r = 0; r < valid; ++r) out[r] = *element<Arch>(src, p0 + r, k);
      for (std::size_t r = valid; r < P; ++r) out[r] = 0.0f;
    }
  }
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
