// io/safetensors.hpp: a file laid out as the Rust writer lays it out loads with every dtype;
// firmnet's files round-trip; every truncation is rejected and every flipped byte rejected or
// harmless; bad headers, dtypes and offsets are named.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/safetensors.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

// The header text (unpadded), then `buffer` zero bytes.
std::vector<std::uint8_t> file(const std::string& header, std::size_t buffer) {
  std::vector<std::uint8_t> out(8 + header.size() + buffer, 0);
  for (std::size_t i = 0; i < 8; ++i) out[i] = std::uint8_t(std::uint64_t(header.size()) >> (8 * i));
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

bool decodes(std::span<const std::uint8_t> bytes) {
  try {
    io::decode_safetensors(bytes, "m.safetensors");
    return true;
  } catch (const io::Error&) {
    return false;
  }
}
}  // namespace

TEST_CASE("safetensors: a file as the reference writer lays it out loads", "[io][safetensors]") {
  const io::Safetensors s = io::read_safetensors(fixture("model.safetensors"));
  REQUIRE(s.tensors.size() == 6);
  REQUIRE(s.tensors[0].name == "bn.num_batches_tracked");  // I64 first: sorted by alignment, then name
  REQUIRE(*s.find_metadata("format") == "pt");
  REQUIRE(*s.find_metadata("note") == "tab\tquote\" \xc3\xa9");
  REQUIRE(s.find_metadata("nope") == nullptr);

  const io::NdArray* w = s.find("fc.weight");
  REQUIRE(w);
  REQUIRE(w->stored == io::StoredType::f32);
  REQUIRE(w->shape == std::vector<std::size_t>{2, 3});
  for (std::size_t i = 0; i < 6; ++i) REQUIRE(w->values[i] == float(i) / 4 - 0.5f);
  REQUIRE(s.find("fc.bias")->values == std::vector<float>{1.5f, -3.f});
  const io::NdArray* d = s.find("double");
  REQUIRE(d->stored == io::StoredType::f64);
  REQUIRE(d->values[0] == 0.1f);
  REQUIRE(d->values[1] == -std::numeric_limits<float>::infinity());  // -1e300 is beyond float
  REQUIRE(s.find("half")->stored == io::StoredType::f16);
  REQUIRE(s.find("half")->values == std::vector<float>{1.f, -0.5f, 65504.f});
  const io::NdArray* b = s.find("brain");
  REQUIRE(b->stored == io::StoredType::bf16);
  REQUIRE(b->values[0] == 1.f);
  REQUIRE(b->values[1] == -2.f);
  REQUIRE(std::abs(b->values[2] - 3e38f) < 3e38f / 128);  // bfloat16 keeps 8 bits of mantissa
  const io::NdArray* steps = s.find("bn.num_batches_tracked");
  REQUIRE(steps->stored == io::StoredType::i64);
  REQUIRE(steps->shape.empty());
  REQUIRE(steps->ints == std::vector<std::int64_t>{123});
}

TEST_CASE("safetensors: firmnet's files round-trip", "[io][safetensors]") {
  test::TempDir dir;
  const io::Safetensors s = io::read_safetensors(fixture("model.safetensors"));
  io::write_safetensors(dir.file("again.safetensors"), s);
  const auto bytes = test::read_bytes(dir.file("again.safetensors"));
  REQUIRE((bytes.size() - 8 - (6 + 2 + 2 + 3 + 3) * 4 - 8) % 8 == 0);  // header padded to 8 bytes
  const io::Safetensors back = io::decode_safetensors(bytes, "again.safetensors");
  REQUIRE(back.metadata == s.metadata);
  REQUIRE(back.tensors.size() == s.tensors.size());
  for (std::size_t i = 0; i < s.tensors.size(); ++i) {
    CAPTURE(i);
    REQUIRE(back.tensors[i].name == s.tensors[i].name);
    REQUIRE(back.tensors[i].array.shape == s.tensors[i].array.shape);
    REQUIRE(back.tensors[i].array.values == s.tensors[i].array.values);
    REQUIRE(back.tensors[i].array.ints == s.tensors[i].array.ints);
    REQUIRE(back.tensors[i].array.stored == (s.tensors[i].array.is_float() ? io::StoredType::f32 : io::StoredType::i64));
  }
  REQUIRE(io::encode_safetensors(back) == bytes);
  REQUIRE(io::decode_safetensors(io::encode_safetensors({}), "empty").tensors.empty());

  io::Safetensors bad = s;
  bad.tensors.push_back(bad.tensors[0]);
  REQUIRE_THROWS_WITH(io::encode_safetensors(bad), Contains("tensor name 'bn.num_batches_tracked' appears twice"));
  bad = s;
  bad.tensors[1].array.values.push_back(1);
  REQUIRE_THROWS_WITH(io::encode_safetensors(bad), Contains("tensor 'double' of shape (2,) needs 2 elements, has 3"));
}

TEST_CASE("safetensors: every truncation is rejected, every flipped byte rejected or harmless", "[io][safetensors]") {
  const auto bytes = test::read_bytes(fixture("model.safetensors"));
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    CAPTURE(len);
    REQUIRE_FALSE(decodes(std::span(bytes).first(len)));
  }
  std::size_t header_rejected = 0;
  const std::size_t header_end = 8 + bytes[0] + 256 * bytes[1];
  for (std::size_t i = 0; i < bytes.size(); ++i)
    for (const std::uint8_t bit : {0x01, 0x08, 0x80}) {
      auto bad = bytes;
      bad[i] ^= bit;
      CAPTURE(i, bit);
      const bool ok = decodes(bad);  // a flip in the buffer changes a value; in the header, mostly an io::Error
      if (i < header_end) header_rejected += !ok;
    }
  REQUIRE(header_rejected > 3 * header_end * 3 / 4);
}

TEST_CASE("safetensors: bad headers, dtypes and offsets are named", "[io][safetensors]") {
  const std::string t = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
  REQUIRE(decodes(file("{" + t + "}", 8)));
  auto fails = [](const std::vector<std::uint8_t>& bytes, const std::string& message) {
    CAPTURE(message);
    REQUIRE_THROWS_WITH(io::decode_safetensors(bytes, "m.safetensors"), Contains("m.safetensors") && Contains(message));
  };
  fails({1, 2, 3}, "too short to be a safetensors file (3 bytes)");
  auto huge = file("{}", 0);
  huge[4] = 1;
  fails(huge, "safetensors header length 4294967298 exceeds the limit of 100000000 bytes");
  auto cut = file("{" + t + "}", 8);
  cut.resize(20);
  fails(cut, "truncated safetensors header: it says 54 bytes, the file holds 12");
  fails(file(" {}", 0), "the safetensors header does not start with '{'");
  fails(file("{\"w\":{\"dtype\":\"F32\",}}", 0), "m.safetensors: header: bad JSON: expected a key in quotes (at byte 20)");
  fails(file("{\"__metadata__\":[]}", 0), "\"__metadata__\" is an array, not an object");
  fails(file("{\"__metadata__\":{\"k\":1}}", 0), "\"__metadata__\" value of \"k\" is an integer, not a string");
  fails(file("{\"w\":[]}", 0), "tensor 'w' is an array, not an object");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8), "tensor 'w' has an unexpected key \"x\"");
  fails(file("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'w' lacks dtype");
  fails(file("{\"w\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
        "tensor 'w': dtype U8 is not supported (this firmnet reads F32, F64, F16, BF16, I32, I64)");
  fails(file("{\"w\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'w': unknown dtype \"F31\"");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8), "tensor 'w' has a shape that is an integer, not an array");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8), "tensor 'w' shape dimension is negative (-2)");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8), "tensor 'w': data_offsets must be an array [begin, end]");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8), "data_offsets [8, 0] end before they begin");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
        "tensor 'w': data_offsets [0, 8] run past the end of the 4-byte buffer after the header");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
        "tensor 'w': data_offsets [0, 8] hold 8 bytes, but shape (3,) of F32 needs 12");
  fails(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8),
        sizeof(std::size_t) == 8 ? "shape (4294967296, 4294967296) is too large: its byte count overflows"
                                 : "tensor 'w' has a dimension too large for this machine");  // 32-bit: 2^32 > SIZE_MAX
  const std::string v = "\"v\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]}";
  fails(file("{" + t + "," + v + "}", 8), "tensors 'w' and 'v' overlap in the buffer");
  const std::string late = "\"v\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[12,16]}";
  fails(file("{" + t + "," + late + "}", 16), "4 bytes of the buffer before tensor 'v' belong to no tensor");
  fails(file("{" + t + "}", 9), "1 bytes at the end of the buffer belong to no tensor");
}
