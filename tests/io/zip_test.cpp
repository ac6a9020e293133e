// io/zip.hpp: archives numpy wrote (stored and deflated, with ZIP64 extra fields) read; every
// truncation is rejected and every flipped byte rejected or harmless; damaged directories,
// offsets past the end, overlapping members, CRC mismatches, deflate bombs and unsupported
// features are each named.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>
#if FIRMNET_HAVE_ZLIB
#include <zlib.h>
#endif

#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/zip.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

// A member as the archive holds it: `stored` is the compressed bytes for method 8.
struct RawMember {
  std::string name;
  std::vector<std::uint8_t> stored;
  std::uint16_t method = 0;
  std::uint32_t crc = 0, size = 0;
  std::uint16_t flags = 0;
  std::int64_t offset = -1;  // >= 0: the central directory points there instead
};

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(std::uint8_t(v));
  out.push_back(std::uint8_t(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

RawMember stored(const std::string& name, const std::vector<std::uint8_t>& data) {
  return {name, data, 0, io::crc32(data.data(), data.size()), std::uint32_t(data.size())};
}

// A ZIP archive laid out by the APPNOTE, with whatever fields the test wants wrong.
std::vector<std::uint8_t> build_zip(const std::vector<RawMember>& members) {
  std::vector<std::uint8_t> out, central;
  for (const auto& m : members) {
    const auto offset = m.offset >= 0 ? std::uint32_t(m.offset) : std::uint32_t(out.size());
    auto header = [&](std::vector<std::uint8_t>& to, bool local) {
      put32(to, local ? 0x04034b50 : 0x02014b50);
      if (!local) put16(to, 20);
      put16(to, 20);
      put16(to, m.flags);
      put16(to, m.method);
      put16(to, 0);
      put16(to, 0x21);
      put32(to, m.crc);
      put32(to, std::uint32_t(m.stored.size()));
      put32(to, m.size);
      put16(to, std::uint32_t(m.name.size()));
      put16(to, 0);
      if (!local) {
        for (int i = 0; i < 3; ++i) put16(to, 0);  // comment length, disk, internal attributes
        put32(to, 0);                               // external attributes
        put32(to, offset);
      }
      to.insert(to.end(), m.name.begin(), m.name.end());
    };
    header(out, true);
    out.insert(out.end(), m.stored.begin(), m.stored.end());
    header(central, false);
  }
  const auto cd_offset = std::uint32_t(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50);
  put32(out, 0);
  put16(out, std::uint32_t(members.size()));
  put16(out, std::uint32_t(members.size()));
  put32(out, std::uint32_t(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

bool decodes(std::span<const std::uint8_t> bytes) {
  try {
    io::decode_zip(bytes, "a.zip");
    return true;
  } catch (const io::Error&) {
    return false;
  }
}

#if FIRMNET_HAVE_ZLIB
RawMember deflated(const std::string& name, const std::vector<std::uint8_t>& data) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::uint8_t> out(deflateBound(&z, uLong(data.size())));
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = uInt(data.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return {name, out, 8, io::crc32(data.data(), data.size()), std::uint32_t(data.size())};
}
#endif
}  // namespace

TEST_CASE("zip: archives numpy wrote read, ZIP64 extra fields included", "[io][zip]") {
  const auto members = io::decode_zip(test::read_bytes(fixture("savez.npz")), "savez.npz");
  REQUIRE(members.size() == 5);
  REQUIRE(members[3].name == "zeros.npy");
  REQUIRE(members[3].data.size() == 4128);
#if FIRMNET_HAVE_ZLIB
  const auto inflated = io::decode_zip(test::read_bytes(fixture("savez_compressed.npz")), "c.npz");
  REQUIRE(inflated.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) REQUIRE(inflated[i].data == members[i].data);
#endif
}

TEST_CASE("zip: firmnet's archives round-trip", "[io][zip]") {
  const std::vector<io::ZipMember> members = {{"a.npy", {1, 2, 3}}, {"dir/b.npy", {}}, {"\xc3\xa9.npy", {9}}};
  const auto bytes = io::encode_zip(members);
  const auto back = io::decode_zip(bytes, "a.zip");
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(back[i].name == members[i].name);
    REQUIRE(back[i].data == members[i].data);
  }
  REQUIRE(build_zip({stored("a.npy", {1, 2, 3})}) == io::encode_zip({{"a.npy", {1, 2, 3}}}));
  REQUIRE_THROWS_WITH(io::encode_zip({{"", {1}}}), Contains("is empty, too long or holds a NUL byte"));
}

TEST_CASE("zip: every truncation is rejected, every flipped byte rejected or harmless", "[io][zip]") {
  std::vector<std::vector<std::uint8_t>> archives = {test::read_bytes(fixture("savez.npz"))};
#if FIRMNET_HAVE_ZLIB
  archives.push_back(test::read_bytes(fixture("savez_compressed.npz")));
#endif
  for (const auto& bytes : archives) {
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      CAPTURE(len);
      REQUIRE_FALSE(decodes(std::span(bytes).first(len)));
    }
    const auto members = io::decode_zip(bytes, "a.zip");
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      auto bad = bytes;
      bad[i] ^= 0x10;
      CAPTURE(i);
      if (!decodes(bad)) continue;
      // Only fields no reader needs (versions, dates, attributes) may change unnoticed.
      const auto back = io::decode_zip(bad, "a.zip");
      REQUIRE(back.size() == members.size());
      for (std::size_t m = 0; m < back.size(); ++m) {
        REQUIRE(back[m].name == members[m].name);
        REQUIRE(back[m].data == members[m].data);
      }
    }
  }
}

TEST_CASE("zip: damaged directories and offsets past the end are named", "[io][zip]") {
  const auto good = build_zip({stored("a.npy", {1, 2, 3, 4}), stored("b.npy", {5, 6})});
  REQUIRE(decodes(good));
  const std::size_t end = good.size() - 22, cd = end - 2 * (46 + 5);
  auto fails = [&](std::vector<std::uint8_t> bytes, const std::string& message) {
    CAPTURE(message);
    REQUIRE_THROWS_WITH(io::decode_zip(bytes, "a.zip"), Contains("a.zip: ") && Contains(message));
  };
  fails({1, 2, 3}, "too short to be a ZIP archive (3 bytes)");
  fails(std::vector<std::uint8_t>(100, 0), "not a ZIP archive (no end-of-central-directory record)");
  auto b = good;
  b[end + 16] += 1;  // central directory offset
  fails(b, "does not end where the end record starts");
  b = good;
  b[end + 10] = 3;  // total entries
  b[end + 8] = 3;
  fails(b, "3 members cannot fit in a central directory of 102 bytes");
  b = good;
  b[end + 8] = 1;
  fails(b, "multi-disk (split) ZIP archives are not supported");
  b = good;
  b[cd] = 'X';
  fails(b, "central directory entry 0 has a wrong signature");
  b = good;
  b[cd + 28] = 60;  // name length
  fails(b, "central directory entry 0 runs past the directory's end");
  b = good;
  b[cd + 42] = 200;  // local header offset
  fails(b, "member 'a.npy': local header is not before the central directory");
  b = good;
  b[cd + 20] = 200;  // compressed size
  b[cd + 24] = 200;
  b[20 - 2] = 200;   // the local header's sizes too
  b[22] = 200;
  fails(b, "member 'a.npy': 200 bytes of data at byte 35 run past the start of the central directory");
  b = good;
  b[0] = 'Q';
  fails(b, "member 'a.npy': local header has a wrong signature");
  b = good;
  b[30] = 'c';
  fails(b, "member 'a.npy': local header names another file");
  b = good;
  b[14] ^= 1;
  fails(b, "local header and central directory give different CRC-32 or sizes");
  b = good;
  b[35] ^= 1;  // first data byte
  fails(b, "member 'a.npy': CRC-32 mismatch: the data is corrupt");
  fails(build_zip({stored("a.npy", {1}), stored("a.npy", {2})}), "member 'a.npy': appears twice");
  auto comment = good;
  comment[end + 20] = 3;
  comment.insert(comment.end(), {'h', 'i', '!'});
  REQUIRE(decodes(comment));
  comment.push_back('x');
  fails(comment, "no end-of-central-directory record");
}

TEST_CASE("zip: overlapping members are rejected", "[io][zip]") {
  // b's local header and data sit inside a's data; the directory lists both (a zip-bomb trick).
  const auto inner = build_zip({stored("b.npy", {7, 7, 7})});
  std::vector<std::uint8_t> a_data(inner.begin(), inner.begin() + 30 + 5 + 3);
  RawMember a = stored("a.npy", a_data);
  RawMember b = stored("b.npy", {7, 7, 7});
  b.offset = 30 + 5;
  auto bytes = build_zip({a, b});
  // build_zip wrote b's own local header after a too; drop it so the directory points inside a.
  bytes.erase(bytes.begin() + 30 + 5 + std::ptrdiff_t(a_data.size()), bytes.begin() + 2 * (30 + 5) + std::ptrdiff_t(a_data.size()) + 3);
  const std::size_t cd_offset_at = bytes.size() - 22 + 16;
  const std::uint32_t cd = 30 + 5 + std::uint32_t(a_data.size());
  std::memcpy(&bytes[cd_offset_at], &cd, 4);
  REQUIRE_THROWS_WITH(io::decode_zip(bytes, "bomb.zip"), Contains("bomb.zip: corrupt ZIP archive: member 'b.npy': overlaps member 'a.npy'"));
}

TEST_CASE("zip: unsupported features are named", "[io][zip]") {
  RawMember m = stored("a.npy", {1, 2});
  m.flags = 1;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({m}), "a.zip"), Contains("a.zip: member 'a.npy' is encrypted"));
  m = stored("a.npy", {1, 2});
  m.method = 12;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({m}), "a.zip"),
                      Contains("member 'a.npy' uses compression method 12; this firmnet reads stored (0) and deflated (8)"));
  m = stored("a.npy", {1, 2});
  m.size = 3;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({m}), "a.zip"), Contains("stored, but its compressed size 2 differs from its size 3"));
  m = stored("a.npy", {1, 2});
  m.size = 0xFFFFFFFF;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({m}), "a.zip"), Contains("there is no ZIP64 extra field"));
  // A ZIP64 end-of-central-directory locator in front of the end record.
  auto bytes = build_zip({stored("a.npy", {1, 2})});
  std::vector<std::uint8_t> locator = {0x50, 0x4b, 0x06, 0x07};
  locator.resize(20);
  bytes.insert(bytes.end() - 22, locator.begin(), locator.end());
  REQUIRE_THROWS_WITH(io::decode_zip(bytes, "big.zip"), Contains("big.zip: ZIP64 archives (over 65535 members or 4 GiB) are not supported"));
}

#if FIRMNET_HAVE_ZLIB
TEST_CASE("zip: deflated members, bombs and lies about sizes", "[io][zip]") {
  std::vector<std::uint8_t> text(5000);
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = std::uint8_t("firmnet"[i % 7]);
  const auto back = io::decode_zip(build_zip({deflated("t.npy", text)}), "a.zip");
  REQUIRE(back[0].data == text);

  const std::vector<std::uint8_t> zeros(std::size_t(2) << 20);  // 2 MiB: about 2 KiB deflated
  const auto bomb = build_zip({deflated("zeros.npy", zeros)});
  REQUIRE(bomb.size() < 4000);
  REQUIRE_THROWS_WITH(io::decode_zip(bomb, "bomb.zip", std::size_t(1) << 20),
                      Contains("bomb.zip: member 'zeros.npy' of 2097152 bytes takes the archive past the limit of 1048576"));
  REQUIRE(io::decode_zip(bomb, "bomb.zip", std::size_t(2) << 20)[0].data.size() == zeros.size());
  RawMember liar = deflated("zeros.npy", zeros);
  liar.size = 1000;  // declares 1000 bytes, inflates to 2 MiB: stops at 1000
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({liar}), "bomb.zip"),
                      Contains("member 'zeros.npy': inflates to more than the 1000 bytes its directory entry declares"));
  liar = deflated("t.npy", text);
  liar.size = 6000;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({liar}), "a.zip"), Contains("inflates to 5000 bytes, its directory entry declares 6000"));
  RawMember cut = deflated("t.npy", text);
  cut.stored.resize(cut.stored.size() - 3);
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({cut}), "a.zip"), Contains("member 't.npy': deflate stream is truncated"));
  RawMember junk = deflated("t.npy", text);
  junk.stored.push_back(0);
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({junk}), "a.zip"), Contains("1 bytes after the end of the deflate stream"));
  RawMember garbage = deflated("t.npy", text);
  garbage.stored[0] = 0xFF;  // block type 3: reserved
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({garbage}), "a.zip"), Contains("member 't.npy': corrupt deflate data: "));
  RawMember crc = deflated("t.npy", text);
  crc.crc ^= 1;
  REQUIRE_THROWS_WITH(io::decode_zip(build_zip({crc}), "a.zip"), Contains("member 't.npy': CRC-32 mismatch"));
}
#else
TEST_CASE("zip: without zlib, deflated members get a clear error and stored ones read", "[io][zip]") {
  REQUIRE_THROWS_WITH(io::decode_zip(test::read_bytes(fixture("savez_compressed.npz")), "c.npz"),
                      Contains("c.npz: member 'w.npy' is deflate-compressed (np.savez_compressed), but this firmnet was "
                               "built without zlib (re-save it with np.savez, or build with zlib1g-dev installed)"));
  REQUIRE(io::decode_zip(test::read_bytes(fixture("savez.npz")), "s.npz").size() == 5);
}
#endif
