// libFuzzer: ONNX models (protobuf wire format). A model that decodes must hold, in every
// tensor, exactly the elements its dims count, and shapes of matching dims and names. Then what
// import does with it: the network it stands for (io/onnx_network.hpp) has a spec that parses
// back to itself, and its weights map onto firmnet's layouts and back unchanged.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/architecture.hpp"
#include "firmnet/io/onnx.hpp"
#include "firmnet/io/onnx_network.hpp"
#include "firmnet/io/torch_layout.hpp"

namespace {
void check(const firmnet::io::NdArray& a) {
  if (a.count() != (a.is_float() ? a.values.size() : a.ints.size())) __builtin_trap();
  if (!(a.is_float() ? a.ints.empty() : a.values.empty())) __builtin_trap();
}
void check(const firmnet::io::OnnxValue& v) {
  if (v.dims.size() != v.dim_params.size() || (!v.has_shape && !v.dims.empty())) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  try {
    const OnnxModel m = decode_onnx(std::span(data, size), "fuzz");
    for (const auto& t : m.initializers) check(t.array);
    for (const auto& n : m.nodes)
      for (const auto& a : n.attributes)
        if (a.type == OnnxAttributeType::t) check(a.t.array);
    for (const auto& v : m.inputs) check(v);
    for (const auto& v : m.outputs) check(v);
    const OnnxNetwork net = onnx_network(m, "fuzz");
    if (parse_architecture(net.architecture.spec(), "fuzz").spec() != net.architecture.spec()) __builtin_trap();
    Checkpoint c;
    c.tensors = firmnet_params_from_torch(net.architecture, net.params, net.torch_input, "fuzz");
    const auto back = torch_params_from_firmnet(net.architecture, c, net.torch_input, "fuzz");
    if (back.size() != net.params.size()) __builtin_trap();
    for (std::size_t i = 0; i < back.size(); ++i)
      if (back[i].shape != net.params[i].array.shape || back[i].values != net.params[i].array.values) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
