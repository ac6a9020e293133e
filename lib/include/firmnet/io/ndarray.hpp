// io/ndarray.hpp: an n-dimensional array as the weight-file readers return it (.npy, .npz,
// safetensors, ONNX tensors): its shape, the element type the file stored, and the elements,
// row-major (C order), converted to float (floating-point types) or int64 (integer types).
// Float conversions: float16 and bfloat16 are exact; float64 rounds to nearest (IEEE: values
// beyond float's range become +-inf). The readers guarantee values/ints hold count() elements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace firmnet::io {

enum class StoredType : std::uint8_t { f16, bf16, f32, f64, i32, i64 };

// "float16", "bfloat16", "float32", "float64", "int32", "int64".
const char* stored_type_name(StoredType type) noexcept;
bool is_float_type(StoredType type) noexcept;

struct NdArray {
  std::vector<std::size_t> shape;     // {} is a scalar (one element)
  StoredType stored = StoredType::f32;  // as the file had it
  std::vector<float> values;          // f16, bf16, f32, f64: count() elements; otherwise empty
  std::vector<std::int64_t> ints;     // i32, i64: count() elements; otherwise empty

  bool is_float() const noexcept { return is_float_type(stored); }
  std::size_t count() const noexcept;  // product of shape (the readers checked it fits)
};

// "(3, 4)", "()" for a scalar: how messages print a shape.
std::string shape_string(const std::vector<std::size_t>& shape);

}  // namespace firmnet::io
