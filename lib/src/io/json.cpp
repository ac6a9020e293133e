// Strict recursive-descent JSON parser and compact writer; see io/json.hpp.
#include "firmnet/io/json.hpp"

#include <algorithm>
#include <limits>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& source, const JsonLimits& limits)
      : text_(text), source_(source), limits_(limits) {}

  JsonValue document() {
    JsonValue v = value(0);
    space();
    if (pos_ != text_.size()) fail("unexpected bytes after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(source_ + ": bad JSON: " + problem + " (at byte " + std::to_string(pos_) + ")");
  }
  int peek() const { return pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_]) : -1; }
  void space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c, const char* context) {
    if (peek() != c) fail(std::string("expected '") + c + "' " + context);
    ++pos_;
  }

  JsonValue value(std::size_t depth) {
    if (++values_ > limits_.max_values) fail("more than " + std::to_string(limits_.max_values) + " values");
    space();
    JsonValue v;
    switch (peek()) {
      case '{': object(v, depth + 1); break;
      case '[': array(v, depth + 1); break;
      case '"':
        v.kind = JsonValue::Kind::string;
        v.string = string();
        break;
      case 't': literal("true", v, JsonValue::Kind::boolean, true); break;
      case 'f': literal("false", v, JsonValue::Kind::boolean, false); break;
      case 'n': literal("null", v, JsonValue::Kind::null, false); break;
      case -1: fail("unexpected end of the text, expected a value");
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
          v.kind = JsonValue::Kind::integer;
          v.integer = integer();
        } else {
          fail("unexpected character, expected a value");
        }
    }
    return v;
  }

  void literal(std::string_view word, JsonValue& v, JsonValue::Kind kind, bool b) {
    if (text_.substr(pos_, word.size()) != word) fail("unknown word (true, false and null are JSON's)");
    pos_ += word.size();
    v.kind = kind;
    v.boolean = b;
  }

  void object(JsonValue& v, std::size_t depth) {
    if (depth > limits_.max_depth) fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    v.kind = JsonValue::Kind::object;
    ++pos_;  // '{'
    space();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      space();
      if (peek() != '"') fail("expected a key in quotes");
      std::string key = string();
      space();
      expect(':', "after an object key");
      v.object.push_back({std::move(key), value(depth)});
      space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect('}', "or ',' after an object member");
      break;
    }
    // Keys must be unique: sort the indices by key, compare neighbours.
    std::vector<std::size_t> order(v.object.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v.object[a].key < v.object[b].key; });
    for (std::size_t i = 1; i < order.size(); ++i)
      if (v.object[order[i]].key == v.object[order[i - 1]].key) fail("key \"" + v.object[order[i]].key + "\" appears twice in an object");
  }

  void array(JsonValue& v, std::size_t depth) {
    if (depth > limits_.max_depth) fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    v.kind = JsonValue::Kind::array;
    ++pos_;  // '['
    space();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      v.array.push_back(value(depth));
      space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      expect(']', "or ',' after an array element");
      return;
    }
  }

  std::int64_t integer() {
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    if (peek() < '0' || peek() > '9') fail("expected a digit");
    if (peek() == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9')
      fail("numbers may not have leading zeros");
    const std::uint64_t limit = negative ? std::uint64_t(1) << 63 : (std::uint64_t(1) << 63) - 1;
    std::uint64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = std::uint64_t(peek() - '0');
      if (v > (limit - digit) / 10) fail("integer outside the 64-bit range");
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E') fail("numbers with a fraction or exponent are not supported (integers only)");
    if (!negative) return static_cast<std::int64_t>(v);
    return v == std::uint64_t(1) << 63 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const int c = peek();
      unsigned d;
      if (c >= '0' && c <= '9') d = unsigned(c - '0');
      else if (c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = unsigned(c - 'A' + 10);
      else fail("\\u must be followed by 4 hex digits");
      v = v * 16 + d;
      ++pos_;
    }
    return v;
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence starting at pos_ (RFC 3629: no overlongs, surrogates or values past
  // U+10FFFF), copied to out.
  void utf8(std::string& out) {
    const auto b0 = static_cast<unsigned char>(text_[pos_]);
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 1;
    else if (b0 == 0xE0) n = 2, lo = 0xA0;
    else if (b0 >= 0xE1 && b0 <= 0xEF) n = 2, hi = b0 == 0xED ? 0x9F : 0xBF;
    else if (b0 == 0xF0) n = 3, lo = 0x90;
    else if (b0 >= 0xF1 && b0 <= 0xF3) n = 3;
    else if (b0 == 0xF4) n = 3, hi = 0x8F;
    else fail("invalid UTF-8 in a string");
    if (text_.size() - pos_ - 1 < n) fail("invalid UTF-8 in a string (cut short)");
    for (std::size_t i = 1; i <= n; ++i) {
      const auto b = static_cast<unsigned char>(text_[pos_ + i]);
      if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) fail("invalid UTF-8 in a string");
    }
    out.append(text_.substr(pos_, n + 1));
    pos_ += n + 1;
  }

  std::string string() {
    ++pos_;  // '"'
    std::string out;
    for (;;) {
      const int c = peek();
      if (c == -1) fail("unterminated string");
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) fail("control character in a string (escape it)");
      if (c >= 0x80) {
        utf8(out);
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out += char(c);
        continue;
      }
      const int e = peek();
      ++pos_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") fail("high surrogate not followed by a \\u low surrogate");
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate not followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          fail("unknown escape in a string");
      }
    }
  }

  std::string_view text_;
  const std::string& source_;
  const JsonLimits& limits_;
  std::size_t pos_ = 0;
  std::size_t values_ = 0;
};

void write(const JsonValue& v, std::string& out) {
  switch (v.kind) {
    case JsonValue::Kind::null: out += "null"; return;
    case JsonValue::Kind::boolean: out += v.boolean ? "true" : "false"; return;
    case JsonValue::Kind::integer: out += std::to_string(v.integer); return;
    case JsonValue::Kind::string: {
      out += '"';
      for (const char ch : v.string) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
          case '"': out += "\\\""; break;
          case '\\': out += "\\\\"; break;
          case '\n': out += "\\n"; break;
          case '\r': out += "\\r"; break;
          case '\t': out += "\\t"; break;
          case '\b': out += "\\b"; break;
          case '\f': out += "\\f"; break;
          default:
            if (c < 0x20) {
              const char* hex = "0123456789abcdef";
              out += "\\u00";
              out += hex[c >> 4];
              out += hex[c & 15];
            } else {
              out += ch;
            }
        }
      }
      out += '"';
      return;
    }
    case JsonValue::Kind::array:
      out += '[';
      for (std::size_t i = 0; i < v.array.size(); ++i) {
        if (i) out += ',';
        write(v.array[i], out);
      }
      out += ']';
      return;
    case JsonValue::Kind::object:
      out += '{';
      for (std::size_t i = 0; i < v.object.size(); ++i) {
        if (i) out += ',';
        JsonValue key;
        key.kind = JsonValue::Kind::string;
        key.string = v.object[i].key;
        write(key, out);
        out += ':';
        write(v.object[i].value, out);
      }
      out += '}';
      return;
  }
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
  for (const auto& m : object)
    if (m.key == key) return &m.value;
  return nullptr;
}

JsonValue parse_json(std::string_view text, const std::string& source, const JsonLimits& limits) {
  return Parser(text, source, limits).document();
}

std::string to_json(const JsonValue& value) {
  std::string out;
  write(value, out);
  return out;
}

const char* json_kind_name(JsonValue::Kind kind) noexcept {
  switch (kind) {
    case JsonValue::Kind::null: return "null";
    case JsonValue::Kind::boolean: return "true or false";
    case JsonValue::Kind::integer: return "an integer";
    case JsonValue::Kind::string: return "a string";
    case JsonValue::Kind::array: return "an array";
    case JsonValue::Kind::object: return "an object";
  }
  return "?";
}

}  // namespace firmnet::io
