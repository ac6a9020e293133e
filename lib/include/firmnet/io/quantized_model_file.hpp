// io/quantized_model_file.hpp: firmnet's quantized model file (.fnq), version 1, little-endian,
// and its export as a C++ header of constexpr arrays that a firmware build compiles in.
//
//   magic 89 'F' 'N' 'Q' 0D 0A 1A 0A, u32 version (1), str kind ("two-layer" | "linear"),
//   u32 layer count (2 | 1), then per layer:
//     u32 inputs, u32 outputs, f32 input_scale, f32 output_scale,
//     i32 output_zero_point, i32 output_min, i32 output_max,
//     i8 weights[outputs·inputs] (row per output channel), i32 bias[outputs],
//     i32 multiplier[outputs], i32 shift[outputs], f32 weight_scale[outputs]
//   u32 m, then m (str key, str value) metadata pairs; u32 CRC-32 of every byte before it.
//   str = u32 length (<= 4096) + bytes.
// Reading checks the CRC, every size against the bytes left, that the layers chain (each one's
// inputs are the previous one's outputs), and every value's range: weights in [-127, 127],
// multiplier 0 or in [2^30, 2^31), shift in [-31, 30], scales finite and positive, a hidden
// layer's output uint8 with zero point 0, the last layer's int8 with min <= zero point <= max.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/core/label.hpp"
#include "firmnet/quant/quantized_model.hpp"

namespace firmnet::io {

inline constexpr std::uint32_t kQuantizedModelVersion = 1;

std::vector<std::uint8_t> encode_quantized_model(const quant::QuantizedModel& model);
quant::QuantizedModel decode_quantized_model(std::span<const std::uint8_t> bytes, const std::string& source);
void write_quantized_model(const std::string& path, const quant::QuantizedModel& model);
quant::QuantizedModel read_quantized_model(const std::string& path);

// Images baked into a header beside the model, with what the model makes of them.
struct TestVectors {
  std::size_t count = 0, inputs = 0;
  std::vector<std::uint8_t> images;    // (count, inputs) raw pixels
  std::vector<Label> labels;           // (count) true classes
  std::vector<std::int8_t> logits;     // (count, classes) the int8 logits
  std::vector<Label> predicted;        // (count)
};

// True for a C++ namespace name a header can open: an identifier (not a keyword, not reserved),
// or several joined by "::".
bool is_cpp_namespace_name(const std::string& name);

// Writes a header defining, in namespace ns (checked: io::Error otherwise): the parameter arrays, `model` (a constexpr
// QuantizedTwoLayerNet or QuantizedLinearClassifier) and, when vectors.count > 0, the arrays
// test_images, test_labels, expected_logits, expected_predicted and kTestImages.
void write_quantized_header(const std::string& path, const quant::QuantizedModel& model, const std::string& ns,
                            const std::string& provenance, const TestVectors& vectors);

}  // namespace firmnet::io
