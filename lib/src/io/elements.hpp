// Element conversions shared by the weight-file readers and writers (npy, safetensors, ONNX):
// little-endian bytes of a StoredType to NdArray values/ints and back. Internal to lib/src/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "firmnet/io/ndarray.hpp"

namespace firmnet::io::elements {

std::size_t size_of(StoredType type) noexcept;  // bytes per element: 2, 2, 4, 8, 4, 8

// IEEE binary16 and bfloat16 bit patterns to float; both exact (NaN payloads kept).
float half_to_float(std::uint16_t h) noexcept;
float bfloat16_to_float(std::uint16_t b) noexcept;

// The product of shape, or false if it exceeds max (a zero dimension gives 0).
bool count(std::span<const std::size_t> shape, std::size_t max, std::size_t& out) noexcept;

// Sets a.values (float types) or a.ints (integer types) from n little-endian elements of
// a.stored at p; the caller checked that n·size_of(a.stored) bytes are there.
void load(NdArray& a, const std::uint8_t* p, std::size_t n);

// Appends the little-endian bytes of a's elements as float32 (float arrays) or int64 (integer
// arrays), what the writers store.
void store(const NdArray& a, std::vector<std::uint8_t>& out);

}  // namespace firmnet::io::elements
