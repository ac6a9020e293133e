// The int8 peak with AVX-512 VNNI: 24 independent vpdpbusd chains (64 u8·s8 multiply-adds each).
#include <immintrin.h>

#include "cases.hpp"

namespace bench {

double vnni_peak(long iterations) {
  __m512i acc[24];
#pragma GCC unroll 24  // every loop over acc unrolled, so the array lives in registers
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (long it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i)  // tied operand: GCC 12 moves the intrinsic's accumulator out and back
      __asm__("vpdpbusd %2, %1, %0" : "+v"(acc[i]) : "v"(a), "v"(b));
  }
  __m512i sum = acc[0];
#pragma GCC unroll 24
  for (int i = 1; i < 24; ++i) sum = _mm512_add_epi32(sum, acc[i]);
  volatile int sink = _mm512_reduce_add_epi32(sum);
  (void)sink;
  return double(iterations) * 24 * 64 * 2;
}

}  // namespace bench
