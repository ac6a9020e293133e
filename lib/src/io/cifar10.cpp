// CIFAR-10 binary records; see io/cifar10.hpp.
#include "firmnet/io/cifar10.hpp"

#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"

namespace firmnet::io {

void parse_cifar10(std::span<const std::uint8_t> bytes, const std::string& source, Cifar10Batch& out) {
  if (bytes.empty()) throw Error(source + ": empty file, expected CIFAR-10 records of 3073 bytes");
  if (bytes.size() % kCifar10RecordBytes != 0)
    throw Error(source + ": truncated or not a CIFAR-10 binary file: " + std::to_string(bytes.size()) +
                " bytes is not a whole number of 3073-byte records (" + std::to_string(bytes.size() / kCifar10RecordBytes) +
                " records and " + std::to_string(bytes.size() % kCifar10RecordBytes) + " bytes left over)");
  const std::size_t count = bytes.size() / kCifar10RecordBytes;
  out.pixels.reserve(out.pixels.size() + count * kCifar10ImageBytes);
  out.labels.reserve(out.labels.size() + count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* record = bytes.data() + i * kCifar10RecordBytes;
    if (record[0] >= kCifar10Classes)
      throw Error(source + ": label " + std::to_string(record[0]) + " of record " + std::to_string(i) +
                  " is out of range (classes 0..9); is this the CIFAR-100 format?");
    out.labels.push_back(record[0]);
    out.pixels.insert(out.pixels.end(), record + 1, record + kCifar10RecordBytes);
  }
}

Cifar10Batch read_cifar10(const std::string& path) {
  Cifar10Batch batch;
  parse_cifar10(read_file(path), path, batch);
  return batch;
}

std::vector<std::uint8_t> encode_cifar10(std::span<const std::uint8_t> pixels, std::span<const Label> labels) {
  std::vector<std::uint8_t> out;
  out.reserve(labels.size() * kCifar10RecordBytes);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out.push_back(labels[i]);
    out.insert(out.end(), pixels.begin() + static_cast<std::ptrdiff_t>(i * kCifar10ImageBytes),
               pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * kCifar10ImageBytes));
  }
  return out;
}

}  // namespace firmnet::io
