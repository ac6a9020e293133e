// kernels/gemm_blocked.hpp: the GEMM of one ISA. Small M and narrow N go to gemm_direct.hpp,
// everything else through the cache-blocked driver (BLIS's five loops around the microkernel),
// C(m, n) = A(m, k)·B(k, n) [+ C] [+ bias] [ReLU] over strided A and B (gemm_problem.hpp).
//
//   for jc in n step NC:           B block KC x NC packed into pack_b   (L3)
//     for pc in k step KC:
//       for ic in m step MC:       A block MC x KC packed into pack_a   (L2)
//         for jr in nc step NR:    B panel KC x NR                       (L1)
//           for ir in mc step MR:  microkernel on the MR x NR tile of C (registers)
//
// The first K block overwrites C (or starts from the bias), later ones accumulate, the last one
// applies ReLU. Edge tiles run on a local MR x NR tile and copy only their valid part, so nothing
// outside C is read or written. The pack buffers are carved out of the caller's scratch, which
// holds at least gemm_scratch_floats(m, n, k, ...) floats (blocking.hpp; checked).
// AVX2 departs from this where its 16 registers and 8-float vectors are better served otherwise
// (is_avx256 below): A read in place, row-major or stored (K, M) (or, row-major, tall and deep,
// copied row by row), edge rows by kernels of their own height, K cut into equal blocks, B in
// place only for rows of 512 bytes or less. AVX-512 reads A stored (K, M) in place as AVX2 does,
// and a batch's row-major A where L1 has the ways for it (l1, below). Both AVX variants take
// A·Bᵀ with a short A as Cᵀ tiles (gemm_transposed_c.hpp). Where A is read changes the speed
// only: every element's sum is the same chain of FMAs on every path of a variant.
#pragma once

#include <cstddef>
#include <span>

#include "firmnet/core/contract.hpp"

#include "firmnet/kernels/blocking.hpp"
#include "firmnet/kernels/conv_direct.hpp"
#include "firmnet/kernels/conv_pack.hpp"
#include "firmnet/kernels/gemm_direct.hpp"
#include "firmnet/kernels/gemm_pack.hpp"
#include "firmnet/kernels/gemm_problem.hpp"
#include "firmnet/kernels/gemm_transposed_c.hpp"
#include "firmnet/kernels/gemm_ukr.hpp"

#if FIRMNET_HAVE_XSIMD
namespace firmnet::kernels {

// The first `rows` (< MR) rows of an MR-row panel (LDA = MR: packed; 0: A in place, row stride
// lda_rows; kAColumns: A stored (K, M), step stride lda_rows), written straight to C: a kernel of
// that many rows, so an edge of 4 rows (M = 64 with MR = 6) costs 4 rows, not 6 through a local
// tile, and reads no row past A.
template <class Arch, std::size_t MR, std::size_t NR, std::size_t LDA, bool kStep = false, std::size_t Rows = MR - 1>
void gemm_ukr_rows(std::size_t rows, std::size_t kc, const float* ap, const float* bp, std::size_t ldb, float* c,
                   std::size_t ldc, Init init, const float* bias, bool relu, std::size_t lda_rows,
                   const SgdStep* step = nullptr) noexcept {
  if constexpr (Rows > 0) {
    if (rows == Rows)
      return GemmUkr<Arch, Rows, NR, LDA>::template run<kStep>(kc, ap, bp, ldb, c, ldc, init, bias, relu, lda_rows, step);
    gemm_ukr_rows<Arch, MR, NR, LDA, kStep, Rows - 1>(rows, kc, ap, bp, ldb, c, ldc, init, bias, relu, lda_rows, step);
  }
}

// One tile of C that spans a whole B panel (NR columns), straight to C: A's layout by LDA (MR:
// packed; 0: in place, rows lda apart; kAColumns: stored (K, M)), the SGD step folded into the
// store when given (its own kernel instantiation, GemmUkr::run). A tile of fewer than MR rows
// runs a kernel of its own height on AVX2; on the other ISAs mr must be MR (the driver sends
// their edge rows through a local tile: their MR-row kernels would read and write past them).
template <class Arch, std::size_t MR, std::size_t NR, std::size_t LDA>
void gemm_tile_to_c(std::size_t mr, std::size_t kc, const float* ap, const float* bp, std::size_t ldb, float* c,
                    std::size_t ldc, Init init, const float* bias, bool relu, std::size_t lda,
                    const SgdStep* step) noexcept {
  using U = GemmUkr<Arch, MR, NR, LDA>;
  if constexpr (simd::is_avx256<Arch>) {
    if (mr < MR) {
      if (step) return gemm_ukr_rows<Arch, MR, NR, LDA, true>(mr, kc, ap, bp, ldb, c, ldc, init, bias, relu, lda, step);
      return gemm_ukr_rows<Arch, MR, NR, LDA>(mr, kc, ap, bp, ldb, c, ldc, init, bias, relu, lda);
    }
  }
  if (step) return U::template run<true>(kc, ap, bp, ldb, c, ldc, init, bias, relu, lda, step);
  U::run(kc, ap, bp, ldb, c, ldc, init, bias, relu, lda);
}

// Whether the driver below folds p.step (gemm_problem.hpp) into its tiles' store: a product from
// zero over one K block that takes the blocked path. Other paths store the gradient and step after.
template <class Arch>
bool gemm_folds_step(const GemmProblem& p) noexcept {
  if (p.accumulate || p.bias || p.relu || p.a_conv || p.k == 0 || kc_step<Arch>(p.k) != p.k) return false;
  if (p.m <= 4 && p.b.row_stride == 1) return false;  // gemm_small_m
  if (narrow_n_fits<Arch>(p)) return false;
  if constexpr (simd::is_avx<Arch>) return !transposed_c_fits<Arch>(p);
  return true;
}

// l1: the L1 the blocking plans for (blocking.hpp); it steers where A is read, never the bits.
template <class Arch>
void gemm_blocked(const GemmProblem& p, std::span<float> scratch, const L1Data& l1 = L1Data{}) noexcept {
  using BS = Blocking<Arch>;
  using Ukr = GemmUkr<Arch, BS::MR, BS::NR>;
  constexpr std::size_t MR = BS::MR, NR = BS::NR;
  // AVX2: edge rows through kernels of their own height (MR = 6 leaves 4 rows of M = 64), and A
  // read in place when it is row-major (below). AVX-512 packs its tiles' edges into full panels
  // where it packs A (its edge rows read in place run on a local tile).
  constexpr bool kAvx256 = simd::is_avx256<Arch>;

  if (p.m == 0 || p.n == 0) return;
  if (p.step && !gemm_folds_step<Arch>(p)) {  // the gradient to its own matrix, then the step
    GemmProblem g = p;
    g.step = nullptr;
    g.c = p.step->grad_at(p.c);
    gemm_blocked<Arch>(g, scratch, l1);
    for (std::size_t i = 0; i < p.m; ++i)
      for (std::size_t j = 0; j < p.n; ++j) p.c[i * p.ldc + j] = p.step->stepped(p.c[i * p.ldc + j], g.c[i * p.ldc + j]);
    return;
  }
  if (p.a_conv && p.a_conv->padded) {  // conv_direct.hpp
    if (p.a_conv->patch_major) return gemm_conv_dw<Arch>(p);
    return gemm_conv_rows<Arch, MR, NR>(p, scratch);
  }
  constexpr std::size_t W = xsimd::batch<float, Arch>::size;
  if (p.k > 0 && p.m <= 4 && p.b.row_stride == 1 && !p.a_conv) return gemm_small_m<Arch>(p);
  if (!p.a_conv && narrow_n_fits<Arch>(p)) {
    FIRMNET_EXPECTS(scratch.size() >= p.k * (p.n > W ? 12 : W));  // B panels up to 12 (AVX2 Cᵀ tiles) or W wide
    return gemm_narrow_n<Arch>(p, scratch.data());
  }
  if constexpr (simd::is_avx<Arch>) {  // dY·Wᵀ as (W·dYᵀ)ᵀ: gemm_transposed_c.hpp
    if (transposed_c_fits<Arch>(p)) return gemm_transposed_c<Arch>(p, scratch);
  }
  if (p.k == 0) {  // an empty sum: C stays, or becomes bias/zero (then ReLU)
    for (std::size_t i = 0; i < p.m; ++i)
      for (std::size_t j = 0; j < p.n; ++j) {
        float& c = p.c[i * p.ldc + j];
        float v = p.accumulate ? c : (p.bias ? p.bias[j] : 0.0f);
        c = p.relu && !(v > 0.0f) ? 0.0f : v;
      }
    return;
  }

  // B is read in place, unpacked, when its rows are contiguous and short (a 128-wide weight
  // matrix: 512-byte rows). Long rows (1024 floats = 4 KiB) would put every depth step on its own
  // page and in the same cache sets, so those are packed; so is a partial last panel. AVX2's
  // 16-float panel is one cache line per depth step: with 1 or 2 KiB rows (256^3, 512^3) its KC
  // lines fall into 4 or 2 sets of L1 and leave before the next tile reads them (packed: +10 %).
  // With 512-byte rows they fall into 8 sets, which the C tile's rows (also 512 bytes apart, in
  // the same sets) then evict: so AVX2 reads B in place only while A has one block of rows (M <=
  // MC, the forward X·W at batch 64, where packing a 3072 x 128 B would be a tenth of the
  // product). Taller products pack it once for all their blocks: Xᵀ·dY, 784 x 128 x 64, went
  // from 95-98 to 106-108 GFLOP/s on a Zen 4, 3072 x 128 x 64 from 94-97 to 105-107.
  const std::size_t b_in_place_bytes = kAvx256 ? 512 : 2048;
  const bool b_in_place = p.b.row_stride == 1 && p.b.k_stride * sizeof(float) <= b_in_place_bytes &&
                          (!kAvx256 || p.m <= BS::MC);
  // AVX2, A row-major (X·W, dY·Wᵀ): the kernel broadcasts A straight from its rows, each read
  // front to back. Packing it (8 x 8 transposes, 6 of every 8 floats kept) cost 7 % of the
  // 64 x 128 x 3072 product, and a 6-row panel of a row-major block is no better for the cache.
  // AVX-512, A row-major over one block of rows with B read in place (the forward X·W of a batch,
  // and its halves or column parts on two threads): A in place too where one L1 set holds a
  // tile's 8 rows (one set when they are a multiple of the way size apart: 12 KiB for a 3072-wide
  // X) beside the 2 lines of B and the line of C a depth step brings: 11 ways, a 12-way L1 (Zen 5,
  // Intel since Ice Lake). There the 8-row panels cost more than they saved: NN 64x128x3072
  // 226 -> 238 GFLOP/s, 64x128x784 233 -> 242,
  // 64x64x3072 (a thread's part on two) 212 -> 239, 100x256x2048 226 -> 237 (standalone loop,
  // Zen 5). With B packed (rows over 2 KiB) it was no faster (64x1024x3072 176 -> 170): packed.
  const bool a_in_place_wide = simd::is_avx512<Arch> && p.a.k_stride == 1 && !p.a_conv && p.m <= BS::MC &&
                               b_in_place && l1_set_holds(l1, MR + 3);
  const bool a_in_place = (kAvx256 && p.a.k_stride == 1 && !p.a_conv) || a_in_place_wide;  // a conv packs its rows
  // A stored (K, M) (the Xᵀ of a weight gradient Xᵀ·dY), on either AVX variant: read in place
  // too, a tile's 6 or 8 values of a depth step adjacent in one row of X, the next step a row
  // further. AVX2: the pack into 6-wide panels was 4.5-5 % of TN 784x128x64; in place, TN
  // 784x128x64 ran 129 -> 132-134 GFLOP/s and 784x128x200, 1000x128x64, 2000x128x300 2-6 %
  // faster (Zen 5). AVX-512 (8-wide panels): 784x128x64 239 -> 251 GFLOP/s, with the SGD step
  // folded in 223 -> 235, 1000x128x64 237 -> 249, 784x128x200 237 -> 252 (Zen 5, standalone
  // loop). The steps' lines fall into every set in turn, whatever L1's ways. Not where X's rows
  // are a multiple of 4 KiB apart (1024, 2048, 3072 columns): those ran at two thirds of the
  // speed (AVX2: 126 -> 86 GFLOP/s at 3072x128x64), every step's line in the same L1 set; they pack.
  const bool a_cols = (kAvx256 || simd::is_avx512<Arch>) && p.a.row_stride == 1 && p.a.k_stride != 1 &&
                      !p.a_conv && p.a.k_stride * sizeof(float) % 4096 != 0;
  const std::size_t kc_max = kc_step<Arch>(p.k);  // the K blocks' depth (AVX2: equal blocks; blocking.hpp)
  // AVX2, A row-major over more than one block of rows and of depth, and B wider than two of its
  // blocks (the 1024^3 square): each block's rows are copied into a contiguous block (copy_rows,
  // gemm_pack.hpp; no transpose), and B's blocks span up to kMaxNC columns. In place, the rows of
  // a block are a row stride apart (a page at 1024^3: 120 short streams on 120 pages), and all of
  // A came again from L3 for each 256-column block of B. Copied, A is read once per K block, and
  // the kernel broadcasts from a block laid out as a K block of a 256-deep A is (1024 x 1024 x 256
  // ran 1.03x OpenBLAS where 1024^3 ran 0.97x); B's panels come from L3, each serving the block's
  // 20 tiles from L1. A/B on a Zen 4, x OpenBLAS at 1024^3: 0.978 -> 1.005, 0.983 -> 0.992,
  // 0.989 -> 0.995, 0.986 -> 1.003 (firmnet_bench). Where B has only two blocks (512^3) the copy
  // costs what it saves (1.001 -> 0.994), so it stays in place. What made the rows in place slow
  // there is L1's ways: rows a page apart fall into one set, so a tile's 6 rows, the 4 lines
  // per set of its 16 KiB B panel and a line of C need 11 ways, and the 8-way L1 of a Zen 4
  // (or Zen 2/3, Skylake) evicted B's lines for A's. A 12-way L1 (Zen 5's 48 KiB, Intel's since Ice Lake) holds them
  // all, and there A in place ran faster than copied (Zen 5, AVX2: 1024^3, 1200^3, 1536^3 and
  // 2048^3 2-4 % faster in a standalone loop; firmnet_bench A/B at 1024^3 17.6 -> 17.37 ms, with
  // OpenBLAS at 17.47): it is copied only where L1 cannot hold a tile's rows beside B's panel.
  const bool copy_a = a_in_place && p.m > BS::MC && p.a.row_stride > kc_max && p.n > 2 * BS::NC &&
                      !l1_holds_rows_beside_panel(l1, MR, BS::KC * NR * sizeof(float));
  const std::size_t nc_step = copy_a ? kMaxNC : BS::NC;
  const std::size_t mc_max = (p.m < BS::MC ? p.m : BS::MC) + MR - 1;  // rows of A packed, rounded up to MR
  const std::size_t nc_max = (p.n < nc_step ? p.n : nc_step) + NR - 1;
  const std::size_t a_floats =  // whole cache lines, so B starts on one
      (a_in_place && !copy_a) || a_cols ? 0 : ((mc_max - mc_max % MR) * kc_max + 15) / 16 * 16;
  float* const pack_a = pack_buffers<Arch>(scratch, a_floats + (nc_max - nc_max % NR) * kc_max);
  float* const pack_b = pack_a + a_floats;
  for (std::size_t jc = 0; jc < p.n; jc += nc_step) {
    const std::size_t nc = p.n - jc < nc_step ? p.n - jc : nc_step;
    const std::size_t nc_full = b_in_place ? nc - nc % NR : 0;  // columns read in place
    for (std::size_t pc = 0; pc < p.k; pc += kc_max) {
      const std::size_t kc = p.k - pc < kc_max ? p.k - pc : kc_max;
      const bool last = pc + kc == p.k;
      const Init init = (pc > 0 || p.accumulate) ? Init::from_c : (p.bias ? Init::from_bias : Init::zero);
      const SgdStep* const step = last ? p.step : nullptr;  // p.step: one K block (gemm_folds_step)
      if (nc_full < nc)
        pack_panels<Arch, NR>({element<Arch>(p.b, jc + nc_full, pc), p.b.row_stride, p.b.k_stride}, nc - nc_full, kc,
                              pack_b + nc_full * kc);
      for (std::size_t ic = 0; ic < p.m; ic += BS::MC) {
        const std::size_t mc = p.m - ic < BS::MC ? p.m - ic : BS::MC;
        if (p.a_conv) pack_conv_panels<Arch, MR>(*p.a_conv, p.a_row0 + ic, pc, mc, kc, pack_a);
        else if (copy_a) copy_rows<Arch>(element<Arch>(p.a, ic, pc), p.a.row_stride, mc, kc, pack_a);
        else if (!a_in_place && !a_cols)
          pack_panels<Arch, MR>({element<Arch>(p.a, ic, pc), p.a.row_stride, p.a.k_stride}, mc, kc, pack_a);
        // Where A is copied, the next block's lines (the next rows, or the first rows of the next K
        // block) are prefetched toward L2 a few per tile while this block runs: its copy then reads
        // them from L2, not from L3 at a row per page. The copy was 2.4 % of 1024^3 in a profile,
        // 0.65 % after; 1024^3 107.6 -> 109.1 GFLOP/s (AVX2, Zen 4, standalone loop, 40 runs each).
        const bool next_rows = ic + BS::MC < p.m;
        const std::size_t next_ic = next_rows ? ic + BS::MC : 0, next_pc = next_rows ? pc : pc + kc;
        const float* const next_a = copy_a && next_pc < p.k ? element<Arch>(p.a, next_ic, next_pc) : nullptr;
        const std::size_t next_mc = p.m - next_ic < BS::MC ? p.m - next_ic : BS::MC;
        const std::size_t next_kc = p.k - next_pc < kc_max ? p.k - next_pc : kc_max;
        const std::size_t panels = (nc + NR - 1) / NR, tiles = (mc + MR - 1) / MR;
        // The rows of the next tile, `left` rows from the block's end. AVX2 with A in place (or
        // copied, rows kc apart): the last 7-9 rows run as two tiles of 4/3, 4/4 or 5/4 rather
        // than 6 and 1-3. A tile of 1-3 rows holds 2-6 accumulators, too few to cover the FMA
        // latency (a 2-row tile runs at about half the rate per row), while 4 and 5 rows hold 8
        // and 10. Batches of 32 or 128 rows (5 or 21 tiles and 2 rows) gain most; the block count
        // stays the same, and every element's sum is the same operations in the same order.
        auto tile_rows = [&](std::size_t left) {
          if (kAvx256 && (a_in_place || a_cols) && left > MR && left < MR + 4) return (left + 1) / 2;
          return left < MR ? left : MR;
        };
        for (std::size_t jr = 0; jr < nc; jr += NR) {
          const std::size_t nr = nc - jr < NR ? nc - jr : NR;
          const bool direct = jr < nc_full;
          const float* bp = direct ? element<Arch>(p.b, jc + jr, pc) : pack_b + jr * kc;
          const std::size_t ldb = direct ? p.b.k_stride : NR;
          const float* bias = p.bias ? p.bias + jc + jr : nullptr;
          for (std::size_t ir = 0, t = 0, mr = 0; ir < mc; ir += mr, ++t) {
            mr = tile_rows(mc - ir);
            if (next_a)
              prefetch_lines_part<Arch>(next_a, p.a.row_stride, next_mc, next_kc, jr / NR * tiles + t, panels * tiles);
            // A in place (or copied): rows lda apart; stored (K, M) in place: steps lda apart;
            // packed: MR x kc panels.
            const bool ap_in_place = (a_in_place && !copy_a) || a_cols;
            const float* ap = ap_in_place ? element<Arch>(p.a, ic + ir, pc) : pack_a + ir * kc;
            float* c = p.c + (ic + ir) * p.ldc + jc + jr;
            const std::size_t lda = copy_a ? kc : a_cols ? p.a.k_stride : p.a.row_stride;
            // Whole panels straight to C: every tile on AVX2 (edge rows by kernels of their own
            // height), full tiles on AVX-512; a partial panel of columns through a local tile below.
            // (With a step, relu is off: gemm_folds_step.)
            if (nr == NR && (kAvx256 || mr == MR)) {
              const bool relu = p.relu && last;
              if (a_cols)
                gemm_tile_to_c<Arch, MR, NR, kAColumns>(mr, kc, ap, bp, ldb, c, p.ldc, init, bias, relu, lda, step);
              else if (a_in_place)
                gemm_tile_to_c<Arch, MR, NR, 0>(mr, kc, ap, bp, ldb, c, p.ldc, init, bias, relu, lda, step);
              else
                gemm_tile_to_c<Arch, MR, NR, MR>(mr, kc, ap, bp, ldb, c, p.ldc, init, bias, relu, 0, step);
              continue;
            }
            alignas(64) float tile[MR * NR] = {};
            alignas(64) float tile_bias[NR] = {};
            for (std::size_t r = 0; r < mr && init == Init::from_c; ++r)
              for (std::size_t j = 0; j < nr; ++j) tile[r * NR + j] = c[r * p.ldc + j];
            for (std::size_t j = 0; j < nr && init == Init::from_bias; ++j) tile_bias[j] = bias[j];
            if (a_cols) {
              const bool relu = p.relu && last;
              if (mr == MR) GemmUkr<Arch, MR, NR, kAColumns>::run(kc, ap, bp, ldb, tile, NR, init, tile_bias, relu, lda);
              else gemm_ukr_rows<Arch, MR, NR, kAColumns>(mr, kc, ap, bp, ldb, tile, NR, init, tile_bias, relu, lda);
            } else if (a_in_place) {  // rows past A are not read: the tile's own number of rows
              const bool relu = p.relu && last;
              if (mr == MR) GemmUkr<Arch, MR, NR, 0>::run(kc, ap, bp, ldb, tile, NR, init, tile_bias, relu, lda);
              else gemm_ukr_rows<Arch, MR, NR, 0>(mr, kc, ap, bp, ldb, tile, NR, init, tile_bias, relu, lda);
            } else {
              Ukr::run(kc, ap, bp, ldb, tile, NR, init, tile_bias, p.relu && last);
            }
            for (std::size_t r = 0; r < mr; ++r)
              for (std::size_t j = 0; j < nr; ++j)
                c[r * p.ldc + j] = step ? step->stepped(c[r * p.ldc + j], tile[r * NR + j]) : tile[r * NR + j];
          }
        }
      }
    }
  }
}

}  // namespace firmnet::kernels
#endif  // FIRMNET_HAVE_XSIMD
