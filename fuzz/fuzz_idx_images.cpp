// libFuzzer: IDX image files. Any input must parse or throw io::Error; never crash or over-allocate.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto images = firmnet::io::parse_idx_images(std::vector<std::uint8_t>(data, data + size), "fuzz");
    if (images.pixels.size() != images.count * images.rows * images.cols) __builtin_trap();
  } catch (const firmnet::io::Error&) {
  }
  return 0;
}
