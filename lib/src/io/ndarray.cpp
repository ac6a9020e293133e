// NdArray helpers and the element conversions of lib/src/io/elements.hpp.
#include "firmnet/io/ndarray.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "elements.hpp"

namespace firmnet::io {

static_assert(std::numeric_limits<float>::is_iec559 && std::numeric_limits<double>::is_iec559,
              "the files store IEEE-754 floats");
static_assert(std::endian::native == std::endian::little, "elements are copied as little-endian bytes");

const char* stored_type_name(StoredType type) noexcept {
  switch (type) {
    case StoredType::f16: return "float16";
    case StoredType::bf16: return "bfloat16";
    case StoredType::f32: return "float32";
    case StoredType::f64: return "float64";
    case StoredType::i32: return "int32";
    case StoredType::i64: return "int64";
  }
  return "?";
}

bool is_float_type(StoredType type) noexcept { return type != StoredType::i32 && type != StoredType::i64; }

std::size_t NdArray::count() const noexcept {
  std::size_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

std::string shape_string(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

namespace elements {

std::size_t size_of(StoredType type) noexcept {
  switch (type) {
    case StoredType::f16:
    case StoredType::bf16: return 2;
    case StoredType::f32:
    case StoredType::i32: return 4;
    case StoredType::f64:
    case StoredType::i64: return 8;
  }
  return 1;
}

float half_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  if (exponent == 0) {  // zero or subnormal: mantissa·2^-24, exact in float
    const float magnitude = float(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  const std::uint32_t bits = exponent == 0x1F ? sign | 0x7F800000u | (mantissa << 13)  // inf, NaN
                                              : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

float bfloat16_to_float(std::uint16_t b) noexcept { return std::bit_cast<float>(std::uint32_t(b) << 16); }

bool count(std::span<const std::size_t> shape, std::size_t max, std::size_t& out) noexcept {
  for (const auto d : shape)
    if (d == 0) {
      out = 0;
      return true;
    }
  std::size_t n = 1;
  for (const auto d : shape) {
    if (d > max / n) return false;
    n *= d;
  }
  out = n;
  return true;
}

namespace {
template <class T>
T read_le(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // little-endian host (asserted above)
  return v;
}
}  // namespace

void load(NdArray& a, const std::uint8_t* p, std::size_t n) {
  a.values.clear();
  a.ints.clear();
  switch (a.stored) {
    case StoredType::f16:
      a.values.resize(n);
      for (std::size_t i = 0; i < n; ++i) a.values[i] = half_to_float(read_le<std::uint16_t>(p + 2 * i));
      break;
    case StoredType::bf16:
      a.values.resize(n);
      for (std::size_t i = 0; i < n; ++i) a.values[i] = bfloat16_to_float(read_le<std::uint16_t>(p + 2 * i));
      break;
    case StoredType::f32:
      a.values.resize(n);
      if (n) std::memcpy(a.values.data(), p, 4 * n);
      break;
    case StoredType::f64:
      a.values.resize(n);
      // IEC 60559 conversion: round to nearest, beyond float's range +-inf.
      for (std::size_t i = 0; i < n; ++i) a.values[i] = static_cast<float>(read_le<double>(p + 8 * i));
      break;
    case StoredType::i32:
      a.ints.resize(n);
      for (std::size_t i = 0; i < n; ++i) a.ints[i] = read_le<std::int32_t>(p + 4 * i);
      break;
    case StoredType::i64:
      a.ints.resize(n);
      if (n) std::memcpy(a.ints.data(), p, 8 * n);
      break;
  }
}

void store(const NdArray& a, std::vector<std::uint8_t>& out) {
  const std::size_t bytes = a.is_float() ? 4 * a.values.size() : 8 * a.ints.size();
  const std::size_t at = out.size();
  out.resize(at + bytes);
  if (bytes == 0) return;
  if (a.is_float())
    std::memcpy(out.data() + at, a.values.data(), bytes);
  else
    std::memcpy(out.data() + at, a.ints.data(), bytes);
}

}  // namespace elements

}  // namespace firmnet::io
