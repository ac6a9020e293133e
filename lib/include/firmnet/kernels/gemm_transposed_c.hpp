// kernels/gemm_transposed_c.hpp: the product C = A·Bᵀ with B stored (n, k), k contiguous, and A
// short (dY·Wᵀ, a dense layer's input gradient: 64 x 3072 x 128 for the CIFAR layer), computed
// as Cᵀ = B·Aᵀ on AVX2 and AVX-512. The blocked path (gemm_blocked.hpp) transposes all of B into
// panels, n·k floats, to run its kernel over A's m rows: on a Zen 4, 9 % (AVX2) and 12 % (AVX-512)
// of the profile of 64 x 3072 x 128, and more the shorter A is. Here B's rows are the broadcast
// operand, read in place as the AVX2 blocked path reads a row-major A; A, m·k floats, is packed
// transposed into the panels; and each tile of Cᵀ (6 x 16 on AVX2, 8 x 32 on AVX-512) is
// transposed in registers on its way to C (simd::store_transposed_6x8 / _8x16): 6 % of the AVX2
// profile, as the 16 rows a tile writes are 12 KiB apart, in one set of L1.
// A/B on a Zen 4 (GFLOP/s; firmnet_bench, 32 runs each, then a loop over the library):
//   AVX2     64 x 3072 x 128 102.3 -> 103.9; 32 x 3072 x 128 91 -> 104; 16 x 3072 x 128 81 -> 101;
//            64 x 3072 x 512 96 -> 100; 64 x 3072 x 128 into a C with rows not 4 KiB apart 102 -> 108
//   AVX-512  64 x 3072 x 128 101.9 -> 107.2; 32 x 3072 x 128 95 -> 106; 64 x 256 x 128 105 -> 111
//
//   for pc in k step kc:             Aᵀ block kc x m packed into NR-wide panels (L1/L2)
//     for n0 in n step MR:           MR rows of B, in place (L1)
//       for m0 in m step NR:         GemmUkr<..., CT>: Cᵀ(n0.., m0..) -> C(m0.., n0..)
//
// Every element of C is the same chain of FMAs as on the blocked path of its ISA (one per depth
// step, in order, cut at the same K blocks, C added where that path adds it, then ReLU), so the
// bits do not depend on the path and therefore not on how the threads split a product either.
#pragma once

#include <cstddef>
#include <span>

#include "firmnet/core/contract.hpp"

#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/gemm_pack.hpp"
#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/gemm_ukr.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

// Floats of scratch the path takes (before alignment): Aᵀ's panels, then B's last n % MR rows
// zero-padded to MR (the kernel reads MR rows).
template <class Arch>
std::size_t transposed_c_floats(std::size_t m, std::size_t k) noexcept {
  using BS = Blocking<Arch>;
  const std::size_t kc = kc_step<Arch>(k);
  return ((m + BS::NR - 1) / BS::NR * BS::NR + BS::MR) * kc;
}

// Whether p takes this path: AVX, A row-major, B stored (n, k), m a whole number of panels (16
// wide on AVX2, 32 on AVX-512) from one panel to MC (a padded panel, or panels of 8 rows on AVX2,
// cost more than B's panels save: 8 x 3072 x 128 ran 0.82x the blocked path), and A at most half
// as tall as a K block is deep (then the transposed store, per element of C, is cheaper than B's
// panels per element of B; 48 x 1024 x 64 ran 0.96x). AVX-512's kernel starts a tile from C when
// it accumulates, which a transposed tile cannot: there only one K block, overwriting C. Its
// scratch stays within the blocked path's bound (blocking.hpp), checked here rather than assumed.
template <class Arch>
bool transposed_c_fits(const GemmProblem& p) noexcept {
  if constexpr (!simd::is_avx<Arch>) {
    return false;
  } else {
    using BS = Blocking<Arch>;
    const std::size_t kc = kc_step<Arch>(p.k);
    const bool from_c_ok = simd::is_avx256<Arch> || (!p.accumulate && p.k <= BS::KC);
    return !p.a_conv && p.k > 0 && from_c_ok && p.a.k_stride == 1 && p.b.k_stride == 1 && p.b.row_stride != 1 &&
           p.m >= BS::NR && p.m % BS::NR == 0 && p.m <= BS::MC && 2 * p.m <= kc &&
           transposed_c_floats<Arch>(p.m, p.k) + kPackAlignSlack <= gemm_scratch_floats(p.m, p.n, p.k, false);
  }
}

template <class Arch>
void gemm_transposed_c(const GemmProblem& p, std::span<float> scratch) noexcept {
  using BS = Blocking<Arch>;
  constexpr std::size_t MR = BS::MR, NR = BS::NR;
  using Ukr = GemmUkr<Arch, MR, NR, 0, true>;
  const std::size_t kc_max = kc_step<Arch>(p.k);
  FIRMNET_EXPECTS(Ukr::kAddCLast || (!p.accumulate && kc_max == p.k));  // see transposed_c_fits
  float* const panels = pack_buffers<Arch>(scratch, transposed_c_floats<Arch>(p.m, p.k));
  float* const last_rows = panels + p.m * kc_max;
  for (std::size_t pc = 0; pc < p.k; pc += kc_max) {
    const std::size_t kc = p.k - pc < kc_max ? p.k - pc : kc_max;
    const bool relu = p.relu && pc + kc == p.k;
    const Init init = (pc > 0 || p.accumulate) ? Init::from_c : (p.bias ? Init::from_bias : Init::zero);
    // Aᵀ(k, i) = A(i, k): the "B" of Cᵀ = B·Aᵀ, packed as the blocked path packs a B stored (n, k).
    pack_panels<Arch, NR>({element<Arch>(p.a, 0, pc), p.a.row_stride, p.a.k_stride}, p.m, kc, panels);
    for (std::size_t n0 = 0; n0 < p.n; n0 += MR) {
      const std::size_t rows = p.n - n0 < MR ? p.n - n0 : MR;
      const float* b_rows = element<Arch>(p.b, n0, pc);
      float* const c = p.c + n0;
      if (rows == MR) {
        for (std::size_t m0 = 0; m0 < p.m; m0 += NR)
          Ukr::run(kc, b_rows, panels + m0 * kc, NR, c + m0 * p.ldc, p.ldc, init, p.bias ? p.bias + n0 : nullptr,
                   relu, p.b.row_stride);
        continue;
      }
      // The last n % MR rows of B: copied, zero-padded to MR; each tile goes through a local block
      // laid out as C (NR rows of MR), of which the valid columns are read and written.
      for (std::size_t r = 0; r < MR; ++r)
        for (std::size_t k = 0; k < kc; ++k) last_rows[r * kc + k] = r < rows ? b_rows[r * p.b.row_stride + k] : 0.0f;
      float bias[MR] = {};
      for (std::size_t r = 0; r < rows && p.bias; ++r) bias[r] = p.bias[n0 + r];
      for (std::size_t m0 = 0; m0 < p.m; m0 += NR) {
        alignas(64) float tile[NR * MR] = {};
        for (std::size_t i = 0; i < NR && init == Init::from_c; ++i)
          for (std::size_t r = 0; r < rows; ++r) tile[i * MR + r] = c[(m0 + i) * p.ldc + r];
        Ukr::run(kc, last_rows, panels + m0 * kc, NR, tile, MR, init, bias, relu, kc);
        for (std::size_t i = 0; i < NR; ++i)
          for (std::size_t r = 0; r < rows; ++r) c[(m0 + i) * p.ldc + r] = tile[i * MR + r];
      }
    }
  }
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
