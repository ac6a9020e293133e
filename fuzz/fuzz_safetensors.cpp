// libFuzzer: safetensors files. A file that decodes must re-encode (float32 and int64) to one
// that decodes to the same names, metadata, shapes and elements, and encodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/safetensors.hpp"
#include "same_array.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  try {
    const Safetensors s = decode_safetensors(std::span(data, size), "fuzz");
    for (const auto& t : s.tensors)
      if (t.array.count() != (t.array.is_float() ? t.array.values.size() : t.array.ints.size())) __builtin_trap();
    const auto bytes = encode_safetensors(s);
    const Safetensors back = decode_safetensors(bytes, "again");
    if (back.metadata != s.metadata || back.tensors.size() != s.tensors.size()) __builtin_trap();
    for (std::size_t i = 0; i < s.tensors.size(); ++i)
      if (back.tensors[i].name != s.tensors[i].name || !same_array(back.tensors[i].array, s.tensors[i].array))
        __builtin_trap();
    if (encode_safetensors(back) != bytes) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
