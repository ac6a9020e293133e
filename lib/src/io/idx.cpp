// IDX parsing with every count checked against the bytes present; see io/idx.hpp.
#include "firmnet/io/idx.hpp"

#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"

namespace firmnet::io {

namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

std::string hex_byte(std::uint8_t v) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[v >> 4] + digits[v & 15];
}

void put_be32(std::vector<std::uint8_t>& out, std::size_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// Checks the 4-byte magic and returns the dimension sizes.
std::vector<std::size_t> parse_header(std::span<const std::uint8_t> bytes, const std::string& source,
                                      std::size_t want_dims, const char* what) {
  if (bytes.size() < 4) throw Error(source + ": too short to be an IDX file (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw Error(source + ": not an IDX file (the first two bytes must be zero)");
  if (bytes[2] != 0x08)
    throw Error(source + ": IDX element type " + hex_byte(bytes[2]) + " is not 0x08 (unsigned byte)");
  if (bytes[3] != want_dims)
    throw Error(source + ": expected an IDX " + what + " file with " + std::to_string(want_dims) +
                " dimension(s), found " + std::to_string(bytes[3]));
  const std::size_t header = 4 + 4 * want_dims;
  if (bytes.size() < header)
    throw Error(source + ": truncated IDX header (" + std::to_string(bytes.size()) + " of " + std::to_string(header) + " bytes)");
  std::vector<std::size_t> dims;
  for (std::size_t d = 0; d < want_dims; ++d) dims.push_back(be32(bytes.data() + 4 + 4 * d));
  return dims;
}

}  // namespace

IdxImages parse_idx_images(std::vector<std::uint8_t> bytes, const std::string& source) {
  const auto dims = parse_header(bytes, source, 3, "image");
  IdxImages out;
  out.count = dims[0];
  out.rows = dims[1];
  out.cols = dims[2];
  if (out.count == 0 || out.rows == 0 || out.cols == 0)
    throw Error(source + ": IDX header has a zero dimension (" + std::to_string(out.count) + " images of " +
                std::to_string(out.rows) + "x" + std::to_string(out.cols) + ")");
  // Each factor < 2^32: the product of the last two fits in 64 bits; check the third by division.
  const std::uint64_t per_image = std::uint64_t(out.rows) * out.cols;
  const std::uint64_t available = bytes.size() - 16;
  if (per_image > available || out.count > available / per_image)
    throw Error(source + ": truncated: header says " + std::to_string(out.count) + " images of " +
                std::to_string(out.rows) + "x" + std::to_string(out.cols) + ", file holds " + std::to_string(available) +
                " bytes of pixels (" + std::to_string(available / per_image) + " images)");
  const std::uint64_t need = out.count * per_image;
  if (available != need)
    throw Error(source + ": " + std::to_string(available - need) + " unexpected bytes after the last of " +
                std::to_string(out.count) + " images");
  bytes.erase(bytes.begin(), bytes.begin() + 16);
  out.pixels = std::move(bytes);
  return out;
}

std::vector<Label> parse_idx_labels(std::span<const std::uint8_t> bytes, const std::string& source,
                                    std::size_t num_classes) {
  const auto dims = parse_header(bytes, source, 1, "label");
  const std::size_t count = dims[0];
  const std::size_t available = bytes.size() - 8;
  if (count == 0) throw Error(source + ": IDX header says 0 labels");
  if (count > available)
    throw Error(source + ": truncated: header says " + std::to_string(count) + " labels, file holds " +
                std::to_string(available));
  if (count < available)
    throw Error(source + ": " + std::to_string(available - count) + " unexpected bytes after the last of " +
                std::to_string(count) + " labels");
  std::vector<Label> labels(bytes.begin() + 8, bytes.end());
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= num_classes)
      throw Error(source + ": label " + std::to_string(labels[i]) + " at index " + std::to_string(i) +
                  " is out of range (classes 0.." + std::to_string(num_classes - 1) + ")");
  return labels;
}

IdxImages read_idx_images(const std::string& path) { return parse_idx_images(read_file(path), path); }

std::vector<Label> read_idx_labels(const std::string& path, std::size_t num_classes) {
  return parse_idx_labels(read_file(path), path, num_classes);
}

std::vector<std::uint8_t> encode_idx_images(std::span<const std::uint8_t> pixels, std::size_t count,
                                            std::size_t rows, std::size_t cols) {
  std::vector<std::uint8_t> out{0, 0, 0x08, 3};
  put_be32(out, count);
  put_be32(out, rows);
  put_be32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

std::vector<std::uint8_t> encode_idx_labels(std::span<const Label> labels) {
  std::vector<std::uint8_t> out{0, 0, 0x08, 1};
  put_be32(out, labels.size());
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

}  // namespace firmnet::io
