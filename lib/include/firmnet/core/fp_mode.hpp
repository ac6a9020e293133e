// core/fp_mode.hpp: the calling thread's floating-point mode bits that change float results, and
// flush-to-zero for a scope. Subnormal floats (below 1.2e-38) take a microcode assist on x86 on
// every instruction that meets one, 100 times a normal operation's cost: a CNN trained for a few
// epochs with L2 5e-4 ran its epochs in 10 s, then 25 s, then 97 s, as its confident examples'
// gradients underflowed into the Winograd products. FlushSubnormals sets flush-to-zero for
// subnormal results and inputs (x86 MXCSR FTZ and DAZ; aarch64 FPCR.FZ) while it lives, and
// train/fit.hpp holds one for the whole training run, as TensorFlow's thread pools do. Elsewhere
// (armv7 NEON flushes anyway; Cortex-M; scalar builds) the mode is left alone.
// The thread pool runs every part of a job in its caller's mode (kernels/thread_pool.cpp), so the
// thread count does not change results here either.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace firmnet {

using FpMode = std::uint64_t;

inline FpMode fp_mode() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return _mm_getcsr();
#elif defined(__aarch64__)
  return __builtin_aarch64_get_fpcr();
#else
  return 0;
#endif
}

inline void set_fp_mode([[maybe_unused]] FpMode mode) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr(static_cast<unsigned>(mode));
#elif defined(__aarch64__)
  __builtin_aarch64_set_fpcr(static_cast<unsigned>(mode));
#endif
}

// The mode with subnormals flushed to zero.
constexpr FpMode fp_mode_flushing(FpMode mode) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return mode | 0x8000u | 0x0040u;  // FTZ, DAZ
#elif defined(__aarch64__)
  return mode | (FpMode(1) << 24);  // FZ
#else
  return mode;
#endif
}

class FlushSubnormals {
 public:
  FlushSubnormals() noexcept : saved_(fp_mode()) { set_fp_mode(fp_mode_flushing(saved_)); }
  ~FlushSubnormals() { set_fp_mode(saved_); }
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
  FpMode saved_;
};

}  // namespace firmnet
