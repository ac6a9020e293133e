// libFuzzer: checkpoints. A version-2 file that decodes must re-encode to the same bytes, and
// loading it into a model either works or throws io::Error.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "valid_crc.hpp"

namespace {
firmnet::TwoLayerNet<6, 4, 3, 2> g_net;
firmnet::LinearClassifier<6, 3, 2> g_linear;
firmnet::Normalizer<6> g_norm;
}  // namespace

namespace {
void check(const std::uint8_t* data, std::size_t size) {
  try {
    const firmnet::io::Checkpoint c = firmnet::io::decode_checkpoint(std::span(data, size), "fuzz");
    const auto again = firmnet::io::encode_checkpoint(c);  // version 1 re-encodes as version 2
    if (c.file_version == 2 && (again.size() != size || std::memcmp(again.data(), data, size) != 0)) __builtin_trap();
    try {
      firmnet::io::load_checkpoint_into(c, "fuzz", g_net, g_norm);
    } catch (const firmnet::io::Error&) {
    }
    try {
      firmnet::io::load_checkpoint_into(c, "fuzz", g_linear, g_norm);
    } catch (const firmnet::io::Error&) {
    }
  } catch (const firmnet::io::Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size);
  const auto repaired = with_valid_crc(data, size);  // valid_crc.hpp: past the checksum
  check(repaired.data(), repaired.size());
  return 0;
}
