// libFuzzer: quantized model files (.fnq). A file that decodes must re-encode to the same bytes;
// a small one is then run on fixed inputs, so fuzzed multipliers and shifts go through the
// requantization (UndefinedBehaviorSanitizer watches its shifts and overflows).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

#include "firmnet/io/error.hpp"
#include "firmnet/io/quantized_model_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const firmnet::quant::QuantizedModel m = firmnet::io::decode_quantized_model(std::span(data, size), "fuzz");
    const auto again = firmnet::io::encode_quantized_model(m);
    if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
    const std::uint8_t pixels[16] = {0, 255, 7, 128, 3, 99, 255, 1, 0, 200, 17, 64, 255, 255, 0, 42};
    std::int8_t logits[4];
    try {
      const auto net = firmnet::quant::as_two_layer<16, 8, 4>(m);
      firmnet::quant::QuantizedTwoLayerNet<16, 8, 4>::Workspace ws;
      if (net.predict(pixels, logits, ws) >= 4) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
    try {
      const auto lin = firmnet::quant::as_linear<16, 4>(m);
      firmnet::quant::QuantizedLinearClassifier<16, 4>::Workspace ws;
      if (lin.predict(pixels, logits, ws) >= 4) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
  } catch (const firmnet::io::Error&) {
  }
  return 0;
}
