// kernels/gemm_ukr.hpp: the GEMM microkernel, C(MR, NR) op= Ap · Bp over kc steps, written once
// over the xsimd Arch (gemm_ukr<Arch, 8, 32> is the AVX-512 one, <Arch, 6, 16> the AVX2 one).
//   ap: packed A, kc x LDA, k-major (ap[k*LDA + r] = A(r, k)): MR values broadcast per step;
//       LDA > MR runs the first MR rows of a wider panel (the AVX2 edge kernels, gemm_blocked.hpp);
//       LDA = 0: A read in place, row-major (ap[r*lda_rows + k] = A(r, k));
//       LDA = kAColumns: A read in place, stored (K, M) (ap[k*lda_rows + r] = A(r, k))
//   bp: B, kc rows of NR floats, row stride ldb (packed: ldb = NR)
//   c:  MR x NR, row stride ldc; read only when init == Init::from_c, or with the SGD step (the
//       weights the tile's gradient steps)
//   CT: the tile is Cᵀ (gemm_transposed_c.hpp; AVX2 6 x 16, AVX-512 8 x 32, the latter never
//       from C): tile element (r, j) goes to c[j*ldc + r], and bias[r] serves a whole row
// The accumulators (MR x NR/W batches) live in registers for the whole kc loop. The epilogue
// adds nothing (bias is the initial value) and applies ReLU on the last K block if asked, or,
// given a step (gemm_problem.hpp SgdStep; one K block from zero, C holding the weights), stores
// w + neg_lr·(g [+ reg·w]) in place of the gradient g (sgd).
// Full tiles only: the driver runs edge tiles on a local MR x NR buffer.
#pragma once

#include <cstddef>

#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/simd.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

inline constexpr std::size_t kAColumns = ~std::size_t(0);

template <class Arch, std::size_t MR, std::size_t NR, std::size_t LDA = MR, bool CT = false>
struct GemmUkr {
  using B = xsimd::batch<float, Arch>;
  static constexpr std::size_t W = B::size;
  static constexpr std::size_t NV = NR / W;
  static_assert(NR % W == 0, "NR must be a whole number of vectors");

  // AVX2: a tile that accumulates onto C starts from zero and adds C after the k loop, its rows
  // prefetched first. Loaded up front, C (rows a matrix row apart, often out of L1 and L2 by the
  // next K block) stalled the kernel before its first FMA: a tenth of the time at 1024^3.
  static constexpr bool kAddCLast = simd::is_avx256<Arch>;
  static_assert(!CT || (LDA == 0 && ((kAddCLast && MR == 6 && W == 8) || (simd::is_avx512<Arch> && MR == 8 && W == 16))),
                "Cᵀ tiles: the AVX2 6-row or the AVX-512 8-row kernel, A in place");

  // kStep: with the SGD epilogue (sgd set); its own instantiation, so that the kernels without it
  // keep their code (with a run-time test in the one kernel, GCC's register allocation of the k
  // loop changed and every product ran at half speed).
  template <bool kStep = false>
  static void run(std::size_t kc, const float* ap, const float* bp, std::size_t ldb, float* c, std::size_t ldc,
                  Init init, const float* bias, bool relu, std::size_t lda_rows = 0,
                  const SgdStep* sgd = nullptr) noexcept {
    static_assert(!(CT && kStep), "the step is folded into row-major tiles only (gemm_folds_step)");
    const bool c_last = kAddCLast && init == Init::from_c;
    // The rows of C the epilogue reads, requested now so they arrive during the k loop.
    if (c_last || (!CT && kStep)) {
#pragma GCC unroll 16
      for (std::size_t r = 0; r < (CT ? NR : MR); ++r) {  // the rows of C the tile covers
        __builtin_prefetch(c + r * ldc);
        __builtin_prefetch(c + r * ldc + (CT ? MR : NR) - 1);
      }
    }
    B acc[MR][NV];
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) {
        if (c_last) acc[r][v] = B(0.0f);
        else if (init == Init::from_c) acc[r][v] = B::load_unaligned(c + r * ldc + v * W);
        else if (init == Init::from_bias) acc[r][v] = CT ? B(bias[r]) : B::load_unaligned(bias + v * W);
        else acc[r][v] = B(0.0f);
      }
    auto step = [&](std::size_t k) __attribute__((always_inline)) {  // NV loads, MR broadcasts, MR x NV FMAs
      B b[NV];
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) b[v] = B::load_unaligned(bp + k * ldb + v * W);
#pragma GCC unroll 16
      for (std::size_t r = 0; r < MR; ++r) {
        const B a(LDA == kAColumns ? ap[k * lda_rows + r] : LDA ? ap[k * LDA + r] : ap[r * lda_rows + k]);
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::madd<Arch>(a, b[v], acc[r][v]);
      }
    };
    std::size_t k = 0;
    if constexpr (simd::is_avx256<Arch>) {
      // AVX2: two depth steps per iteration. Same FMAs in the same order; GCC allocates the 16 ymm
      // registers better across the pair and the loop carries half the pointer updates.
      for (; k + 2 <= kc; k += 2) {
        step(k);
        step(k + 1);
      }
    }
    for (; k < kc; ++k) step(k);
    if constexpr (CT) {  // each MR x W block transposed on its way out (AVX2: C added and ReLU there)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) {
        B rows[MR];
#pragma GCC unroll 8
        for (std::size_t r = 0; r < MR; ++r) rows[r] = relu && !kAddCLast ? simd::relu<Arch>(acc[r][v]) : acc[r][v];
        if constexpr (kAddCLast) simd::store_transposed_6x8<Arch>(rows, c + v * W * ldc, ldc, c_last, relu);
        else simd::store_transposed_8x16<Arch>(rows, c + v * W * ldc, ldc);
      }
      return;
    }
    if (c_last) {
#pragma GCC unroll 16
      for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] += B::load_unaligned(c + r * ldc + v * W);
    }
    if (relu) {
#pragma GCC unroll 16
      for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v] = simd::relu<Arch>(acc[r][v]);
    }
    if constexpr (kStep) {
      // The gradient goes through a local tile: with the step's operands live beside the
      // accumulators, GCC kept one of them on the stack through the whole k loop (half speed).
      alignas(64) float g[MR * NR];
#pragma GCC unroll 16
      for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_aligned(g + r * NR + v * W);
      // Each product and sum rounded on its own, as SgdStep::stepped and the SGD passes.
      const B neg_lr(sgd->neg_lr), reg(sgd->reg);
      for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < NV; ++v) {
          const B w = B::load_unaligned(c + r * ldc + v * W), d = B::load_aligned(g + r * NR + v * W);
          (neg_lr * (sgd->l2 ? reg * w + d : d) + w).store_unaligned(c + r * ldc + v * W);
        }
      return;
    }
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_unaligned(c + r * ldc + v * W);
  }
};

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
