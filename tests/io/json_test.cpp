// io/json.hpp: valid JSON parses to the values it spells and writes back compactly; every
// malformed text, every truncation and every limit is rejected with the byte offset.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "firmnet/io/error.hpp"
#include "firmnet/io/json.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
io::JsonValue parse(const std::string& text, const io::JsonLimits& limits = {}) { return io::parse_json(text, "h.json", limits); }

void fails(const std::string& text, const std::string& message, const io::JsonLimits& limits = {}) {
  CAPTURE(text);
  REQUIRE_THROWS_WITH(parse(text, limits), Contains("h.json: bad JSON: ") && Contains(message));
}
}  // namespace

TEST_CASE("json: values, escapes and UTF-8", "[io][json]") {
  const io::JsonValue v = parse(
      " {\"a\": [1, -2, 0, true, false, null, {}, []],\n\t\"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\",\r"
      " \"max\": 9223372036854775807, \"min\": -9223372036854775808} ");
  REQUIRE(v.kind == io::JsonValue::Kind::object);
  REQUIRE(v.object.size() == 4);
  const io::JsonValue* a = v.find("a");
  REQUIRE(a);
  REQUIRE(a->array.size() == 8);
  REQUIRE(a->array[1].integer == -2);
  REQUIRE(a->array[3].kind == io::JsonValue::Kind::boolean);
  REQUIRE(a->array[3].boolean);
  REQUIRE(a->array[5].kind == io::JsonValue::Kind::null);
  REQUIRE(a->array[6].kind == io::JsonValue::Kind::object);
  REQUIRE(a->array[7].kind == io::JsonValue::Kind::array);
  REQUIRE(v.find("s")->string == "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9");
  REQUIRE(v.find("max")->integer == std::numeric_limits<std::int64_t>::max());
  REQUIRE(v.find("min")->integer == std::numeric_limits<std::int64_t>::min());
  REQUIRE(v.find("nope") == nullptr);
  REQUIRE(parse("\"\\u0000\"").string == std::string(1, '\0'));
}

TEST_CASE("json: to_json writes the compact form that parses back", "[io][json]") {
  const std::string text = "{\"a\":[1,-2,true,false,null,{},[]],\"s\":\"q\\\"\\\\\\n\\u0001\xc3\xa9/\",\"\":{\"x\":{}}}";
  const io::JsonValue v = parse(text);
  REQUIRE(io::to_json(v) == text);
  REQUIRE(io::to_json(parse(io::to_json(v))) == text);
  REQUIRE(io::to_json(parse(" [ 1 , 2 ] ")) == "[1,2]");
}

TEST_CASE("json: malformed text is named with its byte offset", "[io][json]") {
  fails("", "unexpected end of the text, expected a value (at byte 0)");
  fails("[1,]", "unexpected character, expected a value (at byte 3)");
  fails("{\"a\":1,}", "expected a key in quotes");
  fails("{\"a\" 1}", "expected ':' after an object key");
  fails("{\"a\":1 \"b\":2}", "expected '}' or ',' after an object member");
  fails("[1 2]", "expected ']' or ',' after an array element");
  fails("[01]", "numbers may not have leading zeros");
  fails("[1.5]", "numbers with a fraction or exponent are not supported (integers only)");
  fails("[1e3]", "fraction or exponent");
  fails("[-]", "expected a digit");
  fails("[9223372036854775808]", "integer outside the 64-bit range");
  fails("[-9223372036854775809]", "integer outside the 64-bit range");
  fails("\"abc", "unterminated string");
  fails("\"a\nb\"", "control character in a string");
  fails("\"\\x41\"", "unknown escape in a string (at byte 2)");
  fails("\"\\u12\"", "\\u must be followed by 4 hex digits");
  fails("\"\\udc00\"", "lone low surrogate");
  fails("\"\\ud800x\"", "high surrogate not followed by a \\u low surrogate");
  fails("\"\\ud800\\u0041\"", "high surrogate not followed by a low surrogate");
  fails("\"\xc0\x80\"", "invalid UTF-8");       // overlong NUL
  fails("\"\xed\xa0\x80\"", "invalid UTF-8");   // a surrogate encoded in UTF-8
  fails("\"\xf4\x90\x80\x80\"", "invalid UTF-8");  // past U+10FFFF
  fails("\"\xe2\x82\"", "invalid UTF-8");
  fails("\"\xff\"", "invalid UTF-8");
  fails("{} x", "unexpected bytes after the JSON value (at byte 3)");
  fails("// c\n{}", "unexpected character");
  fails("[True]", "unexpected character");
  fails("[nul]", "unknown word");
  fails("{\"a\":1,\"b\":2,\"a\":3}", "key \"a\" appears twice in an object");
}

TEST_CASE("json: depth and value limits", "[io][json]") {
  REQUIRE_NOTHROW(parse(std::string(64, '[') + std::string(64, ']')));
  fails(std::string(65, '[') + std::string(65, ']'), "nested deeper than 64 levels (at byte 64)");
  fails(std::string(100000, '['), "nested deeper than 64 levels");
  io::JsonLimits small;
  small.max_values = 3;
  REQUIRE_NOTHROW(parse("[1,2]", small));
  fails("[1,2,3]", "more than 3 values", small);
  small.max_depth = 1;
  fails("[[]]", "nested deeper than 1 levels", small);
}

TEST_CASE("json: every truncation of an object is rejected", "[io][json]") {
  const std::string text = "{\"a\": [1, \"x\\u00e9\", {\"b\": null}], \"c\": true}";
  REQUIRE_NOTHROW(parse(text));
  for (std::size_t len = 0; len < text.size(); ++len) {
    CAPTURE(len);
    REQUIRE_THROWS_AS(parse(text.substr(0, len)), io::Error);
  }
}
