// io/quantized_model_file.hpp: firmnet's quantized model file (.fnq), and its export as a C++
// header that a firmware build compiles in. Version 2 is written (any stack); version 1 (the
// two-layer net and the linear classifier, int8 logits) still loads, as the same network with
// uint8 logits (every level + 128: the same predictions). Little-endian:
//
//   magic 89 'F' 'N' 'Q' 0D 0A 1A 0A, u32 version (2), str architecture spec,
//   u32 layer count, then per layer (quant/qparams.hpp says what each field means):
//     str op ("fc", "relu", "flatten", "conv", "maxpool", "gap": the Q-layer's kOp),
//     u32 inputs, u32 outputs (values per sample), u32 channels, u32 fan_in (0, 0 without
//     weights), f32 input_scale, f32 output_scale, i32 input_zero_point,
//     i32 output_zero_point, i32 output_min, i32 output_max,
//     i8 weights[channels·fan_in] (a row per channel), i32 bias[channels],
//     i32 multiplier[channels], i32 shift[channels], f32 weight_scale[channels]
//   u32 m, then m (str key, str value) metadata pairs; u32 CRC-32 of every byte before it.
//   str = u32 length (<= 4096) + bytes.
// Reading checks the CRC, every size against the bytes left, that the layers chain (each one's
// inputs are the previous one's outputs) and match the spec's layers, and every value's range:
// weights in [-127, 127], multiplier 0 or in [2^30, 2^31), shift in [-31, 30], scales finite and
// positive, zero points in [0, 255], 0 <= min <= zero point <= max <= 255. docs/fnq-format.md
// has the arithmetic to run a model from the file alone.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmnet/core/label.hpp"
#include "firmnet/quant/quantized_model.hpp"

namespace firmnet::io {

inline constexpr std::uint32_t kQuantizedModelVersion = 2;

std::vector<std::uint8_t> encode_quantized_model(const quant::QuantizedModel& model);
quant::QuantizedModel decode_quantized_model(std::span<const std::uint8_t> bytes, const std::string& source);
void write_quantized_model(const std::string& path, const quant::QuantizedModel& model);
quant::QuantizedModel read_quantized_model(const std::string& path);

// Inputs baked into a header beside the model, with what the model makes of them.
struct TestVectors {
  std::size_t count = 0, inputs = 0;
  std::vector<std::uint8_t> images;    // (count, inputs) raw pixels
  std::vector<Label> labels;           // (count) true classes
  std::vector<std::uint8_t> logits;    // (count, classes) the uint8 logits
  std::vector<Label> predicted;        // (count)
};

// True for a C++ namespace name a header can open: an identifier (not a keyword, not reserved),
// or several joined by "::".
bool is_cpp_namespace_name(const std::string& name);

// Writes a header defining, in namespace ns (checked: io::Error otherwise): the parameter
// arrays, `using Model = <type_name>` (QNetworkFor<Net>::kTypeName of the network), `model` (a
// constexpr Model), kDescription, kTestImages and the arrays test_images, test_labels,
// expected_logits, expected_predicted (null pointers when there are none).
void write_quantized_header(const std::string& path, const quant::QuantizedModel& model, std::string_view type_name,
                            const std::string& ns, const std::string& provenance, const TestVectors& vectors);

}  // namespace firmnet::io
