// Bounds-checked reading of the protobuf wire format (protobuf.dev/programming-guides/encoding),
// for the ONNX reader. Varints are at most 10 bytes and must fit 64 bits; a length-delimited
// field must fit in its enclosing message; every wire type can be skipped, groups (wire types
// 3 and 4, deprecated, unused by ONNX) nested at most kMaxGroupDepth deep. Errors name the file,
// the place in the model (the Context's frames) and the byte offset. Internal to lib/src/io.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"

namespace firmnet::io::protobuf {

enum class Wire : std::uint8_t { varint = 0, i64 = 1, len = 2, start_group = 3, end_group = 4, i32 = 5 };

inline constexpr std::size_t kMaxGroupDepth = 32;

inline const char* wire_name(Wire w) {
  switch (w) {
    case Wire::varint: return "varint (0)";
    case Wire::i64: return "64-bit (1)";
    case Wire::len: return "length-delimited (2)";
    case Wire::start_group: return "start-group (3)";
    case Wire::end_group: return "end-group (4)";
    case Wire::i32: return "32-bit (5)";
  }
  return "?";
}

// Where in the model the reader is, for messages: frames such as "node 3 (Conv 'conv1')".
class Context {
 public:
  Context(const std::string& source, const char* what) : source_(source), what_(what) {}

  std::string where() const {
    std::string s;
    for (const auto& f : frames) s += f + ": ";
    return s;
  }
  // Damage: "<source>: corrupt ONNX model: <frames>: <problem> (at byte N)".
  [[noreturn]] void corrupt(const std::string& problem, std::size_t at) const {
    throw Error(source_ + ": corrupt " + what_ + ": " + where() + problem + " (at byte " + std::to_string(at) + ")");
  }
  // Valid but not supported, or missing: "<source>: <frames>: <problem>".
  [[noreturn]] void reject(const std::string& problem) const { throw Error(source_ + ": " + where() + problem); }

  std::vector<std::string> frames;

 private:
  const std::string& source_;
  const char* what_;
};

// Pushes a frame for its lifetime; label() may rename it once more is known.
class Frame {
 public:
  Frame(Context& ctx, std::string label) : ctx_(ctx) { ctx_.frames.push_back(std::move(label)); }
  ~Frame() { ctx_.frames.pop_back(); }
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  void label(std::string s) { ctx_.frames.back() = std::move(s); }

 private:
  Context& ctx_;
};

struct Field {
  std::uint32_t number = 0;
  Wire wire = Wire::varint;
};

// One message: the bytes [pos, end) of the whole file.
class Cursor {
 public:
  Cursor(std::span<const std::uint8_t> all, std::size_t begin, std::size_t end, Context& ctx)
      : all_(all), pos_(begin), end_(end), ctx_(ctx) {}

  bool more() const { return pos_ < end_; }
  std::size_t pos() const { return pos_; }
  Context& context() const { return ctx_; }
  [[noreturn]] void corrupt(const std::string& problem) const { ctx_.corrupt(problem, pos_); }

  Field next() {
    const std::size_t at = pos_;
    const std::uint64_t tag = varint();
    if (tag >> 32) ctx_.corrupt("field tag " + std::to_string(tag) + " is larger than 32 bits", at);
    const auto wire = static_cast<unsigned>(tag & 7);
    const auto number = static_cast<std::uint32_t>(tag >> 3);
    if (number == 0) ctx_.corrupt("field number 0 is invalid", at);
    if (wire > 5) ctx_.corrupt("invalid wire type " + std::to_string(wire) + " (field " + std::to_string(number) + ")", at);
    return {number, static_cast<Wire>(wire)};
  }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (pos_ == end_) corrupt("truncated varint");
      const std::uint8_t b = all_[pos_++];
      if (i == 9 && b > 1) ctx_.corrupt("varint overflows 64 bits", pos_ - 1);
      v |= std::uint64_t(b & 0x7F) << (7 * i);
      if (!(b & 0x80)) return v;
    }
    return v;  // unreachable: the tenth byte either ends the varint or overflows
  }
  std::uint32_t fixed32() {
    need(4, "32-bit value");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t(all_[pos_ + std::size_t(i)]) << (8 * i);
    pos_ += 4;
    return v;
  }
  std::uint64_t fixed64() {
    const std::uint64_t lo = fixed32();
    return lo | (std::uint64_t(fixed32()) << 32);
  }
  // The payload of a length-delimited field.
  std::span<const std::uint8_t> bytes(const char* field) {
    const std::size_t at = pos_;
    const std::uint64_t len = varint();
    if (len > end_ - pos_)
      ctx_.corrupt(std::string("length ") + std::to_string(len) + " of " + field + " runs past the end of its message (" +
                       std::to_string(end_ - pos_) + " bytes left)",
                   at);
    const auto out = all_.subspan(pos_, static_cast<std::size_t>(len));
    pos_ += static_cast<std::size_t>(len);
    return out;
  }
  Cursor message(const char* field) {
    const auto b = bytes(field);
    const auto begin = static_cast<std::size_t>(b.data() - all_.data());
    return Cursor(all_, begin, begin + b.size(), ctx_);
  }
  std::string string(const char* field) {
    const auto b = bytes(field);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }

  // An unknown field: its value is stepped over, whatever its wire type.
  void skip(Field f) {
    switch (f.wire) {
      case Wire::varint: varint(); return;
      case Wire::i64: fixed64(); return;
      case Wire::i32: fixed32(); return;
      case Wire::len: bytes("an unknown field"); return;
      case Wire::end_group: corrupt("end-group (field " + std::to_string(f.number) + ") without a start-group");
      case Wire::start_group: {
        std::vector<std::uint32_t> open = {f.number};
        while (!open.empty()) {
          if (!more()) corrupt("group (field " + std::to_string(open.back()) + ") without its end-group");
          const Field g = next();
          if (g.wire == Wire::end_group) {
            if (g.number != open.back())
              corrupt("end-group of field " + std::to_string(g.number) + " closes the group of field " + std::to_string(open.back()));
            open.pop_back();
          } else if (g.wire == Wire::start_group) {
            if (open.size() == kMaxGroupDepth) corrupt("groups nested deeper than " + std::to_string(kMaxGroupDepth));
            open.push_back(g.number);
          } else {
            skip(g);
          }
        }
        return;
      }
    }
  }

 private:
  void need(std::size_t n, const char* what) const {
    if (end_ - pos_ < n) corrupt(std::string("truncated ") + what);
  }

  std::span<const std::uint8_t> all_;
  std::size_t pos_, end_;
  Context& ctx_;
};

}  // namespace firmnet::io::protobuf
