// examples/common/kernels.hpp: what the example programs say about, and set up for, the kernels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "firmnet/core/arch.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/gemm_dispatch.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#endif

namespace firmnet::examples {

// "gemm avx512bw, elementwise avx512bw, other kernels sse2": the GEMM and the element-wise
// kernels are chosen at run time, the rest (pooling, im2col, ...) at compile time.
inline std::string kernels_text() {
#if FIRMNET_HAVE_XSIMD
  return std::string("gemm ") + kernels::gemm_active().name + ", elementwise " + kernels::elementwise_active().name +
         ", other kernels " + kernel_arch_name();
#else
  return kernel_arch_name();
#endif
}

// The GEMM thread pool for the lifetime of a program (created at set-up, before any training).
class GemmThreads {
 public:
  explicit GemmThreads(std::size_t threads) {
#if FIRMNET_HAVE_XSIMD
    if (threads > 1) {
      pool_ = std::make_unique<kernels::ThreadPool>(threads);
      kernels::set_gemm_thread_pool(pool_.get());
    }
#else
    (void)threads;
#endif
  }
  ~GemmThreads() {
#if FIRMNET_HAVE_XSIMD
    kernels::set_gemm_thread_pool(nullptr);
#endif
  }
  GemmThreads(const GemmThreads&) = delete;
  GemmThreads& operator=(const GemmThreads&) = delete;

 private:
#if FIRMNET_HAVE_XSIMD
  std::unique_ptr<kernels::ThreadPool> pool_;
#endif
};

}  // namespace firmnet::examples
