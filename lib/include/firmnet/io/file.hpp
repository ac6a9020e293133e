// io/file.hpp: whole-file reads and crash-safe writes.
// read_file() decompresses gzip transparently (plain files pass through) and never allocates
// more than the data actually read, capped by max_bytes, so a corrupt or hostile header cannot
// make it reserve gigabytes. write_file_atomic() writes <path>.tmp, fsyncs it, renames it over
// the target and fsyncs the directory: after a crash the target is either the old file or the
// new one, never a torn mix. (Two processes writing one path at once is not supported.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace firmnet::io {

inline constexpr std::size_t kDefaultMaxFileBytes = std::size_t(1) << 30;  // 1 GiB

std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);
// Whole-file read without decompression, at most max_bytes (a larger file is an error).
std::vector<std::uint8_t> read_file_raw(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);
bool is_gzip(std::span<const std::uint8_t> bytes) noexcept;
// Decompresses gzip data held in memory (one or more members), growing the output with the data
// actually inflated and failing past max_bytes, so a small file cannot claim gigabytes. `source`
// names the data in errors. Without zlib it throws, saying so.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> bytes, const std::string& source,
                                 std::size_t max_bytes = kDefaultMaxFileBytes);
void write_file_atomic(const std::string& path, const void* data, std::size_t size);
// Why write_file_atomic(path) would fail before it starts ("" if it would not): the path names a
// directory, its directory is missing or not writable. Programs check their output paths with
// it before hours of work, not after.
std::string output_path_problem(const std::string& path);
bool file_exists(const std::string& path);

}  // namespace firmnet::io
