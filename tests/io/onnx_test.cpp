// io/onnx.hpp: a model torch.onnx.export wrote and one ONNX's helper wrote (every tensor
// encoding, every attribute kind) read into the values PyTorch holds; unknown fields of every
// wire type are skipped; corrupt wire data, unsupported tensors and missing parts are named
// with the node or tensor; no truncation gives a partial graph.
#include <catch2/catch.hpp>

#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/onnx.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

// A protobuf message written field by field, for hand-made (and hand-broken) models.
struct Pb {
  std::vector<std::uint8_t> b;

  Pb& varint(std::uint64_t v) {
    while (v >= 0x80) {
      b.push_back(std::uint8_t(v | 0x80));
      v >>= 7;
    }
    b.push_back(std::uint8_t(v));
    return *this;
  }
  Pb& tag(std::uint32_t field, unsigned wire) { return varint((std::uint64_t(field) << 3) | wire); }
  Pb& u(std::uint32_t field, std::uint64_t v) { return tag(field, 0).varint(v); }
  Pb& str(std::uint32_t field, const std::string& s) {
    tag(field, 2).varint(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Pb& msg(std::uint32_t field, const Pb& m) { return str(field, std::string(m.b.begin(), m.b.end())); }
  Pb& f32(std::uint32_t field, float f) {
    tag(field, 5);
    const auto v = std::bit_cast<std::uint32_t>(f);
    for (int i = 0; i < 4; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    return *this;
  }
  Pb& raw(std::initializer_list<std::uint8_t> bytes) {
    b.insert(b.end(), bytes.begin(), bytes.end());
    return *this;
  }
};

Pb float_tensor(const std::string& name, std::vector<std::int64_t> dims, std::vector<float> values) {
  Pb t;
  for (const auto d : dims) t.u(1, std::uint64_t(d));
  t.u(2, 1);
  for (const float v : values) t.f32(4, v);
  return t.str(8, name);
}

// ir_version 8, opset 13, a graph holding `graph`'s fields and a Relu node.
Pb model_with(const Pb& graph) {
  Pb g = graph;
  g.msg(1, Pb().str(1, "x").str(2, "y").str(3, "relu").str(4, "Relu"));
  return Pb().u(1, 8).msg(7, g).msg(8, Pb().u(2, 13));
}

io::OnnxModel decode(const Pb& m) { return io::decode_onnx(m.b, "m.onnx"); }

void fails(const Pb& m, const std::string& message) {
  CAPTURE(message);
  REQUIRE_THROWS_WITH(decode(m), Contains("m.onnx: ") && Contains(message));
}
}  // namespace

TEST_CASE("onnx: a model torch.onnx.export wrote holds PyTorch's weights", "[io][onnx]") {
  const io::OnnxModel m = io::read_onnx(fixture("small_cnn.onnx"));
  REQUIRE(m.ir_version == 7);
  REQUIRE(m.opset == 14);
  REQUIRE(m.producer_name == "pytorch");
  REQUIRE(m.producer_version == "1.13.0");
  REQUIRE(m.graph_name == "torch_jit");
  REQUIRE(m.nodes.size() == 12);
  const io::OnnxNode& conv = m.nodes[0];
  REQUIRE(conv.op_type == "Conv");
  REQUIRE(conv.name == "/conv1/Conv");
  REQUIRE(conv.domain.empty());
  REQUIRE(conv.inputs == std::vector<std::string>{"input", "conv1.weight", "conv1.bias"});
  REQUIRE(conv.outputs == std::vector<std::string>{"/conv1/Conv_output_0"});
  REQUIRE(conv.find_attribute("pads")->type == io::OnnxAttributeType::ints);
  REQUIRE(conv.find_attribute("pads")->ints == std::vector<std::int64_t>{1, 1, 1, 1});
  REQUIRE(conv.find_attribute("kernel_shape")->ints == std::vector<std::int64_t>{3, 3});
  REQUIRE(conv.find_attribute("group")->type == io::OnnxAttributeType::i);
  REQUIRE(conv.find_attribute("group")->i == 1);
  REQUIRE(conv.find_attribute("nope") == nullptr);
  REQUIRE(m.nodes[2].op_type == "MaxPool");
  const io::OnnxNode& constant = m.nodes[4];  // the index of x.shape[0] for the reshape
  REQUIRE(constant.op_type == "Constant");
  REQUIRE(constant.find_attribute("value")->type == io::OnnxAttributeType::t);
  REQUIRE(constant.find_attribute("value")->t.array.stored == io::StoredType::i64);
  REQUIRE(constant.find_attribute("value")->t.array.shape.empty());
  REQUIRE(constant.find_attribute("value")->t.array.ints == std::vector<std::int64_t>{0});
  const io::OnnxNode& gemm = m.nodes[11];
  REQUIRE(gemm.op_type == "Gemm");
  REQUIRE(gemm.find_attribute("alpha")->type == io::OnnxAttributeType::f);
  REQUIRE(gemm.find_attribute("alpha")->f == 1.f);
  REQUIRE(gemm.find_attribute("transB")->i == 1);

  REQUIRE(m.inputs.size() == 1);
  REQUIRE(m.inputs[0].name == "input");
  REQUIRE(m.inputs[0].elem_type == 1);
  REQUIRE(m.inputs[0].has_shape);
  REQUIRE(m.inputs[0].dims == std::vector<std::int64_t>{-1, 1, 8, 8});
  REQUIRE(m.inputs[0].dim_params == std::vector<std::string>{"batch", "", "", ""});
  REQUIRE(m.outputs[0].dims == std::vector<std::int64_t>{-1, 10});

  // Every weight equals the state_dict the same script saved with np.savez.
  const io::Npz reference = io::read_npz(fixture("small_cnn_reference.npz"));
  REQUIRE(m.initializers.size() == 4);
  for (const char* name : {"conv1.weight", "conv1.bias", "fc.weight", "fc.bias"}) {
    CAPTURE(name);
    const io::OnnxTensor* t = m.find_initializer(name);
    REQUIRE(t);
    REQUIRE(t->array.stored == io::StoredType::f32);
    REQUIRE(t->array.shape == reference.find(name)->shape);
    REQUIRE(t->array.values == reference.find(name)->values);
  }
  REQUIRE(m.find_initializer("fc.weight")->array.shape == std::vector<std::size_t>{10, 64});
  REQUIRE(m.find_initializer("input") == nullptr);
}

TEST_CASE("onnx: every tensor encoding and attribute kind ONNX's helper writes", "[io][onnx]") {
  const io::OnnxModel m = io::read_onnx(fixture("helper_model.onnx"));
  REQUIRE(m.ir_version == 8);
  REQUIRE(m.opset == 13);
  REQUIRE(m.opset_imports.size() == 2);
  REQUIRE(m.opset_imports[1].domain == "com.example");
  REQUIRE(m.opset_imports[1].version == 1);
  REQUIRE(m.producer_name == "make_fixtures.py");
  REQUIRE(m.graph_name == "helper_graph");

  REQUIRE(m.find_initializer("w_float_data")->array.values == std::vector<float>{1, -2, 0.25f, 8});
  REQUIRE(m.find_initializer("w_float_data")->array.shape == std::vector<std::size_t>{2, 2});
  REQUIRE(m.find_initializer("w_raw")->array.values == std::vector<float>{0.5f, 1.5f, -4});
  const io::NdArray& d = m.find_initializer("d_double")->array;
  REQUIRE(d.stored == io::StoredType::f64);
  REQUIRE(d.values == std::vector<float>{0.1f, -7});
  REQUIRE(m.find_initializer("shape_i64")->array.ints == std::vector<std::int64_t>{-1, 4});
  const io::NdArray& h = m.find_initializer("h_f16")->array;
  REQUIRE(h.stored == io::StoredType::f16);
  REQUIRE(h.values == std::vector<float>{1, -0.5f});
  REQUIRE(m.find_initializer("scalar")->array.shape.empty());
  REQUIRE(m.find_initializer("scalar")->array.values == std::vector<float>{3});

  REQUIRE(m.nodes.size() == 4);
  const io::OnnxNode& custom = m.nodes[2];
  REQUIRE(custom.domain == "com.example");
  REQUIRE(custom.find_attribute("floats")->floats == std::vector<float>{1, 2.5f});
  REQUIRE(custom.find_attribute("ints")->ints == std::vector<std::int64_t>{3, -4});
  REQUIRE(custom.find_attribute("label")->type == io::OnnxAttributeType::s);
  REQUIRE(custom.find_attribute("label")->s == "hello");
  REQUIRE(custom.find_attribute("names")->strings == std::vector<std::string>{"a", "b"});
  REQUIRE(custom.find_attribute("value")->t.name == "v");
  REQUIRE(custom.find_attribute("value")->t.array.ints == std::vector<std::int64_t>{42});
  const io::OnnxNode& branch = m.nodes[3];
  REQUIRE(branch.op_type == "If");
  REQUIRE(branch.find_attribute("then_branch")->type == io::OnnxAttributeType::g);  // the subgraph is skipped

  REQUIRE(m.inputs.size() == 2);
  REQUIRE(m.inputs[1].name == "cond");
  REQUIRE(m.inputs[1].elem_type == 9);  // BOOL: a graph input, not a tensor read
  REQUIRE(m.inputs[1].dims.empty());
  REQUIRE(m.outputs[0].dims == std::vector<std::int64_t>{-1, -1});
  REQUIRE(m.outputs[0].dim_params == std::vector<std::string>{"batch", ""});
}

TEST_CASE("onnx: no truncation gives a partial graph, and flipped bytes never crash", "[io][onnx]") {
  for (const char* name : {"small_cnn.onnx", "helper_model.onnx"}) {
    CAPTURE(name);
    const auto bytes = test::read_bytes(fixture(name));
    const io::OnnxModel whole = io::decode_onnx(bytes, name);
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      CAPTURE(len);
      try {
        // A cut between top-level fields leaves a shorter valid model: the graph must be whole.
        const io::OnnxModel m = io::decode_onnx(std::span(bytes).first(len), name);
        REQUIRE(m.nodes.size() == whole.nodes.size());
        REQUIRE(m.initializers.size() == whole.initializers.size());
      } catch (const io::Error&) {
      }
    }
    for (std::size_t i = 0; i < bytes.size(); ++i)
      for (const std::uint8_t bit : {0x01, 0x40, 0x80}) {
        auto bad = bytes;
        bad[i] ^= bit;
        CAPTURE(i, bit);
        try {
          io::decode_onnx(bad, name);
        } catch (const io::Error&) {
        }
      }
  }
}

TEST_CASE("onnx: unknown fields of every wire type are skipped", "[io][onnx]") {
  Pb unknown;
  unknown.u(900, 7).tag(901, 1).raw({1, 2, 3, 4, 5, 6, 7, 8}).str(902, "skip me").f32(903, 1.5f);
  unknown.tag(904, 3).u(1, 5).tag(905, 3).str(2, "nested").tag(905, 4).tag(904, 4);  // a group holding a group
  Pb graph = unknown;
  Pb t = float_tensor("w", {2}, {1, 2});
  t.b.insert(t.b.end(), unknown.b.begin(), unknown.b.end());
  graph.msg(5, t);
  Pb m = model_with(graph);
  m.b.insert(m.b.end(), unknown.b.begin(), unknown.b.end());
  const io::OnnxModel model = decode(m);
  REQUIRE(model.find_initializer("w")->array.values == std::vector<float>{1, 2});
  REQUIRE(model.nodes[0].op_type == "Relu");
  REQUIRE(model.opset == 13);
}

TEST_CASE("onnx: corrupt wire data is named with the place and the byte", "[io][onnx]") {
  fails(Pb().tag(1, 0).raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}),
        "corrupt ONNX model: varint overflows 64 bits (at byte 10)");
  fails(Pb().tag(1, 0).raw({0x80, 0x80}), "corrupt ONNX model: truncated varint (at byte 3)");
  fails(Pb().u(1, 8).tag(7, 2).varint(1000).raw({1, 2, 3}),
        "length 1000 of graph runs past the end of its message (3 bytes left) (at byte 3)");
  fails(Pb().str(1, "8"), "field ir_version (1) has wire type length-delimited (2), expected varint (0) (at byte 1)");
  fails(model_with(Pb().msg(5, Pb().tag(1, 5).raw({1, 0, 0, 0}))),
        "initializer 0: field dims (1) has wire type 32-bit (5), expected varint (0) or packed length-delimited (2)");
  fails(Pb().tag(3, 6), "invalid wire type 6 (field 3) (at byte 0)");
  fails(Pb().raw({0x02}), "field number 0 is invalid");
  fails(Pb().tag(9, 4), "end-group (field 9) without a start-group");
  fails(Pb().tag(9, 3).tag(10, 4), "end-group of field 10 closes the group of field 9");
  fails(Pb().tag(9, 3).u(1, 1), "group (field 9) without its end-group");
  Pb deep;
  for (int i = 0; i < 33; ++i) deep.tag(9, 3);
  fails(deep, "groups nested deeper than 32");
  fails(model_with(Pb().msg(5, Pb().u(2, 1).tag(4, 2).varint(6).raw({0, 0, 0, 0, 0, 0}))),
        "initializer 0: truncated 32-bit value");
  // The node is named once its op_type and name are read.
  Pb conv;
  conv.str(3, "conv1").str(4, "Conv").msg(5, Pb().str(1, "pads").u(20, 7).tag(8, 2).varint(2).raw({0x80, 0x80}));
  fails(model_with(Pb().msg(1, conv)), "corrupt ONNX model: node 0 (Conv 'conv1'): attribute 'pads': truncated varint");
  fails(model_with(Pb().msg(1, Pb().str(4, "Add").msg(5, Pb().str(1, "x").u(20, 2).str(3, "1")))),
        "node 0 (Add): attribute 'x': field i (3) has wire type length-delimited (2), expected varint (0)");
  fails(Pb().u(1, 8).msg(7, Pb()).msg(7, Pb()), "the field graph appears twice");
}

TEST_CASE("onnx: unsupported or inconsistent tensors and models are named", "[io][onnx]") {
  REQUIRE(decode(model_with(Pb().msg(5, float_tensor("w", {2}, {1, 2})))).initializers.size() == 1);
  auto tensor_fails = [](const Pb& t, const std::string& message) { fails(model_with(Pb().msg(5, t)), message); };
  tensor_fails(Pb().u(1, 2).u(2, 9).str(9, std::string(2, '\1')).str(8, "mask"),
               "m.onnx: initializer 0 ('mask'): data type BOOL (9) is not supported (this firmnet reads FLOAT, DOUBLE, "
               "FLOAT16, BFLOAT16, INT32, INT64)");
  tensor_fails(Pb().u(1, 2).u(2, 1).str(8, "w").msg(13, Pb().str(1, "location").str(2, "w.bin")).u(14, 1),
               "initializer 0 ('w'): the data is stored in an external file, which is not supported");
  tensor_fails(Pb().u(1, 2).u(2, 1).str(8, "w").str(9, std::string(7, '\0')),
               "initializer 0 ('w'): raw_data holds 7 bytes, dims (2,) of FLOAT need 2 values (8 bytes)");
  tensor_fails(float_tensor("w", {3}, {1, 2}), "initializer 0 ('w'): the data holds 2 values, dims (3,) of FLOAT need 3 values");
  tensor_fails(Pb().u(1, 1).u(2, 7).f32(4, 1).str(8, "s"), "initializer 0 ('s'): float_data given for a tensor of data type INT64");
  tensor_fails(float_tensor("w", {1}, {1}).str(9, std::string(4, '\0')), "both raw_data and float_data given");
  tensor_fails(Pb().u(1, std::uint64_t(-2)).u(2, 1).str(8, "w"), "initializer 0 ('w'): negative dimension -2");
  tensor_fails(Pb().u(1, 1).str(8, "w"), "initializer 0 ('w'): the tensor has no data type");
  tensor_fails(Pb().u(1, 1).u(2, 10).u(5, 70000).str(8, "h"), "int32_data value 70000 is not a 16-bit pattern");
  tensor_fails(Pb().u(1, 1).u(2, 1).msg(3, Pb().u(1, 0).u(2, 1)).f32(4, 1), "segmented tensors are not supported");
  Pb many;
  for (int i = 0; i < 65; ++i) many.u(1, 1);
  tensor_fails(many.u(2, 1).f32(4, 1), "initializer 0: more than 64 values in dims");
  fails(model_with(Pb().msg(5, float_tensor("w", {1}, {1})).msg(5, float_tensor("w", {1}, {2}))),
        "initializer 1 ('w'): the name appears twice among the initializers");
  fails(model_with(Pb().msg(15, Pb())), "m.onnx: sparse initializers are not supported");
  fails(model_with(Pb().msg(1, Pb().str(4, "Add").msg(5, Pb().str(1, "x").u(3, 1)))),
        "m.onnx: node 0 (Add): attribute 'x': the attribute has no type (files of IR version 1 are not supported)");
  fails(model_with(Pb().msg(1, Pb().str(4, "Add").msg(5, Pb().str(1, "x").u(20, 99)))), "attribute 'x': unknown attribute type 99");
  fails(model_with(Pb().msg(1, Pb().str(4, "Constant").msg(5, Pb().str(1, "value").u(20, 4)))),
        "node 0 (Constant): attribute 'value': a TENSOR attribute without its tensor");
  const Pb dim = Pb().u(1, std::uint64_t(-3));                      // Dimension.dim_value
  const Pb tensor_type = Pb().u(1, 1).msg(2, Pb().msg(1, dim));      // elem_type, shape.dim
  const Pb value = Pb().str(1, "x").msg(2, Pb().msg(1, tensor_type));  // name, type.tensor_type
  fails(model_with(Pb().msg(11, value)), "graph input 0 ('x'): negative dimension -3");
  fails(Pb().u(1, 8), "m.onnx: the model has no graph");
  fails(Pb(), "m.onnx: ir_version is missing or not positive: not an ONNX model?");
  REQUIRE_THROWS_WITH(io::read_onnx(fixture("savez.npz")),
                      Contains("savez.npz: a ZIP archive (a PyTorch .pt/.pth file or an .npz?), not an ONNX model"));
}
