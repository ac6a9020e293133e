// kernels/qgemv_ref.hpp: the int8 matrix-vector product, oracle of kernels/qgemv.hpp:
//   acc[o] = Σ_i x[i] · w[o·in + i]      x: uint8 (in), w: int8 (out, in) row-major, acc: int32 (out)
// One output channel per weight row, as the quantized model stores it. Products and sums are exact
// in int32 for in·255·127 < 2^31 (in < 66000), so every implementation must give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::kernels {

inline void qgemv_u8s8_s32_ref(const std::uint8_t* x, const std::int8_t* w, std::size_t in, std::size_t out,
                               std::int32_t* acc) noexcept {
  for (std::size_t o = 0; o < out; ++o) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < in; ++i) sum += std::int32_t(x[i]) * std::int32_t(w[o * in + i]);
    acc[o] = sum;
  }
}

// Largest `in` for which the int32 sums cannot overflow.
inline constexpr std::size_t kQgemvMaxInputs = 66000;

}  // namespace firmnet::kernels
