// io/json.hpp: a small strict JSON parser (RFC 8259) for file headers such as safetensors'.
// Accepted: objects (keys unique), arrays, strings (UTF-8 checked, every escape, surrogate pairs),
// integers in the int64 range, true, false, null. Rejected with the byte offset: numbers with a
// fraction or exponent, leading zeros, trailing commas, comments, bytes after the value, invalid
// UTF-8, lone surrogates; nesting deeper than max_depth and more than max_values values.
// to_json writes the compact form (no spaces), which parses back to the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace firmnet::io {

struct JsonMember;

struct JsonValue {
  enum class Kind : std::uint8_t { null, boolean, integer, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;               // UTF-8, escapes resolved
  std::vector<JsonValue> array;
  std::vector<JsonMember> object;   // in file order

  const JsonValue* find(std::string_view key) const noexcept;  // objects only; null if absent
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

struct JsonLimits {
  std::size_t max_depth = 64;          // nested arrays and objects
  std::size_t max_values = 1u << 20;   // values in all, so memory stays bounded by the count
};

// Errors read "<source>: bad JSON: <problem> (at byte N)".
JsonValue parse_json(std::string_view text, const std::string& source, const JsonLimits& limits = {});
std::string to_json(const JsonValue& value);
const char* json_kind_name(JsonValue::Kind kind) noexcept;  // "null", "true or false", "an integer", ...

}  // namespace firmnet::io
