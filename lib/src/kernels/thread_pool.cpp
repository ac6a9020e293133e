// The fixed worker pool of kernels/thread_pool.hpp.
#include "firmnet/kernels/thread_pool.hpp"

#include "firmnet/core/contract.hpp"
#include "firmnet/kernels/blocking.hpp"

namespace firmnet::kernels {

namespace {
// Spin this many rounds before sleeping: GEMMs of one training step follow each other within
// microseconds, and a futex wake-up costs several.
constexpr int kSpinRounds = 20000;

std::atomic<ThreadPool*> g_gemm_pool{nullptr};

// True on a thread while it runs a part of a job: a kernel called from inside a part (a network
// running half of a batch on each thread) must not start a job of its own, so gemm_thread_pool()
// answers null there and the kernel runs on its own thread, as with no pool.
thread_local bool t_in_job = false;

// Sets the flag for its scope and puts back what was there: a job started from inside a part (by
// code holding the pool itself) must not clear its caller's flag when it ends.
struct InJob {
  const bool was = t_in_job;
  InJob() noexcept { t_in_job = true; }
  ~InJob() { t_in_job = was; }
  InJob(const InJob&) = delete;
  InJob& operator=(const InJob&) = delete;
};

inline void pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}
}  // namespace

ThreadPool::ThreadPool(std::size_t threads, std::size_t scratch_floats)
    : scratch_floats_((scratch_floats + 15) / 16 * 16),  // whole cache lines: no false sharing
      scratch_(new float[scratch_floats_ * (threads > 1 ? threads - 1 : 0) + 16]()),
      claimed_(new Claim[threads > 1 ? threads : 1]) {
  for (std::size_t i = 1; i < (threads == 0 ? 1 : threads); ++i) workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

std::size_t ThreadPool::default_scratch_floats() noexcept { return kMaxGemmScratch; }

std::span<float> ThreadPool::scratch(std::size_t t) const noexcept {
  FIRMNET_EXPECTS(t >= 1 && t < size());
  // The array's start rounded up to a cache line, then one row per worker.
  const auto base = (reinterpret_cast<std::uintptr_t>(scratch_.get()) + 63) & ~std::uintptr_t(63);
  return {reinterpret_cast<float*>(base) + (t - 1) * scratch_floats_, scratch_floats_};
}

// Part t of job `generation` for the calling thread, if no thread has it yet. A part's claim only
// grows, and every part of a job is claimed before the job ends (run() claims what is left), so a
// worker that wakes after its job has ended, or was taken from it, claims nothing.
bool ThreadPool::claim(std::size_t t, std::uint64_t generation) noexcept {
  std::uint64_t seen = claimed_[t].value.load(std::memory_order_relaxed);
  while (seen < generation)
    if (claimed_[t].value.compare_exchange_weak(seen, generation, std::memory_order_acq_rel)) return true;
  return false;
}

void ThreadPool::run(Task task, void* context) noexcept {
  ++jobs_;
  const InJob in_job;
  if (workers_.empty()) return task(context, 0, 1);
  task_ = task;
  context_ = context;
  mode_ = fp_mode();  // the workers compute in the caller's floating-point mode
  pending_.store(workers_.size(), std::memory_order_relaxed);
  const std::uint64_t generation = generation_.fetch_add(1, std::memory_order_release) + 1;  // publishes the job
  generation_.notify_all();
  task(context, 0, size());
  // Parts no worker has started yet (its thread not running: descheduled by a busy host or another
  // process on its core, or still waking) are run here rather than waited for: a two-thread step
  // with a busy second core then costs about one thread's time, not the other process's time slice.
  // A part computes the same values whichever thread runs it, with its own scratch (part_scratch).
  for (std::size_t t = 1; t < size(); ++t)
    if (claim(t, generation)) {
      task(context, t, size());
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpinRounds) {
      pause();
    } else {
      const std::size_t left = pending_.load(std::memory_order_acquire);
      if (left != 0) pending_.wait(left, std::memory_order_acquire);
    }
  }
}

void ThreadPool::work(std::size_t index) noexcept {
  std::uint64_t seen = 0;
  FpMode mode = fp_mode();
  for (;;) {
    std::uint64_t now = generation_.load(std::memory_order_acquire);
    for (int spin = 0; now == seen; ++spin) {
      if (spin < kSpinRounds) pause();
      else generation_.wait(seen, std::memory_order_acquire);
      now = generation_.load(std::memory_order_acquire);
    }
    seen = now;
    if (stop_.load(std::memory_order_acquire)) return;
    if (!claim(index, now)) continue;  // the caller ran this part already (or the job has ended)
    if (mode_ != mode) set_fp_mode(mode = mode_);
    {
      const InJob in_job;
      task_(context_, index, size());
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void set_gemm_thread_pool(ThreadPool* pool) noexcept { g_gemm_pool.store(pool, std::memory_order_release); }
ThreadPool* gemm_thread_pool() noexcept { return t_in_job ? nullptr : g_gemm_pool.load(std::memory_order_acquire); }

}  // namespace firmnet::kernels
