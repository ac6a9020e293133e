// Whole-file reads through zlib (gzip or plain) and atomic writes; see io/file.hpp.
#include "firmnet/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "firmnet/io/error.hpp"
#include "inflate.hpp"

namespace firmnet::io {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string output_path_problem(const std::string& path) {
  if (path.empty()) return "the path is empty";
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return "is a directory, not a file";
  const std::string dir = directory_of(path);
  if (::stat(dir.c_str(), &st) != 0) return "the directory '" + dir + "' does not exist";
  if (!S_ISDIR(st.st_mode)) return "'" + dir + "' is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "cannot write in the directory '" + dir + "': " + errno_text();
  return "";
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::uint8_t> read_file_raw(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + errno_text());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(path + ": cannot stat: " + errno_text());
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a file");
  std::vector<std::uint8_t> data;
  data.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, max_bytes));
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(path + ": read failed: " + errno_text());
    }
    if (got == 0) break;
    if (data.size() + static_cast<std::size_t>(got) > max_bytes)
      throw Error(path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    data.insert(data.end(), chunk, chunk + got);
  }
  return data;
}

bool is_gzip(std::span<const std::uint8_t> bytes) noexcept {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

#if FIRMNET_HAVE_ZLIB
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> bytes, const std::string& source, std::size_t max_bytes) {
  using Status = detail::Inflated::Status;
  detail::Inflated r = detail::inflate_bounded(bytes, detail::Wrapper::gzip, max_bytes);
  switch (r.status) {
    case Status::ok: return std::move(r.data);
    case Status::cannot_start: throw Error(source + ": cannot start gzip decompression");
    case Status::too_large:
      throw Error(source + ": decompresses to more than the limit of " + std::to_string(max_bytes) + " bytes");
    case Status::truncated: throw Error(source + ": corrupt or truncated gzip data: unexpected end of file");
    case Status::trailing:  // gzip members may follow each other: never reported for gzip
    case Status::corrupt: break;
  }
  throw Error(source + ": corrupt or truncated gzip data: " + r.detail);
}
#else
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t>, const std::string& source, std::size_t) {
  throw Error(source + ": is gzip-compressed, but this firmnet was built without zlib (decompress it with gunzip, "
                       "or build with zlib1g-dev installed)");
}
#endif

std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes) {
  std::vector<std::uint8_t> raw = read_file_raw(path, max_bytes);
  return is_gzip(raw) ? gunzip(raw, path, max_bytes) : raw;
}

void write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  // A fixed name: a write killed midway leaves one stale file, which the next write replaces.
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot create temporary file " + tmp + ": " + errno_text());
  auto fail = [&](const std::string& what) {
    const std::string reason = errno_text();
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error(path + ": " + what + ": " + reason + " (the previous file, if any, is unchanged)");
  };
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, bytes + written, size - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync failed");
  if (::close(fd) != 0) {
    const std::string reason = errno_text();
    ::unlink(tmp.c_str());
    throw Error(path + ": close failed: " + reason + " (the previous file, if any, is unchanged)");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = errno_text();
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot rename " + tmp + " into place: " + reason + " (the previous file, if any, is unchanged)");
  }
  // Make the rename itself durable.
  const int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace firmnet::io
