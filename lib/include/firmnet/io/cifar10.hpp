// io/cifar10.hpp: the CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin). Each record
// is 3073 bytes: the label (0..9), then 1024 red, 1024 green and 1024 blue pixels of a 32x32
// image. Read here in that channel-major order (3072 bytes per image); io/datasets.cpp then
// interleaves the planes into firmnet's NHWC images. Files are checked to hold whole records and
// valid labels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/core/label.hpp"

namespace firmnet::io {

inline constexpr std::size_t kCifar10ImageBytes = 3072;
inline constexpr std::size_t kCifar10RecordBytes = 1 + kCifar10ImageBytes;
inline constexpr std::size_t kCifar10Classes = 10;

struct Cifar10Batch {
  std::vector<std::uint8_t> pixels;  // (count, 3072)
  std::vector<Label> labels;         // (count)
};

// Appends the records of one file to `out`.
void parse_cifar10(std::span<const std::uint8_t> bytes, const std::string& source, Cifar10Batch& out);
Cifar10Batch read_cifar10(const std::string& path);
std::vector<std::uint8_t> encode_cifar10(std::span<const std::uint8_t> pixels, std::span<const Label> labels);

}  // namespace firmnet::io
