// io/crc32.hpp: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib and gzip compute it),
// so checkpoints are checked the same way with or without zlib.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::io {

// crc32(data) = crc32_update(0, data); chunks may be fed one after another.
std::uint32_t crc32_update(std::uint32_t crc, const std::uint8_t* data, std::size_t size) noexcept;
inline std::uint32_t crc32(const std::uint8_t* data, std::size_t size) noexcept { return crc32_update(0, data, size); }

}  // namespace firmnet::io
