// kernels/qgemm_simd.hpp: the SIMD int8 matrix products, one per instruction set, each with the
// contract of qgemm_ref.hpp (packed weights; exact int32 results: the same bits on every path).
// xsimd 8.1 has no int8 dot product, so these use the ISA's instructions directly. Each works on a
// block of up to 4 rows of x and a few groups of 4 outputs: one 4-byte quad of a row of x meets
// the weight quads of the block's outputs, every output accumulating in a lane of its own.
//   avx512vnni: vpdpbusd, a quad of x broadcast times 16 outputs' quads into 16 int32 lanes;
//   avx2:       vpmaddubsw on the nibbles of x (its int16 pair sums would saturate on whole bytes:
//               255·127 + 255·127 > 2^15), widened to int32 every 8 quads; the nibbles split
//               once per eight rows, on the stack, before the output blocks read them;
//   sse2:       weights and x widened to int16 and pmaddwd; an output's sum spans two lanes,
//               added once at the end;
//   neon:       widened to int16 and vmlal_s16, an output's sum in the 4 lanes of one register;
//   dotprod:    aarch64's sdot by lane (Armv8.2 dot product: Cortex-A55/A76 and later), 4 outputs'
//               quads times one quad of x into 4 int32 lanes; x is fed as x - 128 and the lost
//               128·Σw added back (see below).
// Everything here has internal linkage (static, or in an unnamed namespace: the block kernels are
// class templates): each per-ISA translation unit keeps its own copy, so the linker can never hand
// the SSE2 path a function compiled for AVX-512.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "firmnet/kernels/qgemm_ref.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if defined(__ARM_NEON)
#include <arm_neon.h>
#endif

// The loops over a block's rows and vectors have compile-time trip counts; unrolled before the
// compiler splits the accumulator arrays into registers, they stay there (GCC 12 otherwise keeps a
// copy of every accumulator on the stack and stores it on each step: 1.7x slower).
#define FIRMNET_QGEMM_UNROLL _Pragma("GCC unroll 16")

namespace firmnet::kernels::qgemm {
namespace {

namespace detail {
static inline std::int32_t load_quad(const void* p) noexcept {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// One block: rows r0.. of x against output groups o0.. of the packed weights.
struct Block {
  const std::uint8_t* x;  // the block's first row
  std::size_t x_stride;
  const std::int8_t* w;  // packed weights + o0·4: the block's first output in quad 0
  std::size_t quads;     // in4 / 4
  std::size_t out4;      // the packed matrix's padded output count (quad q starts at q·out4·4)
  std::size_t outputs;   // outputs in this block (a multiple of 4; the last block may be short)
  std::int32_t* acc;     // acc + o0 of the block's first row
  std::size_t acc_stride;
};
using BlockFn = void (*)(const Block&) noexcept;

// Runs every (rows x outputs) block, each by table[rows - 1][groups - 1], the block shapes chosen
// at compile time so the accumulators stay in registers.
template <std::size_t MaxRows, std::size_t MaxGroups, std::size_t GroupOutputs>
static inline void for_each_block(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                                  std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride,
                                  const std::array<BlockFn, MaxRows * MaxGroups>& table) noexcept {
  const std::size_t out4 = qpad4(out), quads = qpad4(in) / 4, block_outputs = MaxGroups * GroupOutputs;
  for (std::size_t o0 = 0; o0 < out4; o0 += block_outputs) {
    const std::size_t outputs = out4 - o0 < block_outputs ? out4 - o0 : block_outputs;
    const std::size_t groups = (outputs + GroupOutputs - 1) / GroupOutputs;
    for (std::size_t r0 = 0; r0 < rows; r0 += MaxRows) {
      const std::size_t nr = rows - r0 < MaxRows ? rows - r0 : MaxRows;
      const Block b{x + r0 * x_stride, x_stride, w + o0 * 4, quads, out4, outputs, acc + r0 * acc_stride + o0, acc_stride};
      table[(nr - 1) * MaxGroups + (groups - 1)](b);
    }
  }
}

// Kernel<rows, groups>::run for every shape up to the maximum, indexed [rows - 1][groups - 1]
// (a Block kernel, or AVX2's NibbleBlock one).
template <std::size_t MaxRows, std::size_t MaxGroups, template <int, int> class Kernel, std::size_t... I>
static constexpr auto make_table(std::index_sequence<I...>) noexcept {
  return std::array<decltype(&Kernel<1, 1>::run), MaxRows * MaxGroups>{&Kernel<int(I / MaxGroups) + 1, int(I % MaxGroups) + 1>::run...};
}
template <std::size_t MaxRows, std::size_t MaxGroups, template <int, int> class Kernel>
inline constexpr auto kTable = make_table<MaxRows, MaxGroups, Kernel>(std::make_index_sequence<MaxRows * MaxGroups>{});
}  // namespace detail

#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
namespace detail {
// acc += the u8 · s8 quad products of x and w. GCC 12 copies the accumulator of the intrinsic
// into a fresh register and back on every use (16 extra moves per step of a 4 x 4 block, and
// spills); the instruction accumulates in place, which the tied "+v" operand says.
static inline void dpbusd(__m512i& acc, __m512i x, __m512i w) noexcept {
#if defined(__GNUC__) && !defined(__clang__)
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
#else
  acc = _mm512_dpbusd_epi32(acc, x, w);
#endif
}

// R rows x V vectors of 16 outputs; the last vector masked to the outputs that exist.
template <int R, int V>
struct Vnni {
  static void run(const Block& b) noexcept {
    __mmask16 mask[V];
    FIRMNET_QGEMM_UNROLL
    for (int v = 0; v < V; ++v) {
      const std::size_t lanes = b.outputs - std::size_t(16 * v);
      mask[v] = lanes >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << lanes) - 1u);
    }
    // With one or two rows, the V accumulators alone would wait on vpdpbusd's latency: even and
    // odd quads then go to two sets, added at the end.
    constexpr int kSets = R <= 2 ? 2 : 1;
    __m512i s[kSets][R][V];
    FIRMNET_QGEMM_UNROLL
    for (int k = 0; k < kSets; ++k)
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r)
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < V; ++v) s[k][r][v] = _mm512_setzero_si512();
    const std::size_t step = b.out4 * 4;
    auto quad = [&](std::size_t q, __m512i (&sum)[R][V]) {
      const std::int8_t* wq = b.w + q * step;
      __m512i wv[V];
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) wv[v] = _mm512_maskz_loadu_epi32(mask[v], wq + 64 * v);
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) {
        const __m512i xq = _mm512_set1_epi32(load_quad(b.x + std::size_t(r) * b.x_stride + 4 * q));
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < V; ++v) dpbusd(sum[r][v], xq, wv[v]);
      }
    };
    std::size_t q = 0;
    for (; q + kSets <= b.quads; q += kSets) {
      FIRMNET_QGEMM_UNROLL
      for (int k = 0; k < kSets; ++k) quad(q + std::size_t(k), s[k]);
    }
    if (q < b.quads) quad(q, s[0]);
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r)
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) {
        __m512i total = s[0][r][v];
        FIRMNET_QGEMM_UNROLL
        for (int k = 1; k < kSets; ++k) total = _mm512_add_epi32(total, s[k][r][v]);
        _mm512_mask_storeu_epi32(b.acc + std::size_t(r) * b.acc_stride + 16 * v, mask[v], total);
      }
  }
};
}  // namespace detail

static inline void avx512vnni(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                              std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  detail::for_each_block<4, 4, 16>(x, x_stride, rows, w, in, out, acc, acc_stride, detail::kTable<4, 4, detail::Vnni>);
}
#endif

#if defined(__AVX2__)
namespace detail {
// vpmaddubsw: 32 u8 · s8 products summed in pairs into int16 per instruction, twice the work of
// widening to int16 for pmaddwd. Its pair sums saturate (255·127·2 > 2^15), so x is split into
// nibbles, x = 16·hi + lo (0..15 each): a pair of the nibble products is within ±3840, eight
// quads of them within ±30720, and int16 sums stay exact. Every 8 quads the two int16 sums widen
// into the int32 accumulators (pmaddwd by 1 and by 16, the two int16 lanes of an output added on
// the way).
//
// The nibbles of a group of rows are split once, into a buffer on the stack (kNibbleQuads quads
// at a time), before every output block reads them: split inside the block kernel, the 6
// instructions per row and quad were redone for every 16 outputs, and the kernel, bound by its
// vector instructions, spent 22 on 128 multiply-adds instead of 16.
constexpr std::size_t kNibbleQuads = 128, kNibbleRow = 4 * kNibbleQuads;
struct NibbleBlock {
  // Row r's low nibbles at nibbles + 2r·kNibbleRow, its high ones kNibbleRow after them: one
  // pointer and constant offsets, so the loop needs no register per row.
  const std::uint8_t* nibbles;
  const std::int8_t* w;  // packed weights of the chunk's first quad + o0·4
  std::size_t quads;     // quads in this chunk
  std::size_t out4;      // the packed matrix's padded output count
  std::size_t outputs;   // outputs in this block (a multiple of 4)
  std::int32_t* acc;
  std::size_t acc_stride;
  bool accumulate;  // add to acc (a chunk after the first) instead of overwriting it
};

// R rows x V vectors of 8 outputs. The last vector may hold 4 outputs (loaded with 16 bytes:
// nothing past the row of quads is read).
template <int R, int V>
struct Avx2 {
  static void run(const NibbleBlock& b) noexcept {
    const bool half = b.outputs % 8 != 0;  // the last vector holds 4 outputs
    const __m256i ones = _mm256_set1_epi16(1), sixteens = _mm256_set1_epi16(16);
    __m256i acc[R][V];
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r) {
      const std::int32_t* in = b.acc + std::size_t(r) * b.acc_stride;
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) {
        if (!b.accumulate) acc[r][v] = _mm256_setzero_si256();
        else if (v + 1 == V && half) acc[r][v] = _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 8 * v)));
        else acc[r][v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 8 * v));
      }
    }
    const std::size_t step = b.out4 * 4;
    for (std::size_t q0 = 0; q0 < b.quads; q0 += 8) {
      const std::size_t q1 = b.quads - q0 < 8 ? b.quads : q0 + 8;
      __m256i lo[R][V], hi[R][V];
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r)
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < V; ++v) lo[r][v] = hi[r][v] = _mm256_setzero_si256();
      for (std::size_t q = q0; q < q1; ++q) {
        const std::int8_t* wq = b.w + q * step;
        __m256i wv[V];
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < V; ++v) {
          wv[v] = (v + 1 == V && half) ? _mm256_zextsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wq + 32 * v)))
                                       : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wq + 32 * v));
          // In a register: with one row GCC folds the load into both vpmaddubsw (low and high
          // nibbles), and the loop, then 6 loads a quad, was bound by them.
          __asm__("" : "+x"(wv[v]));
        }
        FIRMNET_QGEMM_UNROLL
        for (int r = 0; r < R; ++r) {
          const std::uint8_t* at = b.nibbles + 2 * std::size_t(r) * kNibbleRow + 4 * q;
          const __m256i xl = _mm256_set1_epi32(load_quad(at)), xh = _mm256_set1_epi32(load_quad(at + kNibbleRow));
          FIRMNET_QGEMM_UNROLL
          for (int v = 0; v < V; ++v) {
            lo[r][v] = _mm256_add_epi16(lo[r][v], _mm256_maddubs_epi16(xl, wv[v]));
            hi[r][v] = _mm256_add_epi16(hi[r][v], _mm256_maddubs_epi16(xh, wv[v]));
          }
        }
      }
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r)
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < V; ++v)
          acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_add_epi32(_mm256_madd_epi16(lo[r][v], ones),
                                                                   _mm256_madd_epi16(hi[r][v], sixteens)));
    }
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r) {
      std::int32_t* out = b.acc + std::size_t(r) * b.acc_stride;
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) {
        if (v + 1 == V && half) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 8 * v), _mm256_castsi256_si128(acc[r][v]));
        else _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * v), acc[r][v]);
      }
    }
  }
};

// n bytes of x (a whole number of quads, n <= kNibbleRow) into their low nibbles at lo and high
// ones at lo + kNibbleRow, 32 at a time; the last few quads by a masked load, which reads only
// them (the buffer, kNibbleRow long, takes the whole 32-byte stores).
static inline void split_nibbles(const std::uint8_t* x, std::size_t n, std::uint8_t* lo) noexcept {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  auto split = [&](std::size_t i, __m256i v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lo + i), _mm256_and_si256(v, nibble));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(lo + kNibbleRow + i), _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
  };
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) split(i, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)));
  if (i < n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int((n - i) / 4)), lane);
    split(i, _mm256_maskload_epi32(reinterpret_cast<const int*>(x + i), mask));
  }
}

}  // namespace detail

// Rows eight at a time: their nibbles split (a chunk of quads at a time), then every block of 16
// outputs over the chunk for each two of those rows, accumulating from the second chunk on. An
// output block's weights of one chunk (8 KiB) serve the group's four row blocks back to back from
// L1; a group of two rows, streaming every weight from L2 for each, made a batch of 64 on 784
// inputs (12.5 KiB of weights a block, kept in L1 by the kernel's former order) 1.15x slower.
static inline void avx2(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                        std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  constexpr std::size_t R = 2, V = 2, kBlockOutputs = 8 * V, kGroupRows = 8;
  constexpr auto& table = detail::kTable<R, V, detail::Avx2>;
  const std::size_t out4 = qpad4(out), quads = qpad4(in) / 4;
  alignas(32) std::uint8_t nibbles[kGroupRows][2][detail::kNibbleRow];  // 8 KiB: per row, low then high nibbles
  for (std::size_t g0 = 0; g0 < rows; g0 += kGroupRows) {
    const std::size_t ng = rows - g0 < kGroupRows ? rows - g0 : kGroupRows;
    for (std::size_t c0 = 0; c0 < quads; c0 += detail::kNibbleQuads) {
      const std::size_t nq = quads - c0 < detail::kNibbleQuads ? quads - c0 : detail::kNibbleQuads;
      for (std::size_t r = 0; r < ng; ++r) detail::split_nibbles(x + (g0 + r) * x_stride + 4 * c0, 4 * nq, nibbles[r][0]);
      for (std::size_t o0 = 0; o0 < out4; o0 += kBlockOutputs) {
        const std::size_t outputs = out4 - o0 < kBlockOutputs ? out4 - o0 : kBlockOutputs;
        const std::size_t vectors = (outputs + 7) / 8;
        for (std::size_t r0 = 0; r0 < ng; r0 += R) {
          const std::size_t nr = ng - r0 < R ? ng - r0 : R;
          const detail::NibbleBlock b{nibbles[r0][0], w + c0 * out4 * 4 + o0 * 4, nq, out4, outputs,
                                      acc + (g0 + r0) * acc_stride + o0, acc_stride, c0 > 0};
          table[(nr - 1) * V + (vectors - 1)](b);
        }
      }
    }
  }
}
#endif

#if defined(__SSE2__)
namespace detail {
// R rows x V groups of 4 outputs, each group two registers of [o o o' o'] int16 pair sums.
template <int R, int V>
struct Sse2 {
  static __m128i widen_s8(const std::int8_t* p) noexcept {  // 8 int8 -> int16, sign-extended
    const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8);
  }
  static void run(const Block& b) noexcept {
    __m128i s[R][2 * V];
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r)
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < 2 * V; ++v) s[r][v] = _mm_setzero_si128();
    const std::int8_t* wq = b.w;
    const std::size_t step = b.out4 * 4;
    for (std::size_t q = 0; q < b.quads; ++q, wq += step) {
      __m128i wv[2 * V];
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < 2 * V; ++v) wv[v] = widen_s8(wq + 8 * v);
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) {
        const __m128i xq = _mm_unpacklo_epi8(_mm_set1_epi32(load_quad(b.x + std::size_t(r) * b.x_stride + 4 * q)), _mm_setzero_si128());
        FIRMNET_QGEMM_UNROLL
        for (int v = 0; v < 2 * V; ++v) s[r][v] = _mm_add_epi32(s[r][v], _mm_madd_epi16(xq, wv[v]));
      }
    }
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r)
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) {  // [o0 o0 o1 o1], [o2 o2 o3 o3] -> even + odd lanes
        const __m128 a = _mm_castsi128_ps(s[r][2 * v]), c = _mm_castsi128_ps(s[r][2 * v + 1]);
        const __m128i even = _mm_castps_si128(_mm_shuffle_ps(a, c, _MM_SHUFFLE(2, 0, 2, 0)));
        const __m128i odd = _mm_castps_si128(_mm_shuffle_ps(a, c, _MM_SHUFFLE(3, 1, 3, 1)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(b.acc + std::size_t(r) * b.acc_stride + 4 * v), _mm_add_epi32(even, odd));
      }
  }
};
}  // namespace detail

static inline void sse2(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                        std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  detail::for_each_block<2, 2, 4>(x, x_stride, rows, w, in, out, acc, acc_stride, detail::kTable<2, 2, detail::Sse2>);
}
#endif

#if defined(__ARM_NEON)
namespace detail {
// R rows x 1 group of 4 outputs: an output's four products of a quad land in the four lanes of
// its own register (vmlal_s16), summed across lanes once at the end.
template <int R, int V>
struct Neon {
  static_assert(V == 1);
  static int32x4_t sum_lanes(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) noexcept {  // [Σa Σb Σc Σd]
#if defined(__aarch64__)
    return vpaddq_s32(vpaddq_s32(a, b), vpaddq_s32(c, d));
#else
    const int32x2_t ab = vpadd_s32(vadd_s32(vget_low_s32(a), vget_high_s32(a)), vadd_s32(vget_low_s32(b), vget_high_s32(b)));
    const int32x2_t cd = vpadd_s32(vadd_s32(vget_low_s32(c), vget_high_s32(c)), vadd_s32(vget_low_s32(d), vget_high_s32(d)));
    return vcombine_s32(ab, cd);
#endif
  }
  static void run(const Block& b) noexcept {
    int32x4_t s[R][4];
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r)
      FIRMNET_QGEMM_UNROLL
      for (int k = 0; k < 4; ++k) s[r][k] = vdupq_n_s32(0);
    const std::int8_t* wq = b.w;
    const std::size_t step = b.out4 * 4;
    for (std::size_t q = 0; q < b.quads; ++q, wq += step) {
      const int8x16_t wb = vld1q_s8(wq);
      const int16x8_t w01 = vmovl_s8(vget_low_s8(wb)), w23 = vmovl_s8(vget_high_s8(wb));
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) {
        const std::uint32_t quad = static_cast<std::uint32_t>(load_quad(b.x + std::size_t(r) * b.x_stride + 4 * q));
        const int16x4_t xq = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(quad)))));
        s[r][0] = vmlal_s16(s[r][0], vget_low_s16(w01), xq);
        s[r][1] = vmlal_s16(s[r][1], vget_high_s16(w01), xq);
        s[r][2] = vmlal_s16(s[r][2], vget_low_s16(w23), xq);
        s[r][3] = vmlal_s16(s[r][3], vget_high_s16(w23), xq);
      }
    }
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r) vst1q_s32(b.acc + std::size_t(r) * b.acc_stride, sum_lanes(s[r][0], s[r][1], s[r][2], s[r][3]));
  }
};
}  // namespace detail

static inline void neon(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                        std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  detail::for_each_block<2, 1, 4>(x, x_stride, rows, w, in, out, acc, acc_stride, detail::kTable<2, 1, detail::Neon>);
}
#endif

#if defined(__ARM_FEATURE_DOTPROD) && defined(__aarch64__)
namespace detail {
// sdot multiplies int8 by int8, but x is uint8. Flipping its top bit gives x - 128 as an int8,
// and x·w = (x - 128)·w - (-128)·w: an sdot of the same weights against -128 gives the
// correction, once per block whatever its rows. Both accumulate exactly and the subtraction is
// modular, so the result equals the reference whenever the true sum fits int32 (kQgemmMaxInputs).
// R rows x V groups of 4 outputs; four quads of x per 16-byte load, one sdot per quad by lane.
template <int R, int V>
struct Dotprod {
  static void run(const Block& b) noexcept {
    const uint8x16_t flip = vdupq_n_u8(0x80);
    const int8x16_t minus128 = vdupq_n_s8(-128);
    int32x4_t s[R][V], c[V];
    FIRMNET_QGEMM_UNROLL
    for (int v = 0; v < V; ++v) {
      c[v] = vdupq_n_s32(0);
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) s[r][v] = vdupq_n_s32(0);
    }
    const std::size_t step = b.out4 * 4;
    const std::int8_t* wq = b.w;
    auto one_quad = [&](const int8x16_t* xv, auto lane) {
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) {
        const int8x16_t wv = vld1q_s8(wq + 16 * v);
        c[v] = vdotq_s32(c[v], wv, minus128);
        FIRMNET_QGEMM_UNROLL
        for (int r = 0; r < R; ++r) s[r][v] = vdotq_laneq_s32(s[r][v], wv, xv[r], decltype(lane)::value);
      }
      wq += step;
    };
    std::size_t q = 0;
    for (; q + 4 <= b.quads; q += 4) {
      int8x16_t xv[R];
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) xv[r] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(b.x + std::size_t(r) * b.x_stride + 4 * q), flip));
      one_quad(xv, std::integral_constant<int, 0>{});
      one_quad(xv, std::integral_constant<int, 1>{});
      one_quad(xv, std::integral_constant<int, 2>{});
      one_quad(xv, std::integral_constant<int, 3>{});
    }
    for (; q < b.quads; ++q) {  // the last quads one at a time: nothing past in4 is read
      int8x16_t xv[R];
      FIRMNET_QGEMM_UNROLL
      for (int r = 0; r < R; ++r) {
        const std::uint32_t quad = static_cast<std::uint32_t>(load_quad(b.x + std::size_t(r) * b.x_stride + 4 * q));
        xv[r] = vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u32(vdupq_n_u32(quad)), flip));
      }
      one_quad(xv, std::integral_constant<int, 0>{});
    }
    FIRMNET_QGEMM_UNROLL
    for (int r = 0; r < R; ++r)
      FIRMNET_QGEMM_UNROLL
      for (int v = 0; v < V; ++v) vst1q_s32(b.acc + std::size_t(r) * b.acc_stride + 4 * v, vsubq_s32(s[r][v], c[v]));
  }
};
}  // namespace detail

static inline void dotprod(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                           std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  detail::for_each_block<4, 4, 4>(x, x_stride, rows, w, in, out, acc, acc_stride, detail::kTable<4, 4, detail::Dotprod>);
}
#endif

}  // namespace
}  // namespace firmnet::kernels::qgemm
