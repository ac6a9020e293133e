// libFuzzer: .npy files. An array that decodes must re-encode (as float32 or int64) to a file
// that decodes to the same shape and elements, bit for bit, and encodes to the same bytes again.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npy.hpp"
#include "same_array.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  try {
    const NdArray a = decode_npy(std::span(data, size), "fuzz");
    if (a.count() != (a.is_float() ? a.values.size() : a.ints.size())) __builtin_trap();
    const auto bytes = encode_npy(a);
    const NdArray b = decode_npy(bytes, "again");
    if (!same_array(a, b) || encode_npy(b) != bytes) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
