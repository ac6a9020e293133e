// io/onnx.hpp: ONNX models as torch.onnx.export writes them (onnx/onnx.proto, IR version 3 and
// later), read into plain structs for an importer: the graph's nodes with their attributes, the
// initializers (weights) as NdArrays, the graph's inputs and outputs with their shapes.
// Read: ModelProto ir_version, opset_import, producer, graph; GraphProto node, name,
// initializer, input, output; NodeProto input, output, name, op_type, domain, attribute;
// AttributeProto name, type, f, i, s, t, floats, ints, strings (graphs, sparse tensors and type
// protos keep only their type: an importer rejects such nodes by op); TensorProto dims,
// data_type FLOAT, DOUBLE, FLOAT16, BFLOAT16 (to float), INT32, INT64 (to int64), from raw_data
// (little-endian) or float_data, double_data, int32_data, int64_data; ValueInfoProto name and
// tensor type with shape. Every other field is skipped, whatever its wire type.
// Rejected, naming the node or tensor: other data types, external or segmented tensor data,
// sparse initializers, data that does not match dims, a singular message field given twice
// (protobuf would merge them; no writer does), and corrupt wire data (varint overflow, length
// past the end, a known field with the wrong wire type).
//
// Why a hand-written reader rather than libprotobuf and Debian's libonnx-dev: the subset is a few
// hundred lines over one bounds-checked cursor (lib/src/io/protobuf.hpp), fuzzed like every other
// parser of firmnet; it adds no protobuf runtime or generated code to the library, and builds
// wherever firmnet does (the ARM cross sysroots have no protobuf).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmnet/io/file.hpp"
#include "firmnet/io/ndarray.hpp"

namespace firmnet::io {

inline constexpr std::size_t kMaxOnnxNodes = std::size_t(1) << 20;
inline constexpr std::size_t kMaxOnnxInitializers = std::size_t(1) << 20;
inline constexpr std::size_t kMaxOnnxGraphValues = std::size_t(1) << 16;  // graph inputs, outputs
inline constexpr std::size_t kMaxOnnxNodeValues = std::size_t(1) << 16;   // a node's inputs, outputs
inline constexpr std::size_t kMaxOnnxAttributes = 1024;                   // per node
inline constexpr std::size_t kMaxOnnxListLength = std::size_t(1) << 20;   // an attribute's floats, ints, strings
inline constexpr std::size_t kMaxOnnxDims = 64;

struct OnnxTensor {
  std::string name;
  NdArray array;  // stored: FLOAT f32, DOUBLE f64, FLOAT16 f16, BFLOAT16 bf16, INT32 i32, INT64 i64
};

// AttributeProto.AttributeType, each named after the field that holds the value.
enum class OnnxAttributeType : std::int32_t {
  f = 1, i = 2, s = 3, t = 4, g = 5, floats = 6, ints = 7, strings = 8, tensors = 9, graphs = 10,
  sparse_tensor = 11, sparse_tensors = 12, type_proto = 13, type_protos = 14
};

struct OnnxAttribute {
  std::string name;
  OnnxAttributeType type = OnnxAttributeType::f;
  float f = 0;                        // type f
  std::int64_t i = 0;                 // type i
  std::string s;                      // type s (bytes, usually UTF-8)
  OnnxTensor t;                       // type t: e.g. Constant's value
  std::vector<float> floats;          // type floats
  std::vector<std::int64_t> ints;     // type ints: e.g. Conv's pads, strides
  std::vector<std::string> strings;   // type strings
};

struct OnnxNode {
  std::string name, op_type, domain;  // domain "" is the ONNX operator set
  std::vector<std::string> inputs, outputs;  // value names; "" marks an omitted optional input
  std::vector<OnnxAttribute> attributes;

  const OnnxAttribute* find_attribute(std::string_view attribute_name) const noexcept;
};

struct OnnxValue {
  std::string name;
  std::int32_t elem_type = 0;           // TensorProto.DataType (1 FLOAT, 7 INT64, ...); 0 if not a tensor
  bool has_shape = false;
  std::vector<std::int64_t> dims;       // -1 where a dimension is symbolic or unknown
  std::vector<std::string> dim_params;  // the symbolic names ("batch"), "" where dims has a value
};

struct OnnxOpset {
  std::string domain;  // "" (or "ai.onnx") is ONNX's own
  std::int64_t version = 0;
};

struct OnnxModel {
  std::int64_t ir_version = 0;
  std::int64_t opset = 0;                 // the version imported for the ONNX domain, 0 if none
  std::vector<OnnxOpset> opset_imports;
  std::string producer_name, producer_version, graph_name;
  std::vector<OnnxNode> nodes;            // topological order, as the file lists them
  std::vector<OnnxTensor> initializers;
  std::vector<OnnxValue> inputs, outputs; // inputs may include the initializers (IR < 4 style)

  const OnnxTensor* find_initializer(const std::string& name) const noexcept;
};

// `source` names the data in error messages, e.g.
//   "model.onnx: node 3 (Conv '/conv1/Conv'): attribute 'pads': more than 1048576 ints".
OnnxModel decode_onnx(std::span<const std::uint8_t> bytes, const std::string& source);
OnnxModel read_onnx(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);

// "FLOAT", "INT64", ... for TensorProto.DataType values; "data type N" for unknown ones.
std::string onnx_data_type_name(std::int32_t data_type);

}  // namespace firmnet::io
