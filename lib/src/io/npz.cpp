// .npz: a ZIP archive of .npy members; see io/npz.hpp.
#include "firmnet/io/npz.hpp"

#include "firmnet/io/error.hpp"
#include "firmnet/io/npy.hpp"
#include "firmnet/io/zip.hpp"

namespace firmnet::io {

namespace {
constexpr std::string_view kSuffix = ".npy";
}

const NdArray* Npz::find(const std::string& name) const noexcept {
  for (const auto& a : arrays)
    if (a.name == name) return &a.array;
  return nullptr;
}

Npz decode_npz(std::span<const std::uint8_t> bytes, const std::string& source, std::size_t max_bytes) {
  Npz npz;
  for (auto& member : decode_zip(bytes, source, max_bytes)) {
    if (member.name.size() <= kSuffix.size() || !member.name.ends_with(kSuffix))
      throw Error(source + ": member '" + member.name + "' is not a .npy array (an .npz holds only <name>.npy members)");
    NpzArray a;
    a.name = member.name.substr(0, member.name.size() - kSuffix.size());
    a.array = decode_npy(member.data, source + ": member '" + member.name + "'");
    npz.arrays.push_back(std::move(a));
  }
  return npz;
}

std::vector<std::uint8_t> encode_npz(const Npz& npz) {
  std::vector<ZipMember> members;
  for (const auto& a : npz.arrays) members.push_back({a.name + std::string(kSuffix), encode_npy(a.array)});
  return encode_zip(members);
}

Npz read_npz(const std::string& path, std::size_t max_bytes) { return decode_npz(read_file_raw(path, max_bytes), path, max_bytes); }

void write_npz(const std::string& path, const Npz& npz) {
  const auto bytes = encode_npz(npz);
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace firmnet::io
