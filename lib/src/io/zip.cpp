// ZIP reading (stored and deflated members, every offset checked) and stored writing; see
// io/zip.hpp. Field layouts are those of PKWARE's APPNOTE.TXT, sections 4.3.7 to 4.3.16.
#include "firmnet/io/zip.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "inflate.hpp"

namespace firmnet::io {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::size_t kLocalSize = 30, kCentralSize = 46, kEndSize = 22, kZip64LocatorSize = 20;
constexpr std::uint32_t kMax32 = 0xFFFFFFFF;
constexpr std::uint16_t kMax16 = 0xFFFF;
constexpr std::uint16_t kFlagEncrypted = 1 << 0, kFlagDataDescriptor = 1 << 3, kFlagStrongEncryption = 1 << 6;
constexpr std::uint16_t kFlagUtf8 = 1 << 11;
constexpr std::uint16_t kMethodStored = 0, kMethodDeflated = 8;
constexpr std::uint16_t kDate1980 = (0 << 9) | (1 << 5) | 1;  // DOS date 1980-01-01

std::uint16_t u16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
std::uint32_t u32(const std::uint8_t* p) { return std::uint32_t(u16(p)) | (std::uint32_t(u16(p + 2)) << 16); }
std::uint64_t u64(const std::uint8_t* p) { return std::uint64_t(u32(p)) | (std::uint64_t(u32(p + 4)) << 32); }

struct Entry {
  std::string name;
  std::uint16_t flags = 0, method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, size = 0, offset = 0;
  std::uint64_t data_at = 0;  // from the local header
};

class Archive {
 public:
  Archive(std::span<const std::uint8_t> bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  [[noreturn]] void fail(const std::string& problem) const { throw Error(source_ + ": corrupt ZIP archive: " + problem); }
  [[noreturn]] void fail(const Entry& e, const std::string& problem) const { fail("member '" + e.name + "': " + problem); }

  // The end-of-central-directory record: the last signature whose comment ends the file.
  std::size_t find_end() const {
    if (bytes_.size() < kEndSize)
      throw Error(source_ + ": too short to be a ZIP archive (" + std::to_string(bytes_.size()) + " bytes)");
    const std::size_t last = bytes_.size() - kEndSize;
    const std::size_t first = last > kMax16 ? last - kMax16 : 0;
    for (std::size_t at = last + 1; at-- > first;)
      if (u32(&bytes_[at]) == kEndSig && u16(&bytes_[at + 20]) == bytes_.size() - at - kEndSize) return at;
    throw Error(source_ + ": not a ZIP archive (no end-of-central-directory record)");
  }

  std::vector<Entry> directory() {
    const std::size_t end = find_end();
    const std::uint8_t* e = &bytes_[end];
    const std::uint16_t disk = u16(e + 4), cd_disk = u16(e + 6), here = u16(e + 8), total = u16(e + 10);
    const std::uint32_t cd_size = u32(e + 12), cd_offset = u32(e + 16);
    if ((end >= kZip64LocatorSize && u32(&bytes_[end - kZip64LocatorSize]) == kZip64LocatorSig) || total == kMax16 ||
        cd_size == kMax32 || cd_offset == kMax32)
      throw Error(source_ + ": ZIP64 archives (over 65535 members or 4 GiB) are not supported");
    if (disk != 0 || cd_disk != 0 || here != total) throw Error(source_ + ": multi-disk (split) ZIP archives are not supported");
    if (std::uint64_t(cd_offset) + cd_size != end)
      fail("the central directory (" + std::to_string(cd_size) + " bytes at byte " + std::to_string(cd_offset) +
           ") does not end where the end record starts (byte " + std::to_string(end) + ")");
    if (std::uint64_t(total) * kCentralSize > cd_size)
      fail(std::to_string(total) + " members cannot fit in a central directory of " + std::to_string(cd_size) + " bytes");
    cd_begin_ = cd_offset;
    std::vector<Entry> entries;
    std::set<std::string> names;
    std::size_t at = cd_offset;
    for (std::uint16_t i = 0; i < total; ++i) {
      if (end - at < kCentralSize) fail("central directory entry " + std::to_string(i) + " is truncated");
      const std::uint8_t* c = &bytes_[at];
      if (u32(c) != kCentralSig) fail("central directory entry " + std::to_string(i) + " has a wrong signature");
      Entry m;
      m.flags = u16(c + 8);
      m.method = u16(c + 10);
      m.crc = u32(c + 16);
      m.compressed = u32(c + 20);
      m.size = u32(c + 24);
      const std::size_t name_len = u16(c + 28), extra_len = u16(c + 30), comment_len = u16(c + 32);
      const std::uint16_t start_disk = u16(c + 34);
      m.offset = u32(c + 42);
      if (end - at - kCentralSize < name_len + extra_len + comment_len)
        fail("central directory entry " + std::to_string(i) + " runs past the directory's end");
      m.name.assign(reinterpret_cast<const char*>(c + kCentralSize), name_len);
      if (m.name.empty() || m.name.find('\0') != std::string::npos)
        fail("central directory entry " + std::to_string(i) + " has an empty name or one with a NUL byte");
      zip64_extra(m, std::span(c + kCentralSize + name_len, extra_len), start_disk);
      if (m.flags & (kFlagEncrypted | kFlagStrongEncryption))
        throw Error(source_ + ": member '" + m.name + "' is encrypted; encrypted ZIP archives are not supported");
      if (m.method != kMethodStored && m.method != kMethodDeflated)
        throw Error(source_ + ": member '" + m.name + "' uses compression method " + std::to_string(m.method) +
                    "; this firmnet reads stored (0) and deflated (8) members");
      if (m.method == kMethodStored && m.compressed != m.size)
        fail(m, "stored, but its compressed size " + std::to_string(m.compressed) + " differs from its size " +
                    std::to_string(m.size));
      if (!names.insert(m.name).second) fail(m, "appears twice");
      at += kCentralSize + name_len + extra_len + comment_len;
      entries.push_back(std::move(m));
    }
    if (at != end) fail(std::to_string(end - at) + " unexpected bytes after the last central directory entry");
    for (auto& m : entries) local_header(m);
    // Members may not overlap: each starts after the data of the one before it.
    std::vector<const Entry*> by_offset;
    for (const auto& m : entries) by_offset.push_back(&m);
    std::sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) { return a->offset < b->offset; });
    for (std::size_t i = 1; i < by_offset.size(); ++i)
      if (by_offset[i]->offset < by_offset[i - 1]->data_at + by_offset[i - 1]->compressed)
        fail(*by_offset[i], "overlaps member '" + by_offset[i - 1]->name + "'");
    return entries;
  }

  std::span<const std::uint8_t> data(const Entry& m) const {
    return bytes_.subspan(static_cast<std::size_t>(m.data_at), static_cast<std::size_t>(m.compressed));
  }

 private:
  // ZIP64 extended information (header ID 1): the 64-bit values of the fields set to all ones,
  // in the order size, compressed size, offset, disk (APPNOTE 4.5.3).
  void zip64_extra(Entry& m, std::span<const std::uint8_t> extra, std::uint16_t start_disk) const {
    const bool need_size = m.size == kMax32, need_compressed = m.compressed == kMax32, need_offset = m.offset == kMax32;
    const bool need_disk = start_disk == kMax16;
    if (!need_size && !need_compressed && !need_offset && !need_disk) return;
    std::size_t at = 0;
    while (extra.size() - at >= 4) {
      const std::uint16_t id = u16(&extra[at]), len = u16(&extra[at + 2]);
      at += 4;
      if (len > extra.size() - at) fail(m, "extra field runs past its end");
      if (id == 1) {
        const std::size_t want = 8 * (need_size + need_compressed + need_offset) + 4 * need_disk;
        if (len < want) fail(m, "ZIP64 extra field too short for the values it must hold");
        const std::uint8_t* p = &extra[at];
        if (need_size) m.size = u64(p), p += 8;
        if (need_compressed) m.compressed = u64(p), p += 8;
        if (need_offset) m.offset = u64(p), p += 8;
        if (need_disk && u32(p) != 0) throw Error(source_ + ": multi-disk (split) ZIP archives are not supported");
        return;
      }
      at += len;
    }
    fail(m, "sizes or offset set to all ones, but there is no ZIP64 extra field");
  }

  // A local header's ZIP64 field holds both sizes (APPNOTE 4.5.3); numpy writes one for every
  // member, so it must agree with the directory.
  void local_zip64_extra(const Entry& m, std::span<const std::uint8_t> extra) const {
    std::size_t at = 0;
    while (extra.size() - at >= 4) {
      const std::uint16_t id = u16(&extra[at]), len = u16(&extra[at + 2]);
      at += 4;
      if (len > extra.size() - at) fail(m, "local extra field runs past its end");
      if (id == 1 && !(m.flags & kFlagDataDescriptor)) {
        if (len < 16) fail(m, "local ZIP64 extra field too short for the two sizes it must hold");
        if (u64(&extra[at]) != m.size || u64(&extra[at + 8]) != m.compressed)
          fail(m, "local ZIP64 extra field and central directory give different sizes");
      }
      at += len;
    }
  }

  void local_header(Entry& m) const {
    if (m.offset > cd_begin_ || cd_begin_ - m.offset < kLocalSize) fail(m, "local header is not before the central directory");
    const std::uint8_t* l = &bytes_[static_cast<std::size_t>(m.offset)];
    if (u32(l) != kLocalSig) fail(m, "local header has a wrong signature (at byte " + std::to_string(m.offset) + ")");
    if (u16(l + 8) != m.method) fail(m, "local header and central directory give different compression methods");
    if (!(m.flags & kFlagDataDescriptor)) {  // else the values follow the data; the directory's are used
      const std::uint32_t crc = u32(l + 14), compressed = u32(l + 18), size = u32(l + 22);
      if (crc != m.crc || (compressed != kMax32 && compressed != m.compressed) || (size != kMax32 && size != m.size))
        fail(m, "local header and central directory give different CRC-32 or sizes");
    }
    const std::size_t name_len = u16(l + 26), extra_len = u16(l + 28);
    const std::uint64_t room = cd_begin_ - m.offset - kLocalSize;
    if (name_len + extra_len > room) fail(m, "local header runs into the central directory");
    if (name_len != m.name.size() || std::memcmp(l + kLocalSize, m.name.data(), name_len) != 0)
      fail(m, "local header names another file");
    local_zip64_extra(m, std::span(l + kLocalSize + name_len, extra_len));
    m.data_at = m.offset + kLocalSize + name_len + extra_len;
    if (m.compressed > cd_begin_ - m.data_at)
      fail(m, std::to_string(m.compressed) + " bytes of data at byte " + std::to_string(m.data_at) +
                  " run past the start of the central directory (byte " + std::to_string(cd_begin_) + ")");
  }

  std::span<const std::uint8_t> bytes_;
  const std::string& source_;
  std::uint64_t cd_begin_ = 0;
};

// Raw deflate (no zlib or gzip wrapper), never past `size` bytes (inflate.hpp).
std::vector<std::uint8_t> inflate_member(std::span<const std::uint8_t> in, std::size_t size, const Archive& zip,
                                         const Entry& m) {
  using Status = detail::Inflated::Status;
  detail::Inflated r = detail::inflate_bounded(in, detail::Wrapper::raw_deflate, size);
  switch (r.status) {
    case Status::ok: return std::move(r.data);
    case Status::cannot_start: zip.fail(m, "cannot start decompression");
    case Status::too_large:
      zip.fail(m, "inflates to more than the " + std::to_string(size) + " bytes its directory entry declares");
    case Status::trailing: zip.fail(m, std::to_string(r.trailing) + " bytes after the end of the deflate stream");
    case Status::truncated: zip.fail(m, "deflate stream is truncated");
    case Status::corrupt: zip.fail(m, "corrupt deflate data: " + r.detail);
  }
  return {};
}

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(std::uint8_t(v));
  out.push_back(std::uint8_t(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

}  // namespace

std::vector<ZipMember> decode_zip(std::span<const std::uint8_t> bytes, const std::string& source, std::size_t max_bytes) {
  Archive zip(bytes, source);
  const std::vector<Entry> entries = zip.directory();
  std::vector<ZipMember> members;
  std::uint64_t total = 0;
  for (const auto& m : entries) {
#if !FIRMNET_HAVE_ZLIB
    if (m.method == kMethodDeflated)
      throw Error(source + ": member '" + m.name + "' is deflate-compressed (np.savez_compressed), but this firmnet was "
                           "built without zlib (re-save it with np.savez, or build with zlib1g-dev installed)");
#endif
    if (m.size > max_bytes - total)
      throw Error(source + ": member '" + m.name + "' of " + std::to_string(m.size) + " bytes takes the archive past the limit of " +
                  std::to_string(max_bytes) + " uncompressed bytes");
    total += m.size;
    const auto size = static_cast<std::size_t>(m.size);
    ZipMember out;
    out.name = m.name;
    if (m.method == kMethodStored) {
      const auto d = zip.data(m);
      out.data.assign(d.begin(), d.end());
    } else {
      out.data = inflate_member(zip.data(m), size, zip, m);
      if (out.data.size() != size)
        zip.fail(m, "inflates to " + std::to_string(out.data.size()) + " bytes, its directory entry declares " +
                        std::to_string(size));
    }
    if (crc32(out.data.data(), out.data.size()) != m.crc) zip.fail(m, "CRC-32 mismatch: the data is corrupt");
    members.push_back(std::move(out));
  }
  return members;
}

std::vector<std::uint8_t> encode_zip(const std::vector<ZipMember>& members) {
  if (members.size() >= kMax16) throw Error("encode_zip: " + std::to_string(members.size()) + " members need ZIP64");
  std::set<std::string> names;
  for (const auto& m : members) {
    if (m.name.empty() || m.name.size() > kMax16 || m.name.find('\0') != std::string::npos)
      throw Error("encode_zip: member name '" + m.name.substr(0, 40) + "' is empty, too long or holds a NUL byte");
    if (!names.insert(m.name).second) throw Error("encode_zip: member '" + m.name + "' appears twice");
  }
  std::vector<std::uint8_t> out, central;
  for (const auto& m : members) {
    const std::uint32_t crc = crc32(m.data.data(), m.data.size());
    const bool utf8 = std::any_of(m.name.begin(), m.name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    if (out.size() + kLocalSize + m.name.size() + m.data.size() >= kMax32)
      throw Error("encode_zip: an archive of 4 GiB or more needs ZIP64");
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto size = static_cast<std::uint32_t>(m.data.size());
    auto header = [&](std::vector<std::uint8_t>& to, bool local) {
      put32(to, local ? kLocalSig : kCentralSig);
      if (!local) put16(to, 20);  // made by: MS-DOS attributes, APPNOTE 2.0
      put16(to, 20);              // needed to extract: 2.0
      put16(to, utf8 ? kFlagUtf8 : 0);
      put16(to, kMethodStored);
      put16(to, 0);  // time 00:00
      put16(to, kDate1980);
      put32(to, crc);
      put32(to, size);
      put32(to, size);
      put16(to, static_cast<std::uint32_t>(m.name.size()));
      put16(to, 0);  // no extra field
      if (!local) {
        put16(to, 0);  // comment
        put16(to, 0);  // disk
        put16(to, 0);  // internal attributes
        put32(to, 0);  // external attributes
        put32(to, offset);
      }
      to.insert(to.end(), m.name.begin(), m.name.end());
    };
    header(out, true);
    out.insert(out.end(), m.data.begin(), m.data.end());
    header(central, false);
  }
  if (out.size() + central.size() >= kMax32) throw Error("encode_zip: an archive of 4 GiB or more needs ZIP64");
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, kEndSig);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(members.size()));
  put16(out, static_cast<std::uint32_t>(members.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);  // no comment
  return out;
}

}  // namespace firmnet::io
