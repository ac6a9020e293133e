// io/checkpoint.hpp: firmnet's checkpoint file. Version 2 is written; version 1 (the two-layer
// net and the linear classifier, before architecture specs) still loads. Little-endian.
//
//   offset  size  field
//   0       8     magic 89 'F' 'N' 'C' 'K' 0D 0A 1A  (PNG-style: catches text-mode and 7-bit damage)
//   8       4     u32 format version (2)
//   12      4     u32 dtype of every tensor: 1 = float32
//   16      ...   str architecture spec, e.g. "in:784|fc:128+relu|fc:10" (models/network.hpp)
//           4+..  u32 m, then m (str key, str value) metadata pairs
//           4+..  u32 t, then t tensors: str name, u32 rows, u32 cols, rows·cols float32
//   end-4   4     u32 CRC-32 (IEEE, as zlib and gzip compute it) of every byte before it
//   str = u32 length (<= 4096) + that many bytes (UTF-8), no terminator.
// Version 1 has, in place of the spec, str kind ("two-layer" | "linear") and u32 n + n u32 shape
// values (In, Hidden, Classes | In, Classes); decoding maps it to the spec of the same network
// ("in:In|fc:Hidden+relu|fc:Classes" | "in:In|fc:Classes") and the linear model's tensors "w",
// "b" to "w1", "b1". Every tensor and metadata key train writes: docs/checkpoint-format.md.
//
// Readers check the magic and the version, then the CRC, then every length against the bytes left;
// tensor names and metadata keys are unique; a file must end exactly after the CRC. Writers go through write_file_atomic (temp file, fsync, rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace firmnet::io {

inline constexpr std::uint32_t kCheckpointVersion = 2;
inline constexpr std::uint32_t kCheckpointDtypeF32 = 1;

struct CheckpointTensor {
  std::string name;
  std::uint32_t rows = 0, cols = 0;
  std::vector<float> values;  // rows·cols, row-major
};

struct Checkpoint {
  std::string spec;                    // the architecture
  std::uint32_t file_version = kCheckpointVersion;  // as read (encode always writes the current one)
  std::vector<std::pair<std::string, std::string>> metadata;
  std::vector<CheckpointTensor> tensors;

  const CheckpointTensor* find_tensor(const std::string& name) const noexcept;
  const std::string* find_metadata(const std::string& key) const noexcept;
  void set_metadata(const std::string& key, std::string value);
};

std::vector<std::uint8_t> encode_checkpoint(const Checkpoint& checkpoint);
// `source` names the data in error messages (usually the path).
Checkpoint decode_checkpoint(std::span<const std::uint8_t> bytes, const std::string& source);

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);
Checkpoint read_checkpoint(const std::string& path);

}  // namespace firmnet::io
