// kernels/qgemm_ref.hpp: the int8 matrix product every quantized layer runs, its weight layout,
// and the reference loops that are the oracle of kernels/qgemm.hpp.
//
//   acc[r][o] = Σ_i x[r][i] · W[o][i]      x: uint8 (rows, in)   W: int8 (out, in)   acc: int32
//
// A row of x is one sample of a dense layer, or one output pixel's patch of a convolution. Products
// and sums are exact in int32 while in·255·127 < 2^31 (kQgemmMaxInputs), so every implementation
// must give the same bits.
//
// Packed weights. A model stores W with a row per output channel (.fnq files, the quantizer); the
// kernels read it "packed", in groups of four inputs, the four weights of one output adjacent and
// the outputs of a group side by side:
//
//   packed[((i / 4) · out4 + o) · 4 + i % 4] = W[o][i]     in4 = round_up(in, 4), out4 = round_up(out, 4)
//
// padded with zero weights. Then one 4-byte load of x meets a run of out4 weight quads, which is
// what each instruction set's widest step consumes: AVX-512 VNNI's vpdpbusd (a quad of x times 16
// outputs' quads, into 16 int32 lanes), aarch64's sdot by lane (4 outputs), and the SMLAD pair of
// the Cortex-M4 (1 output per instruction pair, 4 accumulators in registers). Every output lane
// accumulates on its own: no horizontal sums, and dense and conv layers of any shape use the
// vector width fully but for the last group of four.
//
// The contract of every implementation (the reference loops below define it):
//   - x: `rows` rows, x_stride bytes apart; each row must have in4 readable bytes. Bytes past `in`
//     meet zero weights and do not change the result.
//   - acc: written for o < out4 in each row (the padded outputs get 0), acc_stride ints apart.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::kernels {

constexpr std::size_t qpad4(std::size_t n) noexcept { return (n + 3) / 4 * 4; }

// Bytes of the packed form of an (out, in) weight matrix.
constexpr std::size_t qpacked_size(std::size_t in, std::size_t out) noexcept { return qpad4(in) * qpad4(out); }

// Largest `in` for which the int32 sums cannot overflow.
inline constexpr std::size_t kQgemmMaxInputs = 66000;

// Rows (out, in) -> the packed layout (qpacked_size(in, out) bytes, padding zeroed).
inline void qpack_weights(const std::int8_t* rows, std::size_t in, std::size_t out, std::int8_t* packed) noexcept {
  const std::size_t in4 = qpad4(in), out4 = qpad4(out);
  for (std::size_t i = 0; i < in4; ++i)
    for (std::size_t o = 0; o < out4; ++o)
      packed[((i / 4) * out4 + o) * 4 + i % 4] = (i < in && o < out) ? rows[o * in + i] : std::int8_t(0);
}

// The product over rows (out, in), written as its definition; the tests' oracle for the packing.
inline void qgemm_rows_ref(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* w,
                           std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t o = 0; o < out; ++o) {
      std::int32_t sum = 0;
      for (std::size_t i = 0; i < in; ++i) sum += std::int32_t(x[r * x_stride + i]) * std::int32_t(w[o * in + i]);
      acc[r * acc_stride + o] = sum;
    }
}

// The product over packed weights: the reference of every kernel in kernels/qgemm.hpp.
inline void qgemm_u8s8_s32_ref(const std::uint8_t* x, std::size_t x_stride, std::size_t rows, const std::int8_t* packed,
                               std::size_t in, std::size_t out, std::int32_t* acc, std::size_t acc_stride) noexcept {
  const std::size_t in4 = qpad4(in), out4 = qpad4(out);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t o = 0; o < out4; ++o) {
      std::int32_t sum = 0;
      for (std::size_t i = 0; i < in4; ++i)
        sum += std::int32_t(x[r * x_stride + i]) * std::int32_t(packed[((i / 4) * out4 + o) * 4 + i % 4]);
      acc[r * acc_stride + o] = sum;
    }
}

}  // namespace firmnet::kernels
