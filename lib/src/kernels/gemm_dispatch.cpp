// Chooses among the compiled GEMM variants and splits large products across the thread pool;
// see kernels/gemm_dispatch.hpp. Compiled for the build's baseline ISA.
#include "firmnet/kernels/gemm_dispatch.hpp"

#include <algorithm>

#include "cpu_features.hpp"
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
  t.variants[t.count++] = {"avx512bw", variants::gemm_avx512, cpu.avx512};
  t.variants[t.count++] = {"fma3+avx2", variants::gemm_avx2, cpu.avx2_fma};
#endif
  t.variants[t.count++] = {variants::baseline_name(), variants::gemm_baseline, true};
  t.active = choose_variant(t.variants, t.count, "FIRMNET_KERNELS");
  return t;
}

const Table& table() {
  static const Table t = make_table();
  return t;
}

}  // namespace

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
constexpr double kMinSplitFlops = 4e6;
constexpr std::size_t kRowUnit = 48, kColUnit = 32, kMinRows = 16, kMinCols = 32;

struct SplitJob {
  const GemmVariant* variant;
  GemmProblem whole;
  bool rows;  // split m (else n)
  std::span<float> caller_scratch;
  ThreadPool* pool;
};

void run_part(void* context, std::size_t part, std::size_t parts) noexcept {
  const SplitJob& job = *static_cast<const SplitJob*>(context);
  const auto [first, last] = part_range(job.rows ? job.whole.m : job.whole.n, job.rows ? kRowUnit : kColUnit, part, parts);
  if (first >= last) return;
  GemmProblem sub = job.whole;
  if (job.rows) {
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
  job.variant->run(sub, part == 0 ? job.caller_scratch : job.pool->scratch(part));
}

void gemm_f32_with(const GemmVariant& variant, const GemmProblem& p, std::span<float> scratch) noexcept {
  ThreadPool* pool = gemm_thread_pool();
  if (pool && pool->size() > 1 && 2.0 * double(p.m) * double(p.n) * double(p.k) >= kMinSplitFlops) {
    const std::size_t parts = pool->size();
    const bool rows = p.m >= p.n;
    const std::size_t per_part = (rows ? p.m : p.n) / parts;
    // Same path in every part: the blocked one (m > 4, n > 16 and a wide enough share).
    if (p.m > 4 && p.n > 16 && per_part >= (rows ? kMinRows : kMinCols)) {
      SplitJob job{&variant, p, rows, scratch, pool};
      pool->run(run_part, &job);
      return;
    }
  }
  variant.run(p, scratch);
}

void gemm_f32(const GemmProblem& p, std::span<float> scratch) noexcept { gemm_f32_with(*table().active, p, scratch); }

}  // namespace firmnet::kernels
