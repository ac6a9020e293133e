// ONNX model reading over the protobuf cursor of protobuf.hpp; see io/onnx.hpp. Field numbers
// and wire types are those of onnx/onnx.proto (ONNX 1.12, IR version 8).
#include "firmnet/io/onnx.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <set>

#include "elements.hpp"
#include "firmnet/io/error.hpp"
#include "protobuf.hpp"

namespace firmnet::io {

namespace {

using protobuf::Context;
using protobuf::Cursor;
using protobuf::Field;
using protobuf::Frame;
using protobuf::Wire;

constexpr std::int32_t kFloat = 1, kInt32 = 6, kInt64 = 7, kFloat16 = 10, kDouble = 11, kBfloat16 = 16;
constexpr std::int64_t kLocationExternal = 1;
constexpr std::size_t kMaxOpsets = 1024;

std::string quoted(const std::string& s) { return "'" + s.substr(0, 200) + "'"; }

[[noreturn]] void wrong_wire(const Cursor& c, Field f, const char* name, const std::string& expected) {
  c.corrupt(std::string("field ") + name + " (" + std::to_string(f.number) + ") has wire type " + protobuf::wire_name(f.wire) +
            ", expected " + expected);
}
void expect(const Cursor& c, Field f, Wire want, const char* name) {
  if (f.wire != want) wrong_wire(c, f, name, protobuf::wire_name(want));
}

std::int64_t int64_field(Cursor& c, Field f, const char* name) {
  expect(c, f, Wire::varint, name);
  return static_cast<std::int64_t>(c.varint());
}
// proto int32: a varint whose low 32 bits are the value (negative ones are sign-extended).
std::int32_t int32_field(Cursor& c, Field f, const char* name) {
  expect(c, f, Wire::varint, name);
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(c.varint()));
}
std::string string_field(Cursor& c, Field f, const char* name) {
  expect(c, f, Wire::len, name);
  return c.string(name);
}
Cursor message_field(Cursor& c, Field f, const char* name) {
  expect(c, f, Wire::len, name);
  return c.message(name);
}

// A repeated scalar: one value of wire type `scalar`, or a packed run of them.
template <class T, class Read>
void repeated(Cursor& c, Field f, const char* name, Wire scalar, std::vector<T>& out, std::size_t max, Read read) {
  auto push = [&](Cursor& from) {
    if (out.size() == max) c.context().reject("more than " + std::to_string(max) + " values in " + name);
    out.push_back(read(from));
  };
  if (f.wire == scalar) {
    push(c);
    return;
  }
  if (f.wire != Wire::len) wrong_wire(c, f, name, protobuf::wire_name(scalar) + std::string(" or packed length-delimited (2)"));
  Cursor packed = c.message(name);
  while (packed.more()) push(packed);
}
void repeated_int64(Cursor& c, Field f, const char* name, std::vector<std::int64_t>& out, std::size_t max) {
  repeated(c, f, name, Wire::varint, out, max, [](Cursor& p) { return static_cast<std::int64_t>(p.varint()); });
}
void repeated_int32(Cursor& c, Field f, const char* name, std::vector<std::int32_t>& out, std::size_t max) {
  repeated(c, f, name, Wire::varint, out, max,
           [](Cursor& p) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(p.varint())); });
}
void repeated_float(Cursor& c, Field f, const char* name, std::vector<float>& out, std::size_t max) {
  repeated(c, f, name, Wire::i32, out, max, [](Cursor& p) { return std::bit_cast<float>(p.fixed32()); });
}
void repeated_double(Cursor& c, Field f, const char* name, std::vector<double>& out, std::size_t max) {
  repeated(c, f, name, Wire::i64, out, max, [](Cursor& p) { return std::bit_cast<double>(p.fixed64()); });
}
void repeated_string(Cursor& c, Field f, const char* name, std::vector<std::string>& out, std::size_t max) {
  if (out.size() == max) c.context().reject("more than " + std::to_string(max) + " " + name);
  out.push_back(string_field(c, f, name));
}

bool stored_type(std::int32_t data_type, StoredType& out) {
  switch (data_type) {
    case kFloat: out = StoredType::f32; return true;
    case kDouble: out = StoredType::f64; return true;
    case kFloat16: out = StoredType::f16; return true;
    case kBfloat16: out = StoredType::bf16; return true;
    case kInt32: out = StoredType::i32; return true;
    case kInt64: out = StoredType::i64; return true;
    default: return false;
  }
}

class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, const std::string& source) : bytes_(bytes), ctx_(source, "ONNX model") {}

  OnnxModel model() {
    OnnxModel m;
    Cursor c(bytes_, 0, bytes_.size(), ctx_);
    bool have_graph = false;
    while (c.more()) {
      const Field f = c.next();
      switch (f.number) {
        case 1: m.ir_version = int64_field(c, f, "ir_version"); break;
        case 2: m.producer_name = string_field(c, f, "producer_name"); break;
        case 3: m.producer_version = string_field(c, f, "producer_version"); break;
        case 7: {
          if (have_graph) c.corrupt("the field graph appears twice");
          Cursor g = message_field(c, f, "graph");
          graph(g, m);
          have_graph = true;
          break;
        }
        case 8: {
          if (m.opset_imports.size() == kMaxOpsets) ctx_.reject("more than " + std::to_string(kMaxOpsets) + " opset imports");
          Frame frame(ctx_, "opset_import " + std::to_string(m.opset_imports.size()));
          Cursor o = message_field(c, f, "opset_import");
          m.opset_imports.push_back(opset(o));
          break;
        }
        default: c.skip(f);
      }
    }
    if (m.ir_version < 1) ctx_.reject("ir_version is missing or not positive: not an ONNX model?");
    if (!have_graph) ctx_.reject("the model has no graph");
    for (const auto& o : m.opset_imports)
      if (o.domain.empty() || o.domain == "ai.onnx") m.opset = std::max(m.opset, o.version);
    return m;
  }

 private:
  OnnxOpset opset(Cursor& c) {
    OnnxOpset o;
    while (c.more()) {
      const Field f = c.next();
      if (f.number == 1) o.domain = string_field(c, f, "domain");
      else if (f.number == 2) o.version = int64_field(c, f, "version");
      else c.skip(f);
    }
    return o;
  }

  void graph(Cursor& c, OnnxModel& m) {
    std::set<std::string> initializer_names;
    while (c.more()) {
      const Field f = c.next();
      switch (f.number) {
        case 1: {
          if (m.nodes.size() == kMaxOnnxNodes) ctx_.reject("more than " + std::to_string(kMaxOnnxNodes) + " nodes");
          Cursor n = message_field(c, f, "node");
          m.nodes.push_back(node(n, m.nodes.size()));
          break;
        }
        case 2: m.graph_name = string_field(c, f, "name"); break;
        case 5: {
          if (m.initializers.size() == kMaxOnnxInitializers)
            ctx_.reject("more than " + std::to_string(kMaxOnnxInitializers) + " initializers");
          Frame frame(ctx_, "initializer " + std::to_string(m.initializers.size()));
          Cursor t = message_field(c, f, "initializer");
          m.initializers.push_back(tensor(t, frame, "initializer " + std::to_string(m.initializers.size())));
          if (!initializer_names.insert(m.initializers.back().name).second) ctx_.reject("the name appears twice among the initializers");
          break;
        }
        case 11:
        case 12: {
          auto& values = f.number == 11 ? m.inputs : m.outputs;
          const std::string kind = f.number == 11 ? "input" : "output";
          if (values.size() == kMaxOnnxGraphValues) ctx_.reject("more than " + std::to_string(kMaxOnnxGraphValues) + " graph " + kind + "s");
          Frame frame(ctx_, "graph " + kind + " " + std::to_string(values.size()));
          Cursor v = message_field(c, f, kind.c_str());
          values.push_back(value_info(v, frame, "graph " + kind + " " + std::to_string(values.size())));
          break;
        }
        case 15: ctx_.reject("sparse initializers are not supported");
        default: c.skip(f);
      }
    }
  }

  OnnxNode node(Cursor& c, std::size_t index) {
    OnnxNode n;
    const std::string number = "node " + std::to_string(index);
    Frame frame(ctx_, number);
    auto relabel = [&] {
      std::string inside = n.op_type;
      if (!n.name.empty()) inside += (inside.empty() ? "" : " ") + quoted(n.name);
      frame.label(inside.empty() ? number : number + " (" + inside + ")");
    };
    while (c.more()) {
      const Field f = c.next();
      switch (f.number) {
        case 1: repeated_string(c, f, "input", n.inputs, kMaxOnnxNodeValues); break;
        case 2: repeated_string(c, f, "output", n.outputs, kMaxOnnxNodeValues); break;
        case 3:
          n.name = string_field(c, f, "name");
          relabel();
          break;
        case 4:
          n.op_type = string_field(c, f, "op_type");
          relabel();
          break;
        case 5: {
          if (n.attributes.size() == kMaxOnnxAttributes) ctx_.reject("more than " + std::to_string(kMaxOnnxAttributes) + " attributes");
          Cursor a = message_field(c, f, "attribute");
          n.attributes.push_back(attribute(a, n.attributes.size()));
          break;
        }
        case 7: n.domain = string_field(c, f, "domain"); break;
        default: c.skip(f);
      }
    }
    return n;
  }

  OnnxAttribute attribute(Cursor& c, std::size_t index) {
    OnnxAttribute a;
    Frame frame(ctx_, "attribute " + std::to_string(index));
    bool has_type = false, has_t = false;
    while (c.more()) {
      const Field f = c.next();
      switch (f.number) {
        case 1:
          a.name = string_field(c, f, "name");
          frame.label("attribute " + quoted(a.name));
          break;
        case 2:
          expect(c, f, Wire::i32, "f");
          a.f = std::bit_cast<float>(c.fixed32());
          break;
        case 3: a.i = int64_field(c, f, "i"); break;
        case 4: a.s = string_field(c, f, "s"); break;
        case 5: {
          if (has_t) c.corrupt("the field t appears twice");
          Frame tensor_frame(ctx_, "tensor");
          Cursor t = message_field(c, f, "t");
          a.t = tensor(t, tensor_frame, "tensor");
          has_t = true;
          break;
        }
        case 7: repeated_float(c, f, "floats", a.floats, kMaxOnnxListLength); break;
        case 8: repeated_int64(c, f, "ints", a.ints, kMaxOnnxListLength); break;
        case 9: repeated_string(c, f, "strings", a.strings, kMaxOnnxListLength); break;
        case 20: {
          const std::int32_t type = int32_field(c, f, "type");
          if (type < 1 || type > 14) ctx_.reject("unknown attribute type " + std::to_string(type));
          a.type = static_cast<OnnxAttributeType>(type);
          has_type = true;
          break;
        }
        default: c.skip(f);
      }
    }
    if (!has_type) ctx_.reject("the attribute has no type (files of IR version 1 are not supported)");
    if (a.type == OnnxAttributeType::t && !has_t) ctx_.reject("a TENSOR attribute without its tensor");
    return a;
  }

  OnnxTensor tensor(Cursor& c, Frame& frame, const std::string& label) {
    OnnxTensor t;
    std::vector<std::int64_t> dims, int64s;
    std::vector<std::int32_t> int32s;
    std::vector<float> floats;
    std::vector<double> doubles;
    std::span<const std::uint8_t> raw;
    bool has_raw = false, external = false, segment = false;
    std::int32_t data_type = 0;
    while (c.more()) {
      const Field f = c.next();
      switch (f.number) {
        case 1: repeated_int64(c, f, "dims", dims, kMaxOnnxDims); break;
        case 2: data_type = int32_field(c, f, "data_type"); break;
        case 3:
          expect(c, f, Wire::len, "segment");
          c.skip(f);
          segment = true;
          break;
        case 4: repeated_float(c, f, "float_data", floats, std::numeric_limits<std::size_t>::max()); break;
        case 5: repeated_int32(c, f, "int32_data", int32s, std::numeric_limits<std::size_t>::max()); break;
        case 7: repeated_int64(c, f, "int64_data", int64s, std::numeric_limits<std::size_t>::max()); break;
        case 8:
          t.name = string_field(c, f, "name");
          frame.label(label + " (" + quoted(t.name) + ")");
          break;
        case 9:
          expect(c, f, Wire::len, "raw_data");
          raw = c.bytes("raw_data");
          has_raw = true;
          break;
        case 10: repeated_double(c, f, "double_data", doubles, std::numeric_limits<std::size_t>::max()); break;
        case 13:
          expect(c, f, Wire::len, "external_data");
          c.skip(f);
          external = true;
          break;
        case 14:
          if (int32_field(c, f, "data_location") == kLocationExternal) external = true;
          break;
        default: c.skip(f);
      }
    }
    if (external) ctx_.reject("the data is stored in an external file, which is not supported (export with the weights inside)");
    if (segment) ctx_.reject("segmented tensors are not supported");
    if (data_type == 0) ctx_.reject("the tensor has no data type");
    if (!stored_type(data_type, t.array.stored))
      ctx_.reject("data type " + onnx_data_type_name(data_type) + " (" + std::to_string(data_type) +
                  ") is not supported (this firmnet reads FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT32, INT64)");
    for (const auto d : dims) {
      if (d < 0) ctx_.reject("negative dimension " + std::to_string(d));
      if (std::uint64_t(d) > std::numeric_limits<std::size_t>::max()) ctx_.reject("a dimension too large for this machine");
      t.array.shape.push_back(static_cast<std::size_t>(d));
    }
    const std::size_t item = elements::size_of(t.array.stored);
    std::size_t n = 0;
    if (!elements::count(t.array.shape, std::numeric_limits<std::size_t>::max() / item, n))
      ctx_.reject("dims " + shape_string(t.array.shape) + " are too large: the byte count overflows");
    const std::string type_name = onnx_data_type_name(data_type);
    const std::string need = "dims " + shape_string(t.array.shape) + " of " + type_name + " need " + std::to_string(n) + " values";

    // The field that holds this type's values, if not raw_data.
    const bool in_floats = data_type == kFloat, in_doubles = data_type == kDouble, in_int64s = data_type == kInt64;
    const bool in_int32s = data_type == kInt32 || data_type == kFloat16 || data_type == kBfloat16;
    auto wrong = [&](bool present, bool expected, const char* field) {
      if (present && !expected) ctx_.reject(std::string(field) + " given for a tensor of data type " + type_name);
      if (present && has_raw) ctx_.reject(std::string("both raw_data and ") + field + " given");
    };
    wrong(!floats.empty(), in_floats, "float_data");
    wrong(!doubles.empty(), in_doubles, "double_data");
    wrong(!int32s.empty(), in_int32s, "int32_data");
    wrong(!int64s.empty(), in_int64s, "int64_data");

    if (has_raw) {
      if (raw.size() != n * item)
        ctx_.reject("raw_data holds " + std::to_string(raw.size()) + " bytes, " + need + " (" + std::to_string(n * item) + " bytes)");
      elements::load(t.array, raw.data(), n);
      return t;
    }
    const std::size_t have = floats.size() + doubles.size() + int32s.size() + int64s.size();  // one of them at most
    if (have != n) ctx_.reject("the data holds " + std::to_string(have) + " values, " + need);
    if (in_floats) t.array.values = std::move(floats);
    if (in_doubles) t.array.values.assign(doubles.begin(), doubles.end());  // IEC 60559 rounding, as elements::load
    if (in_int64s) t.array.ints = std::move(int64s);
    if (data_type == kInt32) t.array.ints.assign(int32s.begin(), int32s.end());
    if (data_type == kFloat16 || data_type == kBfloat16) {
      for (const auto bits : int32s) {
        if (bits < 0 || bits > 0xFFFF) ctx_.reject("int32_data value " + std::to_string(bits) + " is not a 16-bit pattern");
        const auto b = static_cast<std::uint16_t>(bits);
        t.array.values.push_back(data_type == kFloat16 ? elements::half_to_float(b) : elements::bfloat16_to_float(b));
      }
    }
    return t;
  }

  OnnxValue value_info(Cursor& c, Frame& frame, const std::string& label) {
    OnnxValue v;
    bool has_type = false;
    while (c.more()) {
      const Field f = c.next();
      if (f.number == 1) {
        v.name = string_field(c, f, "name");
        frame.label(label + " (" + quoted(v.name) + ")");
      } else if (f.number == 2) {
        if (has_type) c.corrupt("the field type appears twice");
        Cursor t = message_field(c, f, "type");
        type_proto(t, v);
        has_type = true;
      } else {
        c.skip(f);
      }
    }
    return v;
  }

  // TypeProto: only tensor_type is read; sequences, maps, optionals leave elem_type 0.
  void type_proto(Cursor& c, OnnxValue& v) {
    bool has_tensor = false;
    while (c.more()) {
      const Field f = c.next();
      if (f.number != 1) {
        c.skip(f);
        continue;
      }
      if (has_tensor) c.corrupt("the field tensor_type appears twice");
      Cursor t = message_field(c, f, "tensor_type");
      has_tensor = true;
      while (t.more()) {
        const Field g = t.next();
        if (g.number == 1) {
          v.elem_type = int32_field(t, g, "elem_type");
        } else if (g.number == 2) {
          if (v.has_shape) t.corrupt("the field shape appears twice");
          Cursor s = message_field(t, g, "shape");
          shape(s, v);
        } else {
          t.skip(g);
        }
      }
    }
  }

  void shape(Cursor& c, OnnxValue& v) {
    v.has_shape = true;
    while (c.more()) {
      const Field f = c.next();
      if (f.number != 1) {
        c.skip(f);
        continue;
      }
      if (v.dims.size() == kMaxOnnxDims) ctx_.reject("more than " + std::to_string(kMaxOnnxDims) + " dimensions");
      Cursor d = message_field(c, f, "dim");
      std::int64_t value = -1;
      std::string param;
      while (d.more()) {
        const Field g = d.next();
        if (g.number == 1) {  // oneof value: the last of dim_value and dim_param wins
          value = int64_field(d, g, "dim_value");
          if (value < 0) ctx_.reject("negative dimension " + std::to_string(value));
          param.clear();
        } else if (g.number == 2) {
          param = string_field(d, g, "dim_param");
          value = -1;
        } else {
          d.skip(g);
        }
      }
      v.dims.push_back(value);
      v.dim_params.push_back(std::move(param));
    }
  }

  std::span<const std::uint8_t> bytes_;
  Context ctx_;
};

}  // namespace

const OnnxAttribute* OnnxNode::find_attribute(std::string_view attribute_name) const noexcept {
  for (const auto& a : attributes)
    if (a.name == attribute_name) return &a;
  return nullptr;
}

const OnnxTensor* OnnxModel::find_initializer(const std::string& name) const noexcept {
  for (const auto& t : initializers)
    if (t.name == name) return &t;
  return nullptr;
}

std::string onnx_data_type_name(std::int32_t data_type) {
  static const char* const kNames[] = {"UNDEFINED", "FLOAT",  "UINT8",  "INT8",      "UINT16",     "INT16",
                                       "INT32",     "INT64",  "STRING", "BOOL",      "FLOAT16",    "DOUBLE",
                                       "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  if (data_type >= 0 && data_type < std::int32_t(std::size(kNames))) return kNames[data_type];
  return "data type " + std::to_string(data_type);
}

OnnxModel decode_onnx(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0)
    throw Error(source + ": a ZIP archive (a PyTorch .pt/.pth file or an .npz?), not an ONNX model: export it with "
                         "torch.onnx.export");
  return Reader(bytes, source).model();
}

OnnxModel read_onnx(const std::string& path, std::size_t max_bytes) { return decode_onnx(read_file_raw(path, max_bytes), path); }

}  // namespace firmnet::io
