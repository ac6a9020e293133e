// fuzz/valid_crc.hpp: the input with its trailing CRC-32 made right. A mutated checkpoint or .fnq
// almost never passes the CRC check, so the fuzzer would only ever explore that check; running
// each input a second time with the CRC repaired lets it reach the parser behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "firmnet/io/crc32.hpp"

inline std::vector<std::uint8_t> with_valid_crc(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  if (size < 4) return bytes;
  const std::uint32_t crc = firmnet::io::crc32(bytes.data(), size - 4);
  for (int i = 0; i < 4; ++i) bytes[size - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));  // little-endian
  return bytes;
}
