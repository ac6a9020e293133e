// Whole-file reads through zlib (gzip or plain) and atomic writes; see io/file.hpp.
#include "firmnet/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#if FIRMNET_HAVE_ZLIB
#include <zlib.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

std::string errno_text() { return std::strerror(errno); }

#if FIRMNET_HAVE_ZLIB
struct GzCloser {
  void operator()(gzFile_s* f) const noexcept { gzclose(f); }
};

// zlib's message without the "<path>: " prefix gzerror puts in front of it.
std::string gz_message(gzFile_s* file, const std::string& path) {
  int code = 0;
  std::string msg = gzerror(file, &code);
  if (code == Z_ERRNO) return errno_text();
  if (msg.compare(0, path.size() + 2, path + ": ") == 0) msg.erase(0, path.size() + 2);
  return msg.empty() ? "unknown error" : msg;
}

#endif

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

#if FIRMNET_HAVE_ZLIB
std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": cannot open: " + errno_text());
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a file");
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw Error(path + ": cannot open: " + errno_text());
  gzbuffer(file.get(), 1 << 17);

  std::vector<std::uint8_t> data;
  // Grow with the data actually decompressed; start from the on-disk size (plain files then
  // need one allocation), capped so a huge sparse file cannot reserve more than the cap.
  data.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size) + 1, max_bytes));
  std::uint8_t chunk[1 << 16];
  for (;;) {
    const int got = gzread(file.get(), chunk, sizeof chunk);
    if (got < 0) throw Error(path + ": corrupt or truncated gzip data: " + gz_message(file.get(), path));
    if (got == 0) break;
    if (data.size() + static_cast<std::size_t>(got) > max_bytes)
      throw Error(path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    data.insert(data.end(), chunk, chunk + got);
  }
  // gzread returns 0 both at a clean end and at a truncated gzip stream; gzerror tells them apart.
  int code = 0;
  gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END)
    throw Error(path + ": corrupt or truncated gzip data: " + gz_message(file.get(), path));
  return data;
}
#else
std::vector<std::uint8_t> read_file(const std::string& path, std::size_t max_bytes) {
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
  if (data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    throw Error(path + ": is gzip-compressed, but this firmnet was built without zlib (decompress it with gunzip, "
                       "or build with zlib1g-dev installed)");
  return data;
}
#endif

void write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
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
