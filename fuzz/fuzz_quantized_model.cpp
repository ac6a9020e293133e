// libFuzzer: quantized model files (.fnq). A version-2 file that decodes must re-encode to the
// same bytes; a model that fits one of three small networks is then run on fixed inputs, so
// fuzzed multipliers, shifts and zero points go through the requantization (UndefinedBehavior-
// Sanitizer watches its shifts and overflows).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

#include "firmnet/io/error.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "valid_crc.hpp"

namespace {
using namespace firmnet;
const std::uint8_t kPixels[16] = {0, 255, 7, 128, 3, 99, 255, 1, 0, 200, 17, 64, 255, 255, 0, 42};

template <class Net>
void run(quant::QuantizedModel m) {  // a copy: bind packs its weights
  using Q = quant::QNetworkFor<Net>;
  try {
    const Q q = quant::bind<Q>(m);
    typename Q::Workspace ws;
    std::uint8_t logits[4];
    if (q.predict(kPixels, logits, ws) >= 4) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
}

void check(const std::uint8_t* data, std::size_t size) {
  try {
    const quant::QuantizedModel m = io::decode_quantized_model(std::span(data, size), "fuzz");
    const bool v2 = size >= 12 && data[8] == 2;
    const auto again = io::encode_quantized_model(m);
    if (v2 && (again.size() != size || std::memcmp(again.data(), data, size) != 0)) __builtin_trap();
    run<TwoLayerNet<16, 8, 4, 1>>(m);
    run<LinearClassifier<16, 4, 1>>(m);
    run<Network<Infer<float, 1>, Input<16>, Fc<8>, Relu, Flatten, Fc<4>>>(m);
  } catch (const io::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size);
  const auto repaired = with_valid_crc(data, size);  // valid_crc.hpp: past the checksum
  check(repaired.data(), repaired.size());
  return 0;
}
