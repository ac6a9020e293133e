// io/npy.hpp: files NumPy wrote load with their values; the writer writes NumPy's bytes; every
// truncation is rejected and every flipped byte rejected or read without harm; each malformed
// header is named.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npy.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

// A .npy file with the given header text, padded as numpy pads it, and `data` after it.
std::vector<std::uint8_t> npy_with_header(std::string header, std::vector<std::uint8_t> data = {}) {
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  const std::string prefix = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, char(header.size() & 0xFF), char(header.size() >> 8)};
  const std::string file = prefix + header + std::string(data.begin(), data.end());
  return std::vector<std::uint8_t>(file.begin(), file.end());
}

std::vector<std::uint8_t> f32_bytes(std::initializer_list<float> values) {
  std::vector<std::uint8_t> out(4 * values.size());
  std::memcpy(out.data(), std::data(values), out.size());
  return out;
}

// Decodes or throws io::Error; anything else (a crash, another exception) fails the test.
bool decodes(std::span<const std::uint8_t> bytes) {
  try {
    io::decode_npy(bytes, "x.npy");
    return true;
  } catch (const io::Error&) {
    return false;
  }
}
}  // namespace

TEST_CASE("npy: files numpy wrote load with their values", "[io][npy]") {
  for (const char* name : {"f32_3x4.npy", "f32_3x4_v2.npy", "f32_3x4_v3.npy"}) {
    CAPTURE(name);
    const io::NdArray a = io::read_npy(fixture(name));
    REQUIRE(a.stored == io::StoredType::f32);
    REQUIRE(a.shape == std::vector<std::size_t>{3, 4});
    REQUIRE(a.values.size() == 12);
    REQUIRE(a.ints.empty());
    for (std::size_t i = 0; i < 12; ++i) REQUIRE(a.values[i] == float(i) * 0.5f - 2.f);
  }
  const io::NdArray f64 = io::read_npy(fixture("f64_2x3.npy"));
  REQUIRE(f64.stored == io::StoredType::f64);
  REQUIRE(f64.shape == std::vector<std::size_t>{2, 3});
  for (std::size_t i = 0; i < 6; ++i) REQUIRE(f64.values[i] == static_cast<float>(double(i) / 3));

  const io::NdArray f16 = io::read_npy(fixture("f16_6.npy"));
  REQUIRE(f16.stored == io::StoredType::f16);
  REQUIRE(f16.values == std::vector<float>{0.f, 1.f, -2.5f, 65504.f, 0x1p-24f, -std::numeric_limits<float>::infinity()});

  const io::NdArray i64 = io::read_npy(fixture("i64_4.npy"));
  REQUIRE(i64.stored == io::StoredType::i64);
  REQUIRE(i64.values.empty());
  REQUIRE(i64.ints == std::vector<std::int64_t>{-1, 0, std::int64_t(1) << 40, -(std::int64_t(1) << 62)});
  const io::NdArray i32 = io::read_npy(fixture("i32_2x2.npy"));
  REQUIRE(i32.stored == io::StoredType::i32);
  REQUIRE(i32.ints == std::vector<std::int64_t>{1, -2, 3, 2147483647});

  const io::NdArray scalar = io::read_npy(fixture("scalar_f32.npy"));
  REQUIRE(scalar.shape.empty());
  REQUIRE(scalar.count() == 1);
  REQUIRE(scalar.values == std::vector<float>{2.5f});
  const io::NdArray empty = io::read_npy(fixture("empty_0x3.npy"));
  REQUIRE(empty.shape == std::vector<std::size_t>{0, 3});
  REQUIRE(empty.values.empty());
}

TEST_CASE("npy: the writer writes the bytes numpy writes", "[io][npy]") {
  for (const char* name : {"f32_3x4.npy", "scalar_f32.npy", "empty_0x3.npy", "i64_4.npy"}) {
    CAPTURE(name);
    const auto numpy = test::read_bytes(fixture(name));
    REQUIRE(io::encode_npy(io::decode_npy(numpy, name)) == numpy);
  }
  test::TempDir dir;
  io::NdArray a;
  a.shape = {2, 1, 3};
  a.values = {1, 2, 3, 4, 5, std::numeric_limits<float>::quiet_NaN()};
  io::write_npy(dir.file("a.npy"), a);
  const auto bytes = test::read_bytes(dir.file("a.npy"));
  REQUIRE((bytes.size() - 6 * 4) % 64 == 0);  // data 64-byte aligned, as numpy aligns it
  const io::NdArray back = io::read_npy(dir.file("a.npy"));
  REQUIRE(back.shape == a.shape);
  REQUIRE(std::memcmp(back.values.data(), a.values.data(), 6 * sizeof(float)) == 0);
  // float64 and float16 arrays are written as float32, integers as int64.
  const io::NdArray f64 = io::read_npy(fixture("f64_2x3.npy"));
  const io::NdArray again = io::decode_npy(io::encode_npy(f64), "again.npy");
  REQUIRE(again.stored == io::StoredType::f32);
  REQUIRE(again.values == f64.values);
  const io::NdArray i32 = io::read_npy(fixture("i32_2x2.npy"));
  const io::NdArray i64 = io::decode_npy(io::encode_npy(i32), "again.npy");
  REQUIRE(i64.stored == io::StoredType::i64);
  REQUIRE(i64.ints == i32.ints);
  a.values.pop_back();
  REQUIRE_THROWS_WITH(io::encode_npy(a), Contains("shape (2, 1, 3) needs 6 elements, has 5"));
}

TEST_CASE("npy: arrays numpy cannot give us are rejected, saying why", "[io][npy]") {
  REQUIRE_THROWS_WITH(io::read_npy(fixture("big_endian.npy")),
                      Contains("big_endian.npy: big-endian dtype '>f4' is not supported: save a.astype('<f4')"));
  REQUIRE_THROWS_WITH(io::read_npy(fixture("fortran_order.npy")),
                      Contains("fortran_order.npy: fortran_order True (column-major) arrays are not supported"));
  REQUIRE_THROWS_WITH(io::read_npy(fixture("object.npy")), Contains("object.npy: object arrays (pickled Python objects)"));
  REQUIRE_THROWS_WITH(io::read_npy(fixture("uint8.npy")), Contains("uint8.npy: dtype '|u1' is not supported"));
  REQUIRE_THROWS_WITH(io::read_npy(fixture("structured.npy")), Contains("structured (record) dtypes are not supported"));
  REQUIRE_THROWS_WITH(io::read_npy(fixture("savez.npz")), Contains("savez.npz: a ZIP archive (an .npz file?)"));
}

TEST_CASE("npy: every truncation is rejected, every flipped byte rejected or harmless", "[io][npy]") {
  for (const char* name : {"f32_3x4.npy", "f16_6.npy", "i32_2x2.npy", "scalar_f32.npy", "f32_3x4_v2.npy"}) {
    CAPTURE(name);
    const auto bytes = test::read_bytes(fixture(name));
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      CAPTURE(len);
      REQUIRE_FALSE(decodes(std::span(bytes).first(len)));
    }
    for (std::size_t i = 0; i < bytes.size(); ++i)
      for (const std::uint8_t bit : {0x01, 0x20, 0x80}) {
        auto bad = bytes;
        bad[i] ^= bit;
        CAPTURE(i, bit);
        decodes(bad);  // a flip in the data is another valid array; in the header, an io::Error
      }
  }
}

TEST_CASE("npy: malformed headers are named", "[io][npy]") {
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const auto data = f32_bytes({1, 2});
  REQUIRE(io::decode_npy(npy_with_header(ok, data), "x.npy").values == std::vector<float>{1, 2});
  // Whitespace, key order, double quotes and Python 2's 2L are all numpy's.
  REQUIRE(io::decode_npy(npy_with_header("{\"shape\":(2L,),'fortran_order':False,'descr':'<f4'}", data), "x.npy").count() == 2);

  auto fails = [&](const std::string& header, const std::string& message, std::vector<std::uint8_t> bytes = {}) {
    CAPTURE(header);
    REQUIRE_THROWS_WITH(io::decode_npy(npy_with_header(header, bytes.empty() ? data : bytes), "x.npy"),
                        Contains("x.npy: ") && Contains(message));
  };
  fails("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key 'x'");
  fails("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "key 'descr' appears twice");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "'shape' (n) is a number, not a tuple");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "'shape' must be a tuple, not a list");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "negative dimension");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}", "leading zero");
  fails("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False");
  fails("{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}", "escapes in strings are not supported");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) 'x'}", "expected ',' or '}'");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "followed by spaces and one newline");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", "too large");
  if constexpr (sizeof(std::size_t) == 8) {
    fails("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
          "shape (4294967296, 4294967296) of '<f4' is too large: its byte count overflows");
    fails("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 1073741823)}",
          "truncated: shape (4294967296, 1073741823) of '<f4' needs 18446744056529682432 bytes");
  } else {  // 32-bit (armv7): a dimension of 2^32 is already more than a size_t holds
    fails("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
          "dimension in 'shape' is too large");
  }
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}",
        "truncated: shape (3,) of '<f4' needs 12 bytes of data, the file holds 8");
  fails("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", "4 unexpected bytes after the 4 bytes of the array data");
  fails("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", "dtype '<c8' is not supported");
  std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 65; ++i) deep += "1, ";
  fails(deep + ")}", "more than 64 dimensions");

  auto bytes = npy_with_header(ok, data);
  bytes[6] = 4;
  REQUIRE_THROWS_WITH(io::decode_npy(bytes, "x.npy"), Contains("x.npy: .npy format version 4.0 is not supported"));
  bytes[6] = 1;
  bytes[0] = 0x92;
  REQUIRE_THROWS_WITH(io::decode_npy(bytes, "x.npy"), Contains("not a .npy file (wrong magic bytes)"));
  bytes[0] = 0x93;
  bytes[8] = 0xFF;
  bytes[9] = 0x00;
  REQUIRE_THROWS_WITH(io::decode_npy(bytes, "x.npy"), Contains("truncated .npy header: it says 255 bytes"));
  bytes[9] = 0xFF;
  REQUIRE_THROWS_WITH(io::decode_npy(bytes, "x.npy"), Contains("header length 65535 exceeds the limit of 10000 bytes"));
  REQUIRE_THROWS_WITH(io::decode_npy(std::span(bytes).first(9), "x.npy"), Contains("too short to be a .npy file (9 bytes)"));
}
