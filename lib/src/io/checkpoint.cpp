// Checkpoint encoding and fully checked decoding; the format is documented in io/checkpoint.hpp.
#include "firmnet/io/checkpoint.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "binary.hpp"
#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"

namespace firmnet::io {

namespace {

constexpr std::uint8_t kMagic[8] = {0x89, 'F', 'N', 'C', 'K', 0x0D, 0x0A, 0x1A};
constexpr std::uint32_t kMaxShapeDims = 16;
constexpr std::uint32_t kMaxEntries = 4096;
constexpr std::size_t kMaxCheckpointBytes = std::size_t(1) << 31;

using binary::Reader;
using binary::Writer;

// The version-1 model kinds as the architecture specs of the same networks. The only place the
// old kind names live on.
std::string v1_spec(const std::string& kind, const std::vector<std::uint32_t>& shape, const Reader& in) {
  auto n = [](std::uint32_t v) { return std::to_string(v); };
  for (const auto d : shape)
    if (d == 0) in.fail("version-1 model shape has a zero dimension");
  if (kind == "two-layer" && shape.size() == 3) return "in:" + n(shape[0]) + "|fc:" + n(shape[1]) + "+relu|fc:" + n(shape[2]);
  if (kind == "linear" && shape.size() == 2) return "in:" + n(shape[0]) + "|fc:" + n(shape[1]);
  in.fail("version-1 model kind '" + kind + "' with " + std::to_string(shape.size()) +
          " shape values is not one this firmnet knows (two-layer: 3, linear: 2)");
}

}  // namespace

const CheckpointTensor* Checkpoint::find_tensor(const std::string& name) const noexcept {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

const std::string* Checkpoint::find_metadata(const std::string& key) const noexcept {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

void Checkpoint::set_metadata(const std::string& key, std::string value) {
  for (auto& [k, v] : metadata)
    if (k == key) {
      v = std::move(value);
      return;
    }
  metadata.emplace_back(key, std::move(value));
}

std::vector<std::uint8_t> encode_checkpoint(const Checkpoint& c) {
  Writer w;
  w.raw(kMagic, sizeof kMagic);
  w.u32(kCheckpointVersion);
  w.u32(kCheckpointDtypeF32);
  w.str(c.spec);
  w.u32(static_cast<std::uint32_t>(c.metadata.size()));
  for (const auto& [k, v] : c.metadata) {
    w.str(k);
    w.str(v);
  }
  w.u32(static_cast<std::uint32_t>(c.tensors.size()));
  for (const auto& t : c.tensors) {
    if (t.values.size() != std::size_t(t.rows) * t.cols)
      throw Error("checkpoint tensor '" + t.name + "' has " + std::to_string(t.values.size()) + " values for shape " +
                  std::to_string(t.rows) + "x" + std::to_string(t.cols));
    w.str(t.name);
    w.u32(t.rows);
    w.u32(t.cols);
    w.array(t.values);
  }
  auto& bytes = w.bytes();
  w.u32(crc32(bytes.data(), bytes.size()));
  return std::move(bytes);
}

Checkpoint decode_checkpoint(std::span<const std::uint8_t> bytes, const std::string& source) {
  if (bytes.size() < sizeof kMagic + 12)
    throw Error(source + ": not a firmnet checkpoint (only " + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw Error(source + ": not a firmnet checkpoint (wrong magic bytes)");
  const std::size_t body = bytes.size() - 4;
  Reader in(bytes.first(body), source, "checkpoint");
  in.skip(sizeof kMagic);
  // The version is checked before the CRC: a file from a newer firmnet should say so, not "corrupt".
  const std::uint32_t version = in.u32("version");
  if (version != 1 && version != kCheckpointVersion)
    throw Error(source + ": checkpoint format version " + std::to_string(version) +
                " is not supported (this firmnet reads versions 1 and " + std::to_string(kCheckpointVersion) + ")");
  Reader crc_field(bytes.subspan(body), source, "checkpoint");
  if (crc_field.u32("checksum") != crc32(bytes.data(), body))
    throw Error(source + ": checkpoint checksum mismatch: the file is corrupt or truncated");

  Checkpoint c;
  c.file_version = version;
  if (const std::uint32_t dtype = in.u32("dtype"); dtype != kCheckpointDtypeF32)
    in.fail("dtype " + std::to_string(dtype) + " is not 1 (float32)");
  bool v1_linear = false;
  if (version == 1) {
    const std::string kind = in.str("model kind");
    v1_linear = kind == "linear";
    const std::uint32_t dims = in.count("shape length", kMaxShapeDims);
    std::vector<std::uint32_t> shape;
    for (std::uint32_t i = 0; i < dims; ++i) shape.push_back(in.u32("shape"));
    c.spec = v1_spec(kind, shape, in);
  } else {
    c.spec = in.str("architecture spec");
  }
  const std::uint32_t entries = in.count("metadata count", kMaxEntries);
  for (std::uint32_t i = 0; i < entries; ++i) {
    std::string key = in.str("metadata key");
    std::string value = in.str("metadata value");
    // Two values for one key: which one a reader takes would be a guess.
    if (c.find_metadata(key)) in.fail("metadata key '" + key + "' appears twice");
    c.metadata.emplace_back(std::move(key), std::move(value));
  }
  const std::uint32_t tensors = in.count("tensor count", kMaxEntries);
  for (std::uint32_t i = 0; i < tensors; ++i) {
    CheckpointTensor t;
    t.name = in.str("tensor name");
    t.rows = in.u32("tensor rows");
    t.cols = in.u32("tensor cols");
    const std::uint64_t n = std::uint64_t(t.rows) * t.cols;  // < 2^64: both factors < 2^32
    if (n > in.left() / 4)
      in.fail("tensor '" + t.name + "' of " + std::to_string(t.rows) + "x" + std::to_string(t.cols) +
              " floats is larger than the rest of the file");
    in.array(t.values, static_cast<std::size_t>(n), "tensor values");
    if (c.find_tensor(t.name)) in.fail("tensor '" + t.name + "' appears twice");
    c.tensors.push_back(std::move(t));
  }
  if (in.left() != 0) in.fail(std::to_string(in.left()) + " unexpected bytes after the last tensor");
  if (v1_linear)  // its tensors were "w" and "b"; a network names them by layer
    for (auto& t : c.tensors)
      if (t.name == "w" || t.name == "b") t.name += "1";
  return c;
}

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  const auto bytes = encode_checkpoint(checkpoint);
  write_file_atomic(path, bytes.data(), bytes.size());
}

Checkpoint read_checkpoint(const std::string& path) {
  return decode_checkpoint(read_file(path, kMaxCheckpointBytes), path);
}

}  // namespace firmnet::io
