// kernels/thread_pool.hpp: a fixed pool of worker threads, created once at set-up, that the
// GEMM uses to split large products (hosted SIMD builds; firmware has no threads).
// run() hands part t of a job to worker t (the caller runs part 0), runs itself any part whose
// worker has not started it by the time part 0 is done, and returns when all parts are done: no
// allocation, no thread creation per call, a function pointer and a context instead of
// std::function. Idle workers spin briefly, then sleep on a futex (atomic wait).
// Part t's scratch (kMaxGemmScratch floats, allocated here for t >= 1) belongs to the part, not
// to a thread: whichever thread runs part t uses it, so threads outside the pool carry no firmnet
// memory at all, and a part run by the caller instead of its worker computes the same bits.
// Splits follow rows or columns of C, each computed by exactly one thread in the same order as
// on one thread, or the two halves of a product's depth that one thread computes as halves too
// (gemm_f32_halves), so the thread count never changes a result's bits.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <type_traits>
#include <vector>

#include "firmnet/core/fp_mode.hpp"

namespace firmnet::kernels {

class ThreadPool {
 public:
  using Task = void (*)(void* context, std::size_t part, std::size_t parts);

  // threads >= 1; threads - 1 workers are started here, each with scratch_floats of scratch.
  explicit ThreadPool(std::size_t threads, std::size_t scratch_floats = default_scratch_floats());
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const noexcept { return workers_.size() + 1; }
  // Runs task(context, t, size()) for every part t < size(), each exactly once, part t on worker t
  // or (not started in time) on the caller, and returns when all are done. Parts must not wait
  // for each other: any of them may run after another on the same thread.
  void run(Task task, void* context) noexcept;
  // Jobs run so far (tests check that work was really split).
  std::size_t jobs() const noexcept { return jobs_; }
  // Part t's scratch (1 <= t < size()); part 0, run by the caller, uses the caller's own.
  std::span<float> scratch(std::size_t t) const noexcept;
  static std::size_t default_scratch_floats() noexcept;  // enough for any GEMM part

 private:
  void work(std::size_t index) noexcept;
  bool claim(std::size_t part, std::uint64_t generation) noexcept;

  struct alignas(64) Claim {  // the last job whose part t a thread took; a line each
    std::atomic<std::uint64_t> value{0};
  };

  std::vector<std::thread> workers_;
  std::size_t scratch_floats_ = 0;
  std::unique_ptr<float[]> scratch_;  // (workers, scratch_floats_), cache-line aligned rows
  std::unique_ptr<Claim[]> claimed_;  // per part
  Task task_ = nullptr;
  void* context_ = nullptr;
  FpMode mode_ = 0;  // the caller's floating-point mode (core/fp_mode.hpp), published with task_
  std::atomic<std::uint64_t> generation_{0};  // bumped once per job
  std::atomic<std::size_t> pending_{0};       // workers still running the current job
  std::atomic<bool> stop_{false};
  std::size_t jobs_ = 0;  // written by the calling thread only
};

// The pool large GEMMs split across, or null (one thread). Not owned; set it before training
// and clear it before destroying the pool. Null also inside a part of a job: parts do not nest.
void set_gemm_thread_pool(ThreadPool* pool) noexcept;
ThreadPool* gemm_thread_pool() noexcept;

// Element-wise passes split across the pool from this many floats (below it a wake-up costs more
// than the other core saves), at multiples of kSplitUnit floats (a cache line).
inline constexpr std::size_t kMinSplitElements = std::size_t(1) << 16, kSplitUnit = 16;

// Part `part` of `parts` of [0, total) in whole units (the last part ends at total): the bounds
// of split_range's parts and of the GEMM's (gemm_dispatch.cpp).
struct PartRange {
  std::size_t first, last;
};
constexpr PartRange part_range(std::size_t total, std::size_t unit, std::size_t part, std::size_t parts) noexcept {
  const std::size_t units = (total + unit - 1) / unit;
  const std::size_t first = units * part / parts * unit, last = units * (part + 1) / parts * unit;
  return {first < total ? first : total, last < total ? last : total};
}

// fn(part, parts) on every thread of `pool` at once, part 0 on the calling thread: ThreadPool::run
// for a callable, whose captures are the job (on the caller's stack until every part is done).
template <class Fn>
void run_parts(ThreadPool& pool, Fn&& fn) noexcept {
  using F = std::remove_reference_t<Fn>;
  pool.run([](void* context, std::size_t part, std::size_t parts) { (*static_cast<F*>(context))(part, parts); },
           const_cast<void*>(static_cast<const void*>(&fn)));
}

// The scratch of part `part` of a job: the caller's own for part 0, else the pool's for that part
inline std::span<float> part_scratch(const ThreadPool& pool, std::size_t part, std::span<float> caller) noexcept {
  return part == 0 ? caller : pool.scratch(part);
}

// fn(first, last) over consecutive ranges covering [0, n), one per thread of the GEMM pool, each
// boundary a multiple of `unit` (a whole number of cache lines: no two threads write one line);
// on the calling thread alone, fn(0, n), without a pool or below min_split elements. For
// element-wise work: every element is computed by exactly one call, so the split never changes
// a result's bits.
template <class Fn>
void split_range(std::size_t n, std::size_t unit, std::size_t min_split, Fn&& fn) noexcept {
  ThreadPool* pool = gemm_thread_pool();
  if (pool == nullptr || pool->size() < 2 || n < min_split) return fn(std::size_t(0), n);
  run_parts(*pool, [&](std::size_t part, std::size_t parts) {
    const PartRange r = part_range(n, unit, part, parts);
    if (r.first < r.last) fn(r.first, r.last);
  });
}

// fn(first, last) over ranges of `images` images of `floats` floats each, image by image across
// the GEMM pool when the batch holds kMinSplitElements floats or more (pooling, padding and the
// other passes over a CNN's activations: on one thread they were a seventh of a 2-thread step).
template <class Fn>
void split_images(std::size_t images, std::size_t floats, Fn&& fn) noexcept {
  if (images * floats < kMinSplitElements) return fn(std::size_t(0), images);
  split_range(images, 1, 0, fn);
}

}  // namespace firmnet::kernels
