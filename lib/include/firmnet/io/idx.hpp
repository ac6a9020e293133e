// io/idx.hpp: the IDX format of MNIST and Fashion-MNIST (big-endian header, unsigned bytes):
//   images: 00 00 08 03, count, rows, cols (u32 each), then count·rows·cols pixels;
//   labels: 00 00 08 01, count, then count labels.
// Files may be gzip-compressed (Debian ships .gz). Every field is checked against the bytes
// really present before anything is allocated; errors name the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/core/label.hpp"

namespace firmnet::io {

struct IdxImages {
  std::vector<std::uint8_t> pixels;  // (count, rows·cols)
  std::size_t count = 0, rows = 0, cols = 0;
};

// `source` names the data in error messages (usually the path).
IdxImages parse_idx_images(std::vector<std::uint8_t> bytes, const std::string& source);
std::vector<Label> parse_idx_labels(std::span<const std::uint8_t> bytes, const std::string& source,
                                    std::size_t num_classes);

IdxImages read_idx_images(const std::string& path);
std::vector<Label> read_idx_labels(const std::string& path, std::size_t num_classes);

// Encoders, for tests and tools that write small IDX files.
std::vector<std::uint8_t> encode_idx_images(std::span<const std::uint8_t> pixels, std::size_t count,
                                            std::size_t rows, std::size_t cols);
std::vector<std::uint8_t> encode_idx_labels(std::span<const Label> labels);

}  // namespace firmnet::io
