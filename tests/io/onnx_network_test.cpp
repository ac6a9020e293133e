// io/onnx_network.hpp: the CNN torch.onnx.export wrote (x.view(x.size(0), -1) and all) becomes
// its firmnet network, whose float forward on the mapped weights gives PyTorch's logits; MatMul +
// Add is a dense layer; every op, attribute and graph shape firmnet cannot run is refused,
// naming the node, its op and what to do.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/onnx.hpp"
#include "firmnet/io/onnx_network.hpp"
#include "firmnet/io/torch_layout.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

io::NdArray filled(std::vector<std::size_t> shape) {
  io::NdArray a;
  a.shape = std::move(shape);
  a.values.resize(a.count());
  for (std::size_t i = 0; i < a.values.size(); ++i) a.values[i] = float(i % 7) - 3.0f;
  return a;
}

io::OnnxAttribute ints(const char* name, std::vector<std::int64_t> v) {
  io::OnnxAttribute a;
  a.name = name;
  a.type = io::OnnxAttributeType::ints;
  a.ints = std::move(v);
  return a;
}

io::OnnxAttribute integer(const char* name, std::int64_t v) {
  io::OnnxAttribute a;
  a.name = name;
  a.type = io::OnnxAttributeType::i;
  a.i = v;
  return a;
}

io::OnnxNode node(const char* op, const char* name, std::vector<std::string> in, std::vector<std::string> out,
                  std::vector<io::OnnxAttribute> attributes = {}) {
  io::OnnxNode n;
  n.op_type = op;
  n.name = name;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.attributes = std::move(attributes);
  return n;
}

// A graph on a (batch, 1, 8, 8) image with a conv weight "cw" (4, 1, 3, 3), "cb" (4), a dense
// weight "fw" (10, 64) for transB and "b" (10); nodes and output are the test's.
io::OnnxModel graph(std::vector<io::OnnxNode> nodes, const std::string& output) {
  io::OnnxModel m;
  m.inputs = {{"x", 1, true, {-1, 1, 8, 8}, {"batch", "", "", ""}}};
  m.initializers = {{"cw", filled({4, 1, 3, 3})}, {"cb", filled({4})}, {"fw", filled({10, 64})}, {"b", filled({10})}};
  m.nodes = std::move(nodes);
  m.outputs = {{output, 1, false, {}, {}}};
  return m;
}

void refused(const io::OnnxModel& m, const std::string& why) {
  CHECK_THROWS_WITH(io::onnx_network(m, "m.onnx"), Contains("m.onnx: " + why));
}

}  // namespace

TEST_CASE("onnx network: PyTorch's CNN runs in firmnet with PyTorch's logits", "[io][onnx_network]") {
  const io::OnnxNetwork net = io::onnx_network(io::read_onnx(fixture("small_cnn.onnx")), "small_cnn.onnx");
  CHECK(net.architecture.spec() == "in:8x8x1|conv:4:3x3:p1+relu|maxpool:2|fc:10");
  REQUIRE(net.params.size() == 4);
  CHECK(net.params[0].name == "conv1.weight");
  CHECK(net.params[2].name == "fc.weight");
  CHECK(net.params[2].array.shape == std::vector<std::size_t>{10, 64});

  using Cnn = Network<Infer<float, 1>, Input<8, 8, 1>, Conv2d<4, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<10>>;
  static_assert(Cnn::kSpec.view() == "in:8x8x1|conv:4:3x3:p1+relu|maxpool:2|fc:10");
  Cnn cnn;
  const auto tensors = io::firmnet_params_from_torch(net.architecture, net.params, net.torch_input, "t");
  auto params = cnn.params();
  REQUIRE(tensors.size() == params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    REQUIRE(tensors[i].values.size() == params[i].size());
    std::copy(tensors[i].values.begin(), tensors[i].values.end(), params[i].value);
  }
  const io::Npz reference = io::read_npz(fixture("small_cnn_reference.npz"));
  const io::NdArray* input = reference.find("input");  // (1, 1, 8, 8): one channel, so NCHW = NHWC
  const io::NdArray* logits = reference.find("logits");
  REQUIRE((input && logits));
  Cnn::Workspace ws;
  const auto scores = cnn.forward(ConstView<float, 64>(input->values.data(), 1), ws);
  for (std::size_t c = 0; c < 10; ++c) CHECK(scores.row(0)[c] == Approx(logits->values[c]).epsilon(1e-5).margin(1e-6));
}

TEST_CASE("onnx network: MatMul + Add is a dense layer, and a flattened input makes the spec's input a vector",
          "[io][onnx_network]") {
  io::OnnxModel m = graph({node("Flatten", "flat", {"x"}, {"f"}), node("MatMul", "mm", {"f", "mw"}, {"p"}),
                           node("Add", "add", {"mb", "p"}, {"y"}), node("Relu", "act", {"y"}, {"z"})},
                          "z");
  m.initializers.push_back({"mw", filled({64, 10})});
  m.initializers.push_back({"mb", filled({10})});
  const io::OnnxNetwork net = io::onnx_network(m, "m.onnx");
  CHECK(net.architecture.spec() == "in:64|fc:10+relu");
  CHECK(net.torch_input.text() == "8x8x1");
  REQUIRE(net.params.size() == 2);
  CHECK(net.params[0].array.shape == std::vector<std::size_t>{10, 64});
  const io::NdArray& mw = m.initializers[4].array;
  for (std::size_t i = 0; i < 64; ++i)
    for (std::size_t o = 0; o < 10; ++o) CHECK(net.params[0].array.values[o * 64 + i] == mw.values[i * 10 + o]);
  CHECK(net.params[1].name == "mb");
}

TEST_CASE("onnx network: what firmnet cannot run is named, with what to do", "[io][onnx_network]") {
  const io::OnnxNode conv = node("Conv", "c", {"x", "cw", "cb"}, {"c1"}, {ints("pads", {1, 1, 1, 1})});
  const io::OnnxNode flat = node("Flatten", "f", {"p"}, {"v"});
  const io::OnnxNode pool = node("MaxPool", "p", {"c1"}, {"p"}, {ints("kernel_shape", {2, 2}), ints("strides", {2, 2})});
  const io::OnnxNode gemm = node("Gemm", "fc", {"v", "fw", "b"}, {"y"}, {integer("transB", 1)});
  CHECK(io::onnx_network(graph({conv, pool, flat, gemm}, "y"), "m.onnx").architecture.spec() ==
        "in:8x8x1|conv:4:3x3:p1|maxpool:2|fc:10");
  // torch.onnx.export writes Identity nodes that alias a weight (a batch norm's, shared): not layers.
  CHECK(io::onnx_network(graph({node("Identity", "alias", {"fw"}, {"fw2"}), conv, pool, flat,
                                node("Gemm", "fc", {"v", "fw2", "b"}, {"y"}, {integer("transB", 1)})},
                               "y"),
                         "m.onnx")
            .params[2]
            .name == "fw2");

  refused(graph({conv, pool, flat, gemm, node("LogSoftmax", "sm", {"y"}, {"z"})}, "z"),
          "node 4 'sm' (LogSoftmax): firmnet's networks end with the raw scores (logits): export the model without its "
          "final softmax");
  refused(graph({conv, node("BatchNormalization", "bn", {"c1", "cb", "cb", "cb", "cb"}, {"p"}), flat, gemm}, "y"),
          "node 1 'bn' (BatchNormalization): firmnet has no batch normalisation: fold it into the layer before it");
  refused(graph({conv, node("Sigmoid", "s", {"c1"}, {"p"}), flat, gemm}, "y"),
          "node 1 's' (Sigmoid): firmnet has no such layer (firmnet imports Gemm, MatMul (+ Add), Conv");
  io::OnnxNode grouped = conv;
  grouped.attributes.push_back(integer("group", 4));
  refused(graph({grouped, pool, flat, gemm}, "y"), "node 0 'c' (Conv): grouped or depthwise convolution (group != 1)");
  io::OnnxNode uneven = conv;
  uneven.attributes = {ints("pads", {1, 1, 0, 0})};
  refused(graph({uneven, pool, flat, gemm}, "y"), "node 0 'c' (Conv): pads [1, 1, 0, 0]: firmnet pads every side");
  io::OnnxNode padded = pool;
  padded.attributes.push_back(ints("pads", {1, 1, 1, 1}));
  refused(graph({conv, padded, flat, gemm}, "y"), "node 1 'p' (MaxPool): padded max pooling is not in firmnet");
  refused(graph({conv, pool, node("Gemm", "fc", {"p", "fw", "b"}, {"y"})}, "y"), "node 2 'fc' (Gemm): its input is a 4x4x4 image (batch, C, H, W); flatten it first");
  refused(graph({conv, pool, flat, node("Gemm", "fc2", {"p", "fw", "b"}, {"y"})}, "y"),
          "node 3 'fc2' (Gemm): it does not take the output of the layer before it ('v')");
  refused(graph({conv, pool, flat, gemm}, "v"), "the graph's output 'v' is not the end of its chain of layers ('y')");
  refused(graph({conv, pool, node("Reshape", "r", {"p", "shape"}, {"v"}), gemm}, "y"),
          "node 2 'r' (Reshape): its shape 'shape' is computed in the graph");
  io::OnnxModel reshaped = graph({conv, pool, node("Reshape", "r", {"p", "shape"}, {"v"}), gemm}, "y");
  io::NdArray shape;
  shape.shape = {3};
  shape.stored = io::StoredType::i64;
  shape.ints = {-1, 4, 16};
  reshaped.initializers.push_back({"shape", shape});
  refused(reshaped, "node 2 'r' (Reshape): it reshapes to [-1, 4, 16]; firmnet can only flatten each sample");
  io::OnnxNode custom = conv;
  custom.domain = "com.example";
  refused(graph({custom, pool, flat, gemm}, "y"), "node 0 'c' (Conv): an operator of the custom domain 'com.example'");
  refused(graph({node("Conv", "c", {"x", "computed", "cb"}, {"c1"}), pool, flat, gemm}, "y"),
          "node 0 'c' (Conv): its weight 'computed' is computed in the graph, not stored");
  refused(graph({conv, pool}, "p"), "the network ends with a 4x4x4 image; a classifier ends with a dense layer");
  io::OnnxModel empty_conv =
      graph({node("Conv", "c", {"x", "cw"}, {"c1"}, {ints("pads", {1, 1, 1, 1})}), pool, flat, gemm}, "y");
  empty_conv.initializers[0].array.shape = {0, 1, 3, 3};
  empty_conv.initializers[0].array.values.clear();
  refused(empty_conv, "node 0 'c' (Conv): conv:0:3x3:p1: a size is zero (on a 8x8x1 input)");
  io::OnnxModel vector_input = graph({gemm}, "y");
  vector_input.inputs[0].dims = {-1, 3, 8};
  refused(vector_input, "the input 'x' has shape [-1, 3, 8]; firmnet takes (batch, C, H, W) images or (batch, N) vectors");
}
