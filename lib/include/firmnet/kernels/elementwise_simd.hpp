// kernels/elementwise_simd.hpp: the element-wise passes of a training step (ReLU forward and
// backward, the L2 gradient and penalty, y += a·x, the SGD-with-momentum and Adam updates) for one
// xsimd Arch, compiled once per ISA and chosen at run time with the GEMM (elementwise_dispatch.hpp).
// Every width gives the bits of the SSE2 path, so a CPU's ISA never changes a training run's
// element-wise arithmetic: products and sums are never fused (a·b + c is two roundings, as
// -ffp-contract=off keeps it), and the L2 sum keeps 16 partial sums whatever the width (4 batches
// of 4 lanes, 2 of 8 or 1 of 16: element i in partial i mod 16), added in one fixed order.
// Internal linkage (an unnamed namespace): each ISA's translation unit keeps its own copy.
#pragma once

#include <cstddef>
#include <type_traits>

#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/elementwise_ref.hpp"
#include "firmnet/kernels/optim_update_ref.hpp"

#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/simd.hpp"

namespace firmnet::kernels::ew {
namespace {

template <class A>
using FB = xsimd::batch<float, A>;

// Correctly rounded division and square root. xsimd 8.1 computes float ones on NEON (armv7 and
// aarch64 alike) from reciprocal estimates and Newton steps, a few ulps off the scalar result;
// aarch64 has exact instructions, armv7 NEON has none (exact_div_sqrt: callers take the scalar
// path there). x86's divps and sqrtps are exact.
template <class A>
constexpr bool exact_div_sqrt = !std::is_base_of_v<xsimd::neon, A> || std::is_same_v<A, xsimd::neon64>;

template <class A>
FB<A> exact_div(FB<A> a, FB<A> b) noexcept {
#if defined(__aarch64__)
  if constexpr (std::is_same_v<A, xsimd::neon64>) return vdivq_f32(a, b);
#endif
  static_assert(exact_div_sqrt<A>, "no correctly rounded vector division on this arch");
  return a / b;
}

template <class A>
FB<A> exact_sqrt(FB<A> a) noexcept {
#if defined(__aarch64__)
  if constexpr (std::is_same_v<A, xsimd::neon64>) return vsqrtq_f32(a);
#endif
  static_assert(exact_div_sqrt<A>, "no correctly rounded vector square root on this arch");
  return xsimd::sqrt(a);
}

// The 16 partial sums (K = 16 / W batches; element i of a pass in lane i mod 16) added in one
// fixed order, whatever the width.
template <class A>
float sum16(const FB<A>* sum) noexcept {
  constexpr std::size_t W = FB<A>::size, K = 16 / W;
  alignas(64) float p[16];
  for (std::size_t k = 0; k < K; ++k) sum[k].store_aligned(p + k * W);
  float t[4];
  for (std::size_t j = 0; j < 4; ++j) t[j] = (p[j] + p[4 + j]) + (p[8 + j] + p[12 + j]);
  return (t[0] + t[2]) + (t[1] + t[3]);  // SSE2's horizontal sum of the 4 lanes
}

// Σ w² in 16 partial sums, and with it: the L2 gradient (grad), that and then plain SGD's
// w += (-lr)·dw on each vector as soon as its gradient is complete (sgd: l2_sgd_sumsq, one pass
// where two read and wrote w and dw), or nothing else (sum: the penalty alone, with the bits the
// other two return).
enum class L2Pass { grad, sgd, sum };

template <class A, L2Pass Mode>
float l2_pass(const float* w, float reg, float* dw, std::size_t n, float lr, float* w_out) noexcept {
  constexpr std::size_t W = FB<A>::size, K = 16 / W;
  static_assert(K * W == 16);
  FB<A> sum[K];
  for (std::size_t k = 0; k < K; ++k) sum[k] = FB<A>(0.0f);
  const FB<A> r(reg), neg_lr(-lr);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (std::size_t k = 0; k < K; ++k) {
      const FB<A> x = FB<A>::load_unaligned(w + i + k * W);
      sum[k] = x * x + sum[k];
      if constexpr (Mode == L2Pass::sum) continue;
      const FB<A> g = r * x + FB<A>::load_unaligned(dw + i + k * W);
      g.store_unaligned(dw + i + k * W);
      if constexpr (Mode == L2Pass::sgd) (neg_lr * g + x).store_unaligned(w_out + i + k * W);
    }
  const float total = sum16<A>(sum);
  if constexpr (Mode == L2Pass::sgd) return total + l2_sgd_sumsq_ref(w_out + i, reg, dw + i, n - i, lr);
  if constexpr (Mode == L2Pass::sum) return total + sumsq_ref(w + i, n - i);
  return total + l2_grad_sumsq_ref(w + i, reg, dw + i, n - i);
}

template <class A>
float l2_grad_sumsq(const float* w, float reg, float* dw, std::size_t n) noexcept {
  return l2_pass<A, L2Pass::grad>(w, reg, dw, n, 0.0f, nullptr);
}

template <class A>
float l2_sgd_sumsq(float* w, float reg, float* dw, std::size_t n, float lr) noexcept {
  return l2_pass<A, L2Pass::sgd>(w, reg, dw, n, lr, w);
}

template <class A>
float sumsq(const float* w, std::size_t n) noexcept {
  return l2_pass<A, L2Pass::sum>(w, 0.0f, nullptr, n, 0.0f, nullptr);
}

// Σ w² of G chunks of len floats, one after the other from w, into out[0..G): each with the bits
// of sumsq over that chunk alone, the G chunks in one loop. A chunk's 16 sums are 16 chains of
// dependent additions, which hold one chunk to an addition's latency per K batches; G chunks'
// chains overlap (100 K floats from L2, AVX2 on a Zen 5: 2.98 us one chunk at a time, 1.9 us).
template <class A, std::size_t G>
void sumsq_group(const float* w, std::size_t len, float* out) noexcept {
  constexpr std::size_t W = FB<A>::size, K = 16 / W;
  FB<A> sum[G][K];
  for (std::size_t q = 0; q < G; ++q)
    for (std::size_t k = 0; k < K; ++k) sum[q][k] = FB<A>(0.0f);
  std::size_t i = 0;
  for (; i + 16 <= len; i += 16)
    for (std::size_t q = 0; q < G; ++q)
      for (std::size_t k = 0; k < K; ++k) {
        const FB<A> x = FB<A>::load_unaligned(w + q * len + i + k * W);
        sum[q][k] = x * x + sum[q][k];
      }
  for (std::size_t q = 0; q < G; ++q) out[q] = sum16<A>(sum[q]) + sumsq_ref(w + q * len + i, len - i);
}

// out[q] = sumsq(w + q·len, len) for q < count, in groups of up to 8 / K chunks (8 batches of
// partial sums: 8 of the 16 ymm or zmm registers, 8 of 16 xmm).
template <class A>
void sumsq_chunks(const float* w, std::size_t len, std::size_t count, float* out) noexcept {
  constexpr std::size_t K = 16 / FB<A>::size, G = 8 / K;
  std::size_t q = 0;
  for (; q + G <= count; q += G) sumsq_group<A, G>(w + q * len, len, out + q);
  if constexpr (G >= 4) {
    for (; q + 4 <= count; q += 4) sumsq_group<A, 4>(w + q * len, len, out + q);
  }
  for (; q + 2 <= count; q += 2) sumsq_group<A, 2>(w + q * len, len, out + q);
  for (; q < count; ++q) sumsq_group<A, 1>(w + q * len, len, out + q);
}

template <class A>
void axpy(float alpha, const float* x, float* y, std::size_t n) noexcept {
  const FB<A> a(alpha);
  std::size_t i = 0;
  for (; i + FB<A>::size <= n; i += FB<A>::size)
    (a * FB<A>::load_unaligned(x + i) + FB<A>::load_unaligned(y + i)).store_unaligned(y + i);
  axpy_ref(alpha, x + i, y + i, n - i);
}

template <class A>
void relu_fwd(const float* x, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + FB<A>::size <= n; i += FB<A>::size) simd::relu<A>(FB<A>::load_unaligned(x + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

template <class A>
void relu_bwd(const float* y, const float* dy, float* dx, std::size_t n) noexcept {
  const FB<A> zero(0.0f);
  std::size_t i = 0;
  for (; i + FB<A>::size <= n; i += FB<A>::size)
    xsimd::select(FB<A>::load_unaligned(y + i) > zero, FB<A>::load_unaligned(dy + i), zero).store_unaligned(dx + i);
  for (; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

template <class A>
void sgd_momentum(float* w, const float* g, float* v, std::size_t n, float lr, float mu, bool nesterov) noexcept {
  const FB<A> vlr(lr), vmu(mu);
  std::size_t i = 0;
  for (; i + FB<A>::size <= n; i += FB<A>::size) {
    const FB<A> gi = FB<A>::load_unaligned(g + i);
    const FB<A> vi = vmu * FB<A>::load_unaligned(v + i) - vlr * gi;
    vi.store_unaligned(v + i);
    (FB<A>::load_unaligned(w + i) + (nesterov ? vmu * vi - vlr * gi : vi)).store_unaligned(w + i);
  }
  sgd_momentum_ref(w + i, g + i, v + i, n - i, lr, mu, nesterov);
}

template <class A>
void adam(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float step, float sqrt_bc2,
          float eps, float decay) noexcept {
  std::size_t i = 0;
  if constexpr (exact_div_sqrt<A>) {  // armv7 NEON has no exact vector sqrt or divide: all scalar
    const FB<A> vb1(b1), vb2(b2), c1(1.0f - b1), c2(1.0f - b2), vstep(step), vbc2(sqrt_bc2), veps(eps), vdecay(decay);
    for (; i + FB<A>::size <= n; i += FB<A>::size) {
      const FB<A> gi = FB<A>::load_unaligned(g + i);
      const FB<A> mi = vb1 * FB<A>::load_unaligned(m + i) + c1 * gi;
      const FB<A> vi = vb2 * FB<A>::load_unaligned(v + i) + c2 * gi * gi;
      mi.store_unaligned(m + i);
      vi.store_unaligned(v + i);
      const FB<A> denom = exact_div<A>(exact_sqrt<A>(vi), vbc2) + veps;
      (FB<A>::load_unaligned(w + i) * vdecay - exact_div<A>(vstep * mi, denom)).store_unaligned(w + i);
    }
  }
  adam_ref(w + i, g + i, m + i, v + i, n - i, b1, b2, step, sqrt_bc2, eps, decay);
}

}  // namespace
}  // namespace firmnet::kernels::ew
#endif
