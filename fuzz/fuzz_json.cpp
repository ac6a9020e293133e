// libFuzzer: the JSON parser. Text that parses must write back (to_json) to text that parses
// and writes back to the same text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmnet/io/error.hpp"
#include "firmnet/io/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  try {
    const JsonValue v = parse_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    const std::string text = to_json(v);
    if (to_json(parse_json(text, "again")) != text) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
