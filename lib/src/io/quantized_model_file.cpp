// The .fnq format and the header export; see io/quantized_model_file.hpp.
#include "firmnet/io/quantized_model_file.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "binary.hpp"
#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/kernels/qgemm_ref.hpp"
#include "firmnet/quant/accumulator.hpp"
#include "firmnet/quant/fixed_point.hpp"

namespace firmnet::io {

namespace {

constexpr std::uint8_t kMagic[8] = {0x89, 'F', 'N', 'Q', 0x0D, 0x0A, 0x1A, 0x0A};
constexpr std::size_t kMaxQuantizedFileBytes = std::size_t(1) << 30;
constexpr std::uint32_t kMaxLayers = 1024, kMaxValues = 1u << 24;

std::uint32_t read_le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

void check_layer(const binary::Reader& in, const quant::QuantizedLayer& l, std::size_t index) {
  const std::string name = "layer " + std::to_string(index + 1) + " (" + l.op + ")";
  if (!(std::isfinite(l.input_scale) && l.input_scale > 0 && std::isfinite(l.output_scale) && l.output_scale > 0))
    in.fail(name + " has a scale that is not a finite positive number");
  if (l.input_zero_point < 0 || l.input_zero_point > 255)
    in.fail(name + " has input zero point " + std::to_string(l.input_zero_point) + ", outside [0, 255]");
  if (!(0 <= l.output_min && l.output_min <= l.output_zero_point && l.output_zero_point <= l.output_max &&
        l.output_max <= 255))
    in.fail(name + " needs 0 <= min <= zero point <= max <= 255, has " + std::to_string(l.output_min) + ", " +
            std::to_string(l.output_zero_point) + ", " + std::to_string(l.output_max));
  for (std::size_t i = 0; i < l.weights.size(); ++i)
    if (l.weights[i] < -127) in.fail(name + " weight " + std::to_string(i) + " is -128, outside [-127, 127]");
  const std::size_t fan_in = l.bias.empty() ? 0 : l.weights.size() / l.bias.size();
  for (std::size_t o = 0; o < l.bias.size(); ++o) {
    const std::int32_t m = l.multiplier[o], s = l.shift[o];
    if (std::abs(std::int64_t(l.bias[o])) > quant::max_bias_magnitude(fan_in))
      in.fail(name + " channel " + std::to_string(o) + " has bias " + std::to_string(l.bias[o]) + ": with " +
              std::to_string(fan_in) + " inputs its int32 accumulator could overflow (|bias| + inputs x 255 x 127 > 2^31 - 1)");
    if (!(m == 0 || m >= (std::int32_t(1) << 30)))
      in.fail(name + " channel " + std::to_string(o) + " has multiplier " + std::to_string(m) + ", not 0 or in [2^30, 2^31)");
    if (s < quant::kMinShift || s > quant::kMaxShift)
      in.fail(name + " channel " + std::to_string(o) + " has shift " + std::to_string(s) + ", outside [-31, 30]");
    if (!(std::isfinite(l.weight_scale[o]) && l.weight_scale[o] > 0))
      in.fail(name + " channel " + std::to_string(o) + " has a weight scale that is not a finite positive number");
  }
}

// The spec's layer tokens ("in:784|fc:128+relu|fc:10" -> fc:128+relu, fc:10) must name the
// records' ops in order: the file cannot say one network and hold another.
void check_spec(const binary::Reader& in, const quant::QuantizedModel& m) {
  if (m.spec.rfind("in:", 0) != 0) in.fail("architecture spec '" + m.spec + "' does not start with in:");
  std::vector<std::string> tokens;
  for (std::size_t start = m.spec.find('|'); start != std::string::npos;) {
    const std::size_t next = m.spec.find('|', start + 1);
    tokens.push_back(m.spec.substr(start + 1, next == std::string::npos ? std::string::npos : next - start - 1));
    start = next;
  }
  if (tokens.size() != m.layers.size())
    in.fail("the spec " + m.spec + " has " + std::to_string(tokens.size()) + " layers, the file " +
            std::to_string(m.layers.size()));
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& op = m.layers[i].op;
    if (tokens[i].rfind(op, 0) != 0 || (tokens[i].size() > op.size() && std::string(":+").find(tokens[i][op.size()]) == std::string::npos))
      in.fail("layer " + std::to_string(i + 1) + " is a '" + op + "' record but the spec says " + tokens[i]);
  }
}

// Version 1 (the two-layer net and the linear classifier, int8 logits) read as version 2.
quant::QuantizedModel decode_v1(binary::Reader& in) {
  quant::QuantizedModel m;
  const std::string kind = in.str("model kind");
  const std::uint32_t want_layers = kind == "two-layer" ? 2 : kind == "linear" ? 1 : 0;
  if (want_layers == 0) in.fail("unknown version-1 model kind '" + kind + "'");
  if (const std::uint32_t layers = in.u32("layer count"); layers != want_layers)
    in.fail("a " + kind + " model has " + std::to_string(want_layers) + " layer(s), the file says " + std::to_string(layers));
  for (std::uint32_t index = 0; index < want_layers; ++index) {
    quant::QuantizedLayer l;
    l.op = "fc";
    l.inputs = in.u32("inputs");
    l.outputs = in.u32("outputs");
    if (l.inputs == 0 || l.outputs == 0 || l.inputs > kernels::kQgemmMaxInputs || l.outputs > kernels::kQgemmMaxInputs)
      in.fail("layer " + std::to_string(index + 1) + " shape " + std::to_string(l.inputs) + "x" + std::to_string(l.outputs) +
              " is out of range");
    if (index > 0 && l.inputs != m.layers.back().outputs)
      in.fail("layer " + std::to_string(index + 1) + " takes " + std::to_string(l.inputs) + " inputs but the layer before gives " +
              std::to_string(m.layers.back().outputs));
    l.input_scale = in.f32("input scale");
    l.output_scale = in.f32("output scale");
    l.output_zero_point = in.i32("zero point");
    l.output_min = in.i32("output min");
    l.output_max = in.i32("output max");
    in.array(l.weights, l.inputs * l.outputs, "weights");
    in.array(l.bias, l.outputs, "bias");
    in.array(l.multiplier, l.outputs, "multipliers");
    in.array(l.shift, l.outputs, "shifts");
    in.array(l.weight_scale, l.outputs, "weight scales");
    const bool last = index + 1 == want_layers;
    if (last) {  // int8 logits: the same values as uint8 with every level shifted by 128
      if (!(-128 <= l.output_min && l.output_min <= l.output_zero_point && l.output_zero_point <= l.output_max &&
            l.output_max <= 127))
        in.fail("layer " + std::to_string(index + 1) + " (the logits) needs -128 <= min <= zero point <= max <= 127");
      l.output_zero_point += 128, l.output_min += 128, l.output_max += 128;
    } else if (l.output_zero_point != 0 || l.output_min != 0) {
      in.fail("layer " + std::to_string(index + 1) + " (a hidden layer) needs a uint8 output with zero point 0");
    }
    check_layer(in, l, index);
    m.layers.push_back(std::move(l));
  }
  auto n = [](std::size_t v) { return std::to_string(v); };
  m.spec = kind == "linear" ? "in:" + n(m.layers[0].inputs) + "|fc:" + n(m.layers[0].outputs)
                            : "in:" + n(m.layers[0].inputs) + "|fc:" + n(m.layers[0].outputs) + "+relu|fc:" + n(m.layers[1].outputs);
  return m;
}

}  // namespace

std::vector<std::uint8_t> encode_quantized_model(const quant::QuantizedModel& m) {
  binary::Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kQuantizedModelVersion);
  w.str(m.spec);
  w.u32(static_cast<std::uint32_t>(m.layers.size()));
  for (const auto& l : m.layers) {
    const std::size_t channels = l.bias.size();
    const std::size_t fan_in = channels ? l.weights.size() / channels : 0;
    if (l.weights.size() != channels * fan_in || l.multiplier.size() != channels || l.shift.size() != channels ||
        l.weight_scale.size() != channels)
      throw Error("quantized layer '" + l.op + "': its arrays do not describe " + std::to_string(channels) + " channels");
    w.str(l.op);
    w.u32(static_cast<std::uint32_t>(l.inputs));
    w.u32(static_cast<std::uint32_t>(l.outputs));
    w.u32(static_cast<std::uint32_t>(channels));
    w.u32(static_cast<std::uint32_t>(fan_in));
    w.f32(l.input_scale);
    w.f32(l.output_scale);
    w.i32(l.input_zero_point);
    w.i32(l.output_zero_point);
    w.i32(l.output_min);
    w.i32(l.output_max);
    w.array(l.weights);
    w.array(l.bias);
    w.array(l.multiplier);
    w.array(l.shift);
    w.array(l.weight_scale);
  }
  w.u32(static_cast<std::uint32_t>(m.metadata.size()));
  for (const auto& [k, v] : m.metadata) {
    w.str(k);
    w.str(v);
  }
  auto& bytes = w.bytes();
  w.u32(crc32(bytes.data(), bytes.size()));
  return std::move(bytes);
}

quant::QuantizedModel decode_quantized_model(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() < sizeof kMagic + 8)
    throw Error(source + ": not a firmnet quantized model (only " + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw Error(source + ": not a firmnet quantized model (wrong magic bytes)");
  const std::uint32_t version = read_le32(bytes.data() + 8);
  if (version != 1 && version != kQuantizedModelVersion)
    throw Error(source + ": quantized model format version " + std::to_string(version) +
                " is not supported (this firmnet reads versions 1 and " + std::to_string(kQuantizedModelVersion) + ")");
  const std::size_t body = bytes.size() - 4;
  if (read_le32(bytes.data() + body) != crc32(bytes.data(), body))
    throw Error(source + ": quantized model checksum mismatch: the file is corrupt or truncated");

  binary::Reader in(bytes.first(body), source, "quantized model");
  in.skip(sizeof kMagic + 4);
  quant::QuantizedModel m;
  if (version == 1) {
    m = decode_v1(in);
  } else {
    m.spec = in.str("architecture spec");
    const std::uint32_t layers = in.count("layer count", kMaxLayers);
    if (layers == 0) in.fail("no layers");
    for (std::uint32_t index = 0; index < layers; ++index) {
      quant::QuantizedLayer l;
      l.op = in.str("op");
      const std::string name = "layer " + std::to_string(index + 1);
      if (l.op.empty() || l.op.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        in.fail(name + " has op '" + l.op + "', not a lowercase name");
      l.inputs = in.u32("inputs");
      l.outputs = in.u32("outputs");
      const std::uint32_t channels = in.u32("channels"), fan_in = in.u32("fan-in");
      if (l.inputs == 0 || l.outputs == 0 || l.inputs > kMaxValues || l.outputs > kMaxValues || channels > l.outputs ||
          fan_in > kernels::kQgemmMaxInputs || (channels == 0) != (fan_in == 0))
        in.fail(name + " sizes (" + std::to_string(l.inputs) + " in, " + std::to_string(l.outputs) + " out, " +
                std::to_string(channels) + " channels of " + std::to_string(fan_in) + ") are out of range");
      if (index > 0 && l.inputs != m.layers.back().outputs)
        in.fail(name + " takes " + std::to_string(l.inputs) + " inputs but the layer before gives " +
                std::to_string(m.layers.back().outputs));
      l.input_scale = in.f32("input scale");
      l.output_scale = in.f32("output scale");
      l.input_zero_point = in.i32("input zero point");
      l.output_zero_point = in.i32("output zero point");
      l.output_min = in.i32("output min");
      l.output_max = in.i32("output max");
      in.array(l.weights, std::size_t(channels) * fan_in, "weights");
      in.array(l.bias, channels, "bias");
      in.array(l.multiplier, channels, "multipliers");
      in.array(l.shift, channels, "shifts");
      in.array(l.weight_scale, channels, "weight scales");
      check_layer(in, l, index);
      m.layers.push_back(std::move(l));
    }
    check_spec(in, m);
  }
  const std::uint32_t entries = in.count("metadata count", 4096);
  for (std::uint32_t i = 0; i < entries; ++i) {
    std::string key = in.str("metadata key");
    std::string value = in.str("metadata value");
    for (const auto& kv : m.metadata)  // two values for one key: which one counts would be a guess
      if (kv.first == key) in.fail("metadata key '" + key + "' appears twice");
    m.metadata.emplace_back(std::move(key), std::move(value));
  }
  if (in.left() != 0) in.fail(std::to_string(in.left()) + " unexpected bytes after the metadata");
  return m;
}

void write_quantized_model(const std::string& path, const quant::QuantizedModel& model) {
  const auto bytes = encode_quantized_model(model);
  write_file_atomic(path, bytes.data(), bytes.size());
}

quant::QuantizedModel read_quantized_model(const std::string& path) {
  return decode_quantized_model(read_file(path, kMaxQuantizedFileBytes), path);
}

namespace {

template <class T>
void print_array(std::string& out, const char* type, const std::string& name, const std::vector<T>& v, int per_line) {
  out += "alignas(64) inline constexpr " + std::string(type) + " " + name + "[" + std::to_string(v.size()) + "] = {";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i % per_line == 0) out += "\n    ";
    out += std::to_string(static_cast<long long>(v[i]));
    if (i + 1 < v.size()) out += ",";
  }
  out += "};\n";
}

}  // namespace

bool is_cpp_namespace_name(const std::string& name) {
  static const char* const kKeywords[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
      "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
      "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
      "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if",
      "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
      "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short",
      "signed", "sizeof", "static", "static_assert", "static_cast", "struct", "switch", "template", "this",
      "thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual",
      "void", "volatile", "wchar_t", "while", "xor", "xor_eq"};
  auto identifier = [](const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (const char c : s)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    if (s.find("__") != std::string::npos || (s[0] == '_' && s.size() > 1 && std::isupper(static_cast<unsigned char>(s[1]))))
      return false;  // reserved for the implementation
    for (const char* k : kKeywords)
      if (s == k) return false;
    return true;
  };
  std::size_t start = 0;
  for (;;) {  // name or name::name::...
    const std::size_t sep = name.find("::", start);
    if (!identifier(name.substr(start, sep == std::string::npos ? std::string::npos : sep - start))) return false;
    if (sep == std::string::npos) return true;
    start = sep + 2;
  }
}

void write_quantized_header(const std::string& path, const quant::QuantizedModel& m, std::string_view type_name,
                            const std::string& ns, const std::string& provenance, const TestVectors& vectors) {
  if (!is_cpp_namespace_name(ns))
    throw Error(path + ": '" + ns + "' is not a C++ namespace name (letters, digits and _, not a keyword; a::b nests)");
  std::string out = "// Generated by firmnet's quantize (" + provenance + "); do not edit.\n";
  out += "// The int8 network " + m.spec + ": int8 weights per output channel, int32 bias and\n";
  out += "// requantization, uint8 activations (firmnet/quant/qnetwork.hpp, qparams.hpp).\n";
  out += "#pragma once\n\n#include <cstddef>\n#include <cstdint>\n\n#include \"firmnet/core/label.hpp\"\n";
  out += "#include \"firmnet/quant/qlayers.hpp\"\n#include \"firmnet/quant/qnetwork.hpp\"\n";
  out += "\nnamespace " + ns + " {\n\n";
  std::string inits;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const auto& l = m.layers[i];
    const std::string n = "l" + std::to_string(i + 1);
    std::string arrays[4] = {"nullptr", "nullptr", "nullptr", "nullptr"};
    if (!l.bias.empty()) {
      // The weights as the kernels read them (kernels/qgemm_ref.hpp), not the file's rows.
      std::vector<std::int8_t> packed(kernels::qpacked_size(l.weights.size() / l.bias.size(), l.bias.size()));
      kernels::qpack_weights(l.weights.data(), l.weights.size() / l.bias.size(), l.bias.size(), packed.data());
      out += "// " + n + ": " + std::to_string(l.bias.size()) + " channels x " + std::to_string(l.weights.size() / l.bias.size()) +
             " inputs, packed in quads (firmnet/kernels/qgemm_ref.hpp)\n";
      print_array(out, "std::int8_t", n + "_weights", packed, 32);
      print_array(out, "std::int32_t", n + "_bias", l.bias, 12);
      print_array(out, "std::int32_t", n + "_multiplier", l.multiplier, 8);
      print_array(out, "std::int32_t", n + "_shift", l.shift, 24);
      out += "\n";
      arrays[0] = n + "_weights", arrays[1] = n + "_bias", arrays[2] = n + "_multiplier", arrays[3] = n + "_shift";
    }
    std::string init = "    {";  // appended piece by piece: GCC 12 warns falsely on "literal" + std::string&&
    for (const std::string& part : {arrays[0], arrays[1], arrays[2], arrays[3], std::to_string(l.input_zero_point),
                                    std::to_string(l.output_zero_point), std::to_string(l.output_min),
                                    std::to_string(l.output_max)}) {
      if (init.size() > 5) init += ", ";
      init += part;
    }
    inits += init + "},  // " + l.op + ", " + std::to_string(l.inputs) + " -> " + std::to_string(l.outputs) + "\n";
  }
  out += "using Model = " + std::string(type_name) + ";\n";
  out += "inline constexpr Model model{{{\n" + inits + "}}};\n";
  out += "inline constexpr const char* kDescription = \"int8 " + m.spec + "\";\n";
  out += "\n// " + std::to_string(vectors.count) + " test inputs and what the host computed for them.\n";
  out += "inline constexpr std::size_t kTestImages = " + std::to_string(vectors.count) + ";\n";
  if (vectors.count > 0) {
    print_array(out, "std::uint8_t", "test_images", vectors.images, 28);
    print_array(out, "firmnet::Label", "test_labels", vectors.labels, 32);
    print_array(out, "std::uint8_t", "expected_logits", vectors.logits, 20);
    print_array(out, "firmnet::Label", "expected_predicted", vectors.predicted, 32);
  } else {  // no arrays of size 0 in C++: null pointers that nothing reads
    for (const char* decl : {"const std::uint8_t* test_images", "const firmnet::Label* test_labels",
                             "const std::uint8_t* expected_logits", "const firmnet::Label* expected_predicted"})
      out += std::string("inline constexpr ") + decl + " = nullptr;\n";
  }
  out += "\n}  // namespace " + ns + "\n";
  write_file_atomic(path, out.data(), out.size());
}

}  // namespace firmnet::io
