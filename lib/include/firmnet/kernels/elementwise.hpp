// kernels/elementwise.hpp: the element-wise passes of a training step over the weights, with the
// contract of elementwise_ref.hpp: the L2 gradient and penalty in one pass, y += alpha·x for the
// SGD update, both in one pass (plain SGD with L2), and the penalty alone (sumsq). float runs the
// SIMD kernels of the active GEMM variant (elementwise_dispatch.hpp: the CPU's width, the SSE2
// path's bits), whose L2 sum keeps 16 partial sums rather than one serial chain of dependent
// additions: its rounding differs from the sequential reference (a different order), never from
// run to run or CPU to CPU. double and SIMD-less builds run the reference loops.
// Large parameters (64 K floats or more) are split across the GEMM's thread pool (split_range):
// y += alpha·x element by element, the L2 pass in fixed chunks whose partial sums are added in
// chunk order afterwards, so the sum depends on the chunking (set by n alone), never on the
// thread count. One serial pass over a 3072 x 128 matrix was a third of a 2-thread CIFAR step.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/elementwise_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::kernels {

// Element-wise work on n >= kMinSplitElements floats may be split, at multiples of kSplitUnit (a
// cache line; both in thread_pool.hpp). The L2 sum goes in chunks of kSumChunk floats (more for a
// parameter of over kMaxSumChunks such chunks, so the partial sums fit on the stack), small enough
// to share out evenly (a 784 x 128 matrix is 7 chunks); a parameter of one chunk is summed in one
// pass, as before the split.
inline constexpr std::size_t kSumChunk = std::size_t(1) << 14, kMaxSumChunks = 256;

#if FIRMNET_HAVE_XSIMD
namespace detail {
// The chunking above, set by n alone: chunks of `chunk` floats, the last one possibly shorter.
struct SumChunks {
  std::size_t chunk, count;
};
inline SumChunks sum_chunks(std::size_t n) noexcept {
  if (n <= kSumChunk) return {n, 1};
  std::size_t chunk = (n + kMaxSumChunks - 1) / kMaxSumChunks;
  chunk = chunk < kSumChunk ? kSumChunk : (chunk + kSplitUnit - 1) / kSplitUnit * kSplitUnit;
  return {chunk, (n + chunk - 1) / chunk};
}

// Σ over a parameter of n floats of its chunks' partial sums, added in chunk order (the sum never
// depends on the thread count); pass(first, last, chunk, partial) fills partial[first..last).
template <class RangePass>
float sum_chunk_ranges(std::size_t n, RangePass pass) noexcept {
  const SumChunks split = sum_chunks(n);  // (clang 14 captures no structured bindings)
  const std::size_t chunk = split.chunk, chunks = split.count;
  float partial[kMaxSumChunks];
  if (chunks == 1) {
    pass(std::size_t(0), std::size_t(1), chunk, partial);
    return partial[0];
  }
  split_range(chunks, 1, kMinSplitElements / kSumChunk,
              [&](std::size_t first, std::size_t last) { pass(first, last, chunk, partial); });
  float sum = 0;
  for (std::size_t c = 0; c < chunks; ++c) sum += partial[c];
  return sum;
}

// The same, with pass(begin, len) summing one chunk.
template <class Pass>
float sum_in_chunks(std::size_t n, Pass pass) noexcept {
  return sum_chunk_ranges(n, [&](std::size_t first, std::size_t last, std::size_t chunk, float* partial) {
    for (std::size_t c = first; c < last; ++c) {
      const std::size_t begin = c * chunk, len = n - begin < chunk ? n - begin : chunk;
      partial[c] = pass(begin, len);
    }
  });
}
}  // namespace detail
#endif

// dw += reg·w; returns Σ w².
template <class T>
T l2_grad_sumsq(const T* w, T reg, T* dw, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    const auto& ew = elementwise_active();
    return detail::sum_in_chunks(
        n, [&](std::size_t begin, std::size_t len) { return ew.l2_grad_sumsq(w + begin, reg, dw + begin, len); });
  }
#endif
  return l2_grad_sumsq_ref(w, reg, dw, n);
}

// l2_grad_sumsq and then plain SGD's w += (-lr)·dw, in one pass over w and dw with the bits of the
// two passes (the same chunks, the same sum); returns Σ w² of the weights before the update. It
// reads and writes w and dw once where the two passes read dw and w twice: in profiles of the
// AVX2 training step on a Zen 5 the two passes took 6.3 % (CIFAR) and 5.5 % (Fashion-MNIST),
// this one 3.5 % and 3.2 %.
template <class T>
T l2_sgd_sumsq(T* w, T reg, T* dw, std::size_t n, T lr) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    const auto& ew = elementwise_active();
    return detail::sum_in_chunks(
        n, [&](std::size_t begin, std::size_t len) { return ew.l2_sgd_sumsq(w + begin, reg, dw + begin, len, lr); });
  }
#endif
  return l2_sgd_sumsq_ref(w, reg, dw, n, lr);
}

// Σ w² with the bits l2_grad_sumsq and l2_sgd_sumsq return (the same chunks and partial sums):
// the penalty of a weight matrix whose step backward folds into its gradient (gemm_tn_sgd).
template <class T>
T sumsq(const T* w, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>) {
    const auto& ew = elementwise_active();
    if (n <= kSumChunk) return ew.sumsq(w, n);
    // The whole chunks of a range several at a time (sumsq_chunks), a short last one alone.
    return detail::sum_chunk_ranges(n, [&](std::size_t first, std::size_t last, std::size_t chunk, float* partial) {
      const std::size_t whole = n / chunk, end = last < whole ? last : whole;
      if (first < end) ew.sumsq_chunks(w + first * chunk, chunk, end - first, partial + first);
      if (last > whole && whole * chunk < n) partial[whole] = ew.sumsq(w + whole * chunk, n - whole * chunk);
    });
  }
#endif
  return sumsq_ref(w, n);
}

template <class T>
void axpy(T alpha, const T* x, T* y, std::size_t n) noexcept {
#if FIRMNET_HAVE_XSIMD
  if constexpr (std::is_same_v<T, float>)
    return split_range(n, kSplitUnit, kMinSplitElements,
                       [&](std::size_t a, std::size_t b) { elementwise_active().axpy(alpha, x + a, y + a, b - a); });
#endif
  axpy_ref(alpha, x, y, n);
}

}  // namespace firmnet::kernels
