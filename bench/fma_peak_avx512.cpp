// The FMA peak with 512-bit vectors: 24 independent accumulator chains (enough to cover the FMA
// latency on every core we know), compiled with -mavx512f -mfma, called only where supported.
#include <immintrin.h>

#include "cases.hpp"

namespace bench {

double fma_peak_avx512(long iterations) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(float(i));
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_ps(sum, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(sum);
  (void)sink;
  return double(iterations) * 24 * 16 * 2;
}

}  // namespace bench
