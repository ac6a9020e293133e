// .npy reading with a strict parser for numpy's header dict, and numpy-identical writing; see
// io/npy.hpp.
#include "firmnet/io/npy.hpp"

#include <cstring>
#include <limits>
#include <string_view>

#include "elements.hpp"
#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

constexpr std::uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kArrayAlign = 64;      // numpy's ARRAY_ALIGN
constexpr std::size_t kGrowthDigits = 21;    // numpy's GROWTH_AXIS_MAX_DIGITS

struct Header {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
};

// The dict numpy writes with repr(): keys and dtype in quotes, True/False, a tuple of integers.
// Whitespace between tokens is free; nothing else of Python is accepted.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Header parse() {
    Header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    space();
    expect('{');
    for (;;) {
      space();
      if (peek() == '}') break;
      const std::string key = quoted("a key");
      space();
      expect(':');
      space();
      if (key == "descr") {
        if (seen_descr) fail("key 'descr' appears twice");
        if (peek() == '[') fail("structured (record) dtypes are not supported: save each field as an array of its own");
        h.descr = quoted("the dtype");
        seen_descr = true;
      } else if (key == "fortran_order") {
        if (seen_order) fail("key 'fortran_order' appears twice");
        h.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape") {
        if (seen_shape) fail("key 'shape' appears twice");
        h.shape = tuple();
        seen_shape = true;
      } else {
        fail("unexpected key '" + key + "' (numpy writes 'descr', 'fortran_order' and 'shape')");
      }
      space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}' after the value of '" + key + "'");
    }
    ++pos_;  // '}'
    if (!seen_descr) fail("no 'descr' key");
    if (!seen_order) fail("no 'fortran_order' key");
    if (!seen_shape) fail("no 'shape' key");
    while (pos_ + 1 < text_.size() && text_[pos_] == ' ') ++pos_;
    if (pos_ + 1 != text_.size() || text_[pos_] != '\n')
      fail("the dict must be followed by spaces and one newline, the header's last byte");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(source_ + ": bad .npy header: " + problem + " (at byte " + std::to_string(pos_) + " of the header)");
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string quoted(const char* what) {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(std::string("expected ") + what + " in quotes");
    const std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '\\') fail("escapes in strings are not supported");
      if (c < 0x20 || c >= 0x7F) fail("control or non-ASCII byte in a string");
      ++pos_;
    }
    if (pos_ == text_.size()) fail("unterminated string");
    return std::string(text_.substr(start, pos_++ - start));
  }
  bool boolean() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("'fortran_order' must be True or False");
  }
  std::size_t dimension() {
    if (peek() == '-') fail("negative dimension in 'shape'");
    if (peek() < '0' || peek() > '9') fail("expected a dimension (a whole number) in 'shape'");
    if (peek() == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' && text_[pos_ + 1] <= '9')
      fail("dimension with a leading zero in 'shape'");
    std::size_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const std::size_t digit = std::size_t(peek() - '0');
      if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("dimension in 'shape' is too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2's long, in files numpy wrote under Python 2
    return v;
  }
  std::vector<std::size_t> tuple() {
    if (peek() == '[') fail("'shape' must be a tuple, not a list");
    expect('(');
    std::vector<std::size_t> dims;
    space();
    if (peek() == ')') {
      ++pos_;
      return dims;  // () : a scalar
    }
    for (;;) {
      if (dims.size() == kMaxNpyDims) fail("'shape' has more than " + std::to_string(kMaxNpyDims) + " dimensions");
      dims.push_back(dimension());
      space();
      if (peek() == ')') {
        if (dims.size() == 1) fail("'shape' (n) is a number, not a tuple: numpy writes (n,)");
        ++pos_;
        return dims;
      }
      expect(',');
      space();
      if (peek() == ')') {
        ++pos_;
        return dims;
      }
    }
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

StoredType dtype_of(const std::string& descr, const std::string& source) {
  if (descr == "<f4") return StoredType::f32;
  if (descr == "<f8") return StoredType::f64;
  if (descr == "<f2") return StoredType::f16;
  if (descr == "<i4") return StoredType::i32;
  if (descr == "<i8") return StoredType::i64;
  if (descr == "|O" || descr == "O")
    throw Error(source + ": object arrays (pickled Python objects) are not supported: save a numeric array");
  if (!descr.empty() && descr[0] == '>') {
    std::string little = descr;
    little[0] = '<';
    throw Error(source + ": big-endian dtype '" + descr + "' is not supported: save a.astype('" + little + "')");
  }
  throw Error(source + ": dtype '" + descr + "' is not supported (this firmnet reads '<f2', '<f4', '<f8', '<i4', '<i8')");
}

std::uint32_t le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v |= std::uint32_t(p[i]) << (8 * i);
  return v;
}

}  // namespace

NdArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
    throw Error(source + ": a ZIP archive (an .npz file?), not a .npy file");
  if (bytes.size() < 10) throw Error(source + ": too short to be a .npy file (" + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) throw Error(source + ": not a .npy file (wrong magic bytes)");
  const unsigned major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    throw Error(source + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                " is not supported (this firmnet reads 1.0, 2.0 and 3.0)");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_bytes) throw Error(source + ": truncated .npy header length");
  const std::size_t header_len = le(bytes.data() + 8, int(length_bytes));
  const std::size_t header_at = 8 + length_bytes;
  if (header_len > kMaxNpyHeaderBytes)
    throw Error(source + ": .npy header length " + std::to_string(header_len) + " exceeds the limit of " +
                std::to_string(kMaxNpyHeaderBytes) + " bytes");
  if (header_len > bytes.size() - header_at)
    throw Error(source + ": truncated .npy header: it says " + std::to_string(header_len) + " bytes, the file holds " +
                std::to_string(bytes.size() - header_at));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + header_at), header_len);
  const Header h = HeaderParser(text, source).parse();

  NdArray a;
  a.stored = dtype_of(h.descr, source);
  if (h.fortran_order)
    throw Error(source + ": fortran_order True (column-major) arrays are not supported: save np.ascontiguousarray(a)");
  a.shape = h.shape;
  const std::size_t item = elements::size_of(a.stored);
  const std::size_t data = bytes.size() - header_at - header_len;
  std::size_t n = 0;
  if (!elements::count(a.shape, std::numeric_limits<std::size_t>::max() / item, n))
    throw Error(source + ": shape " + shape_string(a.shape) + " of '" + h.descr + "' is too large: its byte count overflows");
  if (n * item > data)
    throw Error(source + ": truncated: shape " + shape_string(a.shape) + " of '" + h.descr + "' needs " +
                std::to_string(n * item) + " bytes of data, the file holds " + std::to_string(data));
  if (n * item != data)
    throw Error(source + ": " + std::to_string(data - n * item) + " unexpected bytes after the " + std::to_string(n * item) +
                " bytes of the array data (shape " + shape_string(a.shape) + ", '" + h.descr + "')");
  elements::load(a, bytes.data() + header_at + header_len, n);
  return a;
}

std::vector<std::uint8_t> encode_npy(const NdArray& array) {
  std::size_t n = 0;
  if (array.shape.size() > kMaxNpyDims || !elements::count(array.shape, std::numeric_limits<std::size_t>::max() / 8, n))
    throw Error("encode_npy: shape " + shape_string(array.shape) + " is too large");
  const std::size_t have = array.is_float() ? array.values.size() : array.ints.size();
  if (have != n)
    throw Error("encode_npy: an array of shape " + shape_string(array.shape) + " needs " + std::to_string(n) +
                " elements, has " + std::to_string(have));
  // As numpy 1.24's _write_array_header: sorted keys, repr() values, room for the first
  // dimension to grow to 21 digits, spaces to a 64-byte boundary, a newline.
  std::string shape;
  for (std::size_t i = 0; i < array.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(array.shape[i]);
  if (array.shape.size() == 1) shape += ",";
  std::string header = std::string("{'descr': '") + (array.is_float() ? "<f4" : "<i8") +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  if (!array.shape.empty()) header.append(kGrowthDigits - std::to_string(array.shape[0]).size(), ' ');
  const std::size_t unpadded = sizeof kMagic + 2 + 2 + header.size() + 1;
  header.append(kArrayAlign - unpadded % kArrayAlign, ' ');
  header += '\n';
  if (header.size() > 0xFFFF) throw Error("encode_npy: header too long for .npy version 1.0");
  std::vector<std::uint8_t> out(10 + header.size());
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  out[6] = 1;  // version 1.0
  out[7] = 0;
  out[8] = static_cast<std::uint8_t>(header.size() & 0xFF);
  out[9] = static_cast<std::uint8_t>(header.size() >> 8);
  std::memcpy(out.data() + 10, header.data(), header.size());
  elements::store(array, out);
  return out;
}

NdArray read_npy(const std::string& path, std::size_t max_bytes) { return decode_npy(read_file_raw(path, max_bytes), path); }

void write_npy(const std::string& path, const NdArray& array) {
  const auto bytes = encode_npy(array);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace firmnet::io
