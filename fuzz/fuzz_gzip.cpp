// libFuzzer: gzip input (decompressed in memory, capped at 1 MiB here).
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto out = firmnet::io::gunzip(std::span(data, size), "fuzz", std::size_t(1) << 20);
    if (out.size() > (std::size_t(1) << 20)) __builtin_trap();
  } catch (const firmnet::io::Error&) {
  }
  return 0;
}
