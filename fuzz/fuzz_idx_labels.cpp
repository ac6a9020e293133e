// libFuzzer: IDX label files (10 classes).
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto labels = firmnet::io::parse_idx_labels(std::span(data, size), "fuzz", 10);
    for (const auto l : labels)
      if (l >= 10) __builtin_trap();
  } catch (const firmnet::io::Error&) {
  }
  return 0;
}
