// Chooses among the compiled GEMM variants and splits large products across the thread pool;
// see kernels/gemm_dispatch.hpp. Compiled for the build's baseline ISA.
#include "firmnet/kernels/gemm_dispatch.hpp"

#include <algorithm>

#include "cpu_features.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#include "gemm_variants.hpp"
#include "variant_choice.hpp"

namespace firmnet::kernels {

namespace {

struct Table {
  GemmVariant variants[3];
  std::size_t count = 0;
  const GemmVariant* active = nullptr;
};

Table make_table() {
  Table t{};
#if FIRMNET_X86_DISPATCH
  const X86Features cpu = x86_features();
  t.variants[t.count++] = {"avx512bw", variants::gemm_avx512, cpu.avx512, variants::wino_weights_avx512,
                           variants::wino_tiles_avx512, variants::wino_dw_avx512};
  t.variants[t.count++] = {"fma3+avx2", variants::gemm_avx2, cpu.avx2_fma, variants::wino_weights_avx2,
                           variants::wino_tiles_avx2, variants::wino_dw_avx2};
#endif
  t.variants[t.count++] = {variants::baseline_name(), variants::gemm_baseline, true, variants::wino_weights_baseline,
                           variants::wino_tiles_baseline, variants::wino_dw_baseline};
  t.active = choose_variant(t.variants, t.count, "FIRMNET_KERNELS");
  return t;
}

const Table& table() {
  static const Table t = make_table();
  return t;
}

}  // namespace

const L1Data& gemm_l1() noexcept {
#if FIRMNET_X86_DISPATCH
  static const L1Data l1 = x86_l1_data();
#else
  static const L1Data l1{};
#endif
  return l1;
}

std::span<const GemmVariant> gemm_variants() noexcept { return {table().variants, table().count}; }
const GemmVariant& gemm_active() noexcept { return *table().active; }

// Splitting across threads: only products big enough to pay (4 MFLOP, about 40 µs on one core:
// a wake-up and the other core's share of the cache lines cost a few µs) that take the blocked
// path as a whole and in every part, so each part runs the same code in the same order as a
// single thread would: results do not depend on the thread count. The Fashion-MNIST layer's
// 12.8 MFLOP products split 1.5-1.7x; with the weight update, the L2 pass and the SGD step split
// too (elementwise.hpp, optim_update.hpp) the 15-epoch demo runs faster on 2 threads than on 1
// (a 16 MFLOP threshold and serial passes made it slower: the update then pulled back every
// line of W the other core had written).
// Parts are whole multiples of 48 rows or 32 columns (multiples of every MR and NR). Part 0 runs
// on the caller's scratch (it needs no more than the whole product), part t on worker t's;
// part_range (thread_pool.hpp) sets every part's bounds.
namespace {
constexpr double kMinSplitFlops = 4e6;
constexpr std::size_t kRowUnit = 48, kColUnit = 32, kMinRows = 16, kMinCols = 32;

// A convolution's weight gradient read from padded images (gemm_conv_dw) tiles each window row's
// segment of KW·C rows of dw on its own, and a tile of under 8 accumulators sums alternate pixels
// in two sets: a value's bits depend on the height of its tile, set by the length of the run of
// rows it is tiled in. Parts of whole segments are tiled as on one thread. Segments that are a
// multiple of 16 rows keep the 48-row unit (whole ones would split unevenly: 5 of 160 rows): any
// piece a cut leaves is 16 rows or more, and every tile of it, like every tile of the whole
// segment, holds 8 accumulators or more. A first layer's dw (5x5 on 1 channel: 25 rows, 80 MFLOP
// for a batch of 64) was never split before: the 48-row unit did not fit twice.
std::size_t conv_dw_unit(const GemmProblem& p) noexcept {
  const std::size_t segment = p.a_conv->g.kw * p.a_conv->g.c;
  return segment % 16 == 0 && segment >= kRowUnit ? kRowUnit : segment;
}

// The largest of `parts` parts of [0, total) in whole units (the one the others wait for).
std::size_t largest_part(std::size_t total, std::size_t unit, std::size_t parts) noexcept {
  std::size_t largest = 0;
  for (std::size_t part = 0; part < parts; ++part) {
    const auto [first, last] = part_range(total, unit, part, parts);
    largest = last - first > largest ? last - first : largest;
  }
  return largest;
}

// Part `part` of `parts` of p, cut along its rows (else its columns) at multiples of unit.
void run_part(const GemmVariant& variant, const GemmProblem& p, const L1Data& l1, bool rows, std::size_t unit,
              std::size_t part, std::size_t parts, std::span<float> scratch) noexcept {
  const auto [first, last] = part_range(rows ? p.m : p.n, unit, part, parts);
  if (first >= last) return;
  GemmProblem sub = p;
  if (rows) {
    sub.m = last - first;
    if (sub.a_conv) sub.a_row0 += first;  // the rows of the virtual im2col matrix
    else sub.a.data += first * sub.a.row_stride;
    sub.c += first * sub.ldc;
  } else {
    sub.n = last - first;
    sub.b.data += first * sub.b.row_stride;
    sub.c += first;
    if (sub.bias) sub.bias += first;
  }
  variant.run(sub, scratch, l1);
}

// p on every thread of the pool, a part each.
void run_split(const GemmVariant& variant, const GemmProblem& p, const L1Data& l1, bool rows, std::size_t unit,
               ThreadPool& pool, std::span<float> scratch) noexcept {
  run_parts(pool, [&](std::size_t part, std::size_t parts) {
    run_part(variant, p, l1, rows, unit, part, parts, part_scratch(pool, part, scratch));
  });
}
}  // namespace

void gemm_f32_with(const GemmVariant& variant, const GemmProblem& p, std::span<float> scratch, const L1Data& l1) noexcept {
  ThreadPool* pool = gemm_thread_pool();
  if (pool && pool->size() > 1 && 2.0 * double(p.m) * double(p.n) * double(p.k) >= kMinSplitFlops) {
    const std::size_t parts = pool->size();
    if (p.a_conv && p.a_conv->patch_major && p.a_conv->padded) {  // a convolution's dw, by rows
      const std::size_t unit = conv_dw_unit(p);
      if (p.m >= 2 * unit) return run_split(variant, p, l1, true, unit, *pool, scratch);
      return variant.run(p, scratch, l1);
    }
    // Along the longer side, unless the other splits more evenly and is wide enough to split: in
    // units of 48 rows, 256 rows come out as 144 + 112 (the product waits for the 144), in units
    // of 32 columns 256 columns as 128 + 128. Within two points of share the longer side keeps it
    // (784 rows: 400 + 384).
    const double row_share = double(largest_part(p.m, kRowUnit, parts)) / double(p.m);
    const double col_share = double(largest_part(p.n, kColUnit, parts)) / double(p.n);
    const bool rows = p.m >= p.n ? !(col_share + 0.02 < row_share && p.n / parts >= kMinCols)
                                 : row_share + 0.02 < col_share && p.m / parts >= kMinRows;
    const std::size_t per_part = (rows ? p.m : p.n) / parts;
    // Same path in every part: the blocked one (m > 4, n > 16 and a wide enough share).
    if (p.m > 4 && p.n > 16 && per_part >= (rows ? kMinRows : kMinCols))
      return run_split(variant, p, l1, rows, rows ? kRowUnit : kColUnit, *pool, scratch);
  }
  variant.run(p, scratch, l1);
}

void gemm_f32(const GemmProblem& p, std::span<float> scratch) noexcept { gemm_f32_with(*table().active, p, scratch); }

static_assert(gemm_halves_pay(256, 256) && !gemm_halves_pay(255, 256) && kMinSplitElements == 256 * 256,
              "a product runs in halves from the size from which the update passes split (gemm.hpp)");

void gemm_f32_halves_with(const GemmVariant& variant, const GemmProblem& p, float* partial,
                          std::span<float> scratch, const L1Data& l1) noexcept {
  FIRMNET_EXPECTS(!p.accumulate && p.a_conv == nullptr);
  const std::size_t k0 = gemm_k_half(p.k);
  GemmProblem half[2] = {p, p};
  GemmProblem& lo = half[0];
  GemmProblem& hi = half[1];
  lo.k = k0;
  lo.relu = false;
  hi.k = p.k - k0;
  hi.a.data += k0 * p.a.k_stride;
  hi.b.data += k0 * p.b.k_stride;
  hi.c = partial;
  hi.ldc = p.n;
  hi.bias = nullptr;
  hi.relu = false;
  ThreadPool* pool = gemm_thread_pool();
  if (pool && pool->size() > 1 && 2.0 * double(p.m) * double(p.n) * double(p.k) >= kMinSplitFlops) {
    // Threads 0 and 1 take a half each; any further threads have nothing to do (splitting a half
    // again could change its path, direct or blocked, and with it the bits).
    run_parts(*pool, [&](std::size_t part, std::size_t) {
      if (part < 2) variant.run(half[part], part_scratch(*pool, part, scratch), l1);
    });
  } else {
    variant.run(lo, scratch, l1);
    variant.run(hi, scratch, l1);
  }
  // The sum (m x n, a few K floats: not worth a second wake-up), then the activation.
  for (std::size_t i = 0; i < p.m; ++i) {
    float* c = p.c + i * p.ldc;
    const float* add = partial + i * p.n;
    if (p.relu) {
      for (std::size_t j = 0; j < p.n; ++j) c[j] = std::max(c[j] + add[j], 0.0f);
    } else {
      for (std::size_t j = 0; j < p.n; ++j) c[j] += add[j];
    }
  }
}

void gemm_f32_halves(const GemmProblem& p, float* partial, std::span<float> scratch) noexcept {
  gemm_f32_halves_with(*table().active, p, partial, scratch);
}

static_assert(kWinoChunkFloats <= kMaxGemmScratch,
              "a worker's scratch holds any Winograd chunk (winograd_fits bounds it by kWinoChunkFloats)");

void conv_winograd_weights_with(const GemmVariant& variant, const ConvGeometry& g, std::size_t k, const float* w,
                                float* u) noexcept {
  variant.wino_weights(g, k, w, u);
}

void conv_winograd_with(const GemmVariant& variant, const WinogradConv& p, std::span<float> scratch) noexcept {
  const std::size_t tiles = winograd_tiles(p.g, p.images), unit = winograd_chunk(p.g, p.k);
  const double flops = 2.0 * double(kWinoPoints) * double(tiles) * double(p.g.c) * double(p.k);
  ThreadPool* pool = gemm_thread_pool();
  if (pool && pool->size() > 1 && flops >= kMinSplitFlops && tiles >= 2 * unit) {
    return run_parts(*pool, [&](std::size_t part, std::size_t parts) {
      const auto [first, last] = part_range(tiles, unit, part, parts);
      if (first < last) variant.wino_tiles(p, first, last, part_scratch(*pool, part, scratch));
    });
  }
  variant.wino_tiles(p, 0, tiles, scratch);
}

void conv_winograd_dw_with(const GemmVariant& variant, const WinogradDw& p, float* sums,
                           std::span<float> scratch) noexcept {
  const double flops =
      2.0 * double(kWinoPoints) * double(winograd_tiles(p.g, p.images)) * double(p.g.c) * double(p.k);
  ThreadPool* pool = gemm_thread_pool();
  if (pool && pool->size() > 1 && flops >= kMinSplitFlops && p.g.c >= 2 * kWinoDwChannels) {
    return run_parts(*pool, [&](std::size_t part, std::size_t parts) {
      const auto [c0, c1] = part_range(p.g.c, kWinoDwChannels, part, parts);
      if (c0 < c1) variant.wino_dw(p, c0, c1, sums, part_scratch(*pool, part, scratch));
    });
  }
  variant.wino_dw(p, 0, p.g.c, sums, scratch);
}
void conv_winograd_dw(const WinogradDw& p, float* sums, std::span<float> scratch) noexcept {
  conv_winograd_dw_with(*table().active, p, sums, scratch);
}

void conv_winograd_weights(const ConvGeometry& g, std::size_t k, const float* w, float* u) noexcept {
  conv_winograd_weights_with(*table().active, g, k, w, u);
}
void conv_winograd(const WinogradConv& p, std::span<float> scratch) noexcept { conv_winograd_with(*table().active, p, scratch); }

}  // namespace firmnet::kernels
