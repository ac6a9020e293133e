// Little-endian writing and bounds-checked reading of firmnet's binary files (checkpoints,
// quantized models). Internal to lib/src/io.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"

namespace firmnet::io::binary {

static_assert(std::numeric_limits<float>::is_iec559, "files store IEEE-754 float32");
static_assert(std::endian::native == std::endian::little, "arrays are copied as little-endian bytes");

inline constexpr std::uint32_t kMaxString = 4096;

class Writer {
 public:
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f32(float f) { u32(std::bit_cast<std::uint32_t>(f)); }
  void str(const std::string& s) {
    if (s.size() > kMaxString) throw Error("string longer than " + std::to_string(kMaxString) + " bytes: " + s.substr(0, 40) + "...");
    u32(static_cast<std::uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  template <class T>
  void array(const std::vector<T>& v) {  // little-endian host: the bytes as they are
    const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
    out_.insert(out_.end(), p, p + v.size() * sizeof(T));
  }
  void raw(const std::uint8_t* p, std::size_t n) { out_.insert(out_.end(), p, p + n); }
  std::vector<std::uint8_t>& bytes() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
};

class Reader {
 public:
  // what: "checkpoint", "quantized model": named in every error with the source.
  Reader(std::span<const std::uint8_t> bytes, const std::string& source, const char* what)
      : bytes_(bytes), source_(source), what_(what) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(source_ + ": corrupt " + what_ + ": " + problem + " (at byte " + std::to_string(pos_) + ")");
  }
  void need(std::size_t n, const char* field) const {
    if (bytes_.size() - pos_ < n) fail(std::string("truncated while reading ") + field);
  }
  void skip(std::size_t n) {
    need(n, "header");
    pos_ += n;
  }
  std::uint32_t u32(const char* field) {
    need(4, field);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t(bytes_[pos_ + i]) << (8 * i);
    pos_ += 4;
    return v;
  }
  std::int32_t i32(const char* field) { return static_cast<std::int32_t>(u32(field)); }
  float f32(const char* field) { return std::bit_cast<float>(u32(field)); }
  std::string str(const char* field) {
    const std::uint32_t len = u32(field);
    if (len > kMaxString) fail(std::string(field) + " length " + std::to_string(len) + " exceeds " + std::to_string(kMaxString));
    need(len, field);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return s;
  }
  std::uint32_t count(const char* field, std::uint32_t max) {
    const std::uint32_t n = u32(field);
    if (n > max) fail(std::string(field) + " " + std::to_string(n) + " exceeds " + std::to_string(max));
    return n;
  }
  // n elements of T; the caller has bounded n·sizeof(T) by left() (no overflow).
  template <class T>
  void array(std::vector<T>& out, std::size_t n, const char* field) {
    if (n > left() / sizeof(T)) fail(std::string(field) + " of " + std::to_string(n) + " values is larger than the rest of the file");
    out.resize(n);
    if (n == 0) return;  // memcpy must not see an empty vector's null data()
    std::memcpy(out.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
  }
  std::size_t left() const { return bytes_.size() - pos_; }

 private:
  std::span<const std::uint8_t> bytes_;
  const std::string& source_;
  const char* what_;
  std::size_t pos_ = 0;
};

}  // namespace firmnet::io::binary
