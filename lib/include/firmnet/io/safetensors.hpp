// io/safetensors.hpp: the safetensors weight file (huggingface/safetensors), little-endian:
//   offset  size  field
//   0       8     u64 N: the header's length, at most 100,000,000 (as the reference reader)
//   8       N     JSON header (io/json.hpp), starting with '{', possibly padded with spaces:
//                 {"__metadata__": {"format": "pt"},
//                  "fc.weight": {"dtype": "F32", "shape": [10, 64], "data_offsets": [0, 2560]}, ...}
//   8+N     ...   the buffer: each tensor's elements at [begin, end) of it, C order
// Read: F32, F64, F16, BF16 (to float) and I32, I64 (to int64: PyTorch saves BatchNorm's
// num_batches_tracked as I64); other dtypes are rejected, naming the tensor. As the reference
// reader requires, the tensors tile the buffer: sorted by offset, each begins where the one
// before ended, the last ends with the file, and each holds exactly count·dtype-size bytes.
// Written: F32 (float arrays) and I64 (integer arrays), "__metadata__" first, then the tensors in
// the order given, compact JSON padded with spaces to a multiple of 8 bytes, as the Rust writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "firmnet/io/file.hpp"
#include "firmnet/io/ndarray.hpp"

namespace firmnet::io {

inline constexpr std::size_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsTensor {
  std::string name;
  NdArray array;
};

struct Safetensors {
  std::vector<SafetensorsTensor> tensors;                       // header order
  std::vector<std::pair<std::string, std::string>> metadata;    // "__metadata__", header order

  const NdArray* find(const std::string& name) const noexcept;
  const std::string* find_metadata(const std::string& key) const noexcept;
};

// `source` names the data in error messages (usually the path).
Safetensors decode_safetensors(std::span<const std::uint8_t> bytes, const std::string& source);
// Throws io::Error for duplicate names, "__metadata__" as a tensor name, or an array whose
// values (or ints) do not hold its shape's count of elements.
std::vector<std::uint8_t> encode_safetensors(const Safetensors& file);

Safetensors read_safetensors(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);
void write_safetensors(const std::string& path, const Safetensors& file);

}  // namespace firmnet::io
