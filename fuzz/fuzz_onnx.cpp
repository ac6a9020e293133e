// libFuzzer: ONNX models (protobuf wire format). A model that decodes must hold, in every
// tensor, exactly the elements its dims count, and shapes of matching dims and names.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/onnx.hpp"

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
  } catch (const Error&) {
  }
  return 0;
}
