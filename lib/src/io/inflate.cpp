// The bounded inflation of io/inflate.hpp.
#include "inflate.hpp"

#if FIRMNET_HAVE_ZLIB
#include <zlib.h>
#endif

#include <algorithm>

namespace firmnet::io::detail {

#if FIRMNET_HAVE_ZLIB

Inflated inflate_bounded(std::span<const std::uint8_t> in, Wrapper wrapper, std::size_t max_bytes) {
  using Status = Inflated::Status;
  Inflated result;
  z_stream z{};
  if (inflateInit2(&z, wrapper == Wrapper::gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
    result.status = Status::cannot_start;
    return result;
  }
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  std::uint8_t chunk[1 << 16];
  std::size_t used = 0;  // input consumed
  for (;;) {
    z.next_in = const_cast<Bytef*>(in.data() + used);
    z.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size() - used, 1u << 30));
    const std::size_t before = z.avail_in;
    z.next_out = chunk;
    z.avail_out = sizeof chunk;
    const int rc = inflate(&z, Z_NO_FLUSH);
    used += before - z.avail_in;
    const std::size_t produced = sizeof chunk - z.avail_out;
    if (produced > max_bytes - result.data.size()) {
      result.status = Status::too_large;
      return result;
    }
    result.data.insert(result.data.end(), chunk, chunk + produced);
    if (rc == Z_STREAM_END) {
      if (used == in.size()) return result;
      if (wrapper == Wrapper::raw_deflate) {
        result.status = Status::trailing;
        result.trailing = in.size() - used;
        return result;
      }
      if (inflateReset(&z) != Z_OK) {  // another gzip member follows
        result.status = Status::corrupt;
        result.detail = "cannot restart for the next member";
        return result;
      }
      continue;
    }
    if (rc == Z_BUF_ERROR && used == in.size() && produced == 0) {
      result.status = Status::truncated;
      return result;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result.status = Status::corrupt;
      result.detail = z.msg ? z.msg : "invalid data";
      return result;
    }
  }
}
#else
Inflated inflate_bounded(std::span<const std::uint8_t>, Wrapper, std::size_t) {
  return {Inflated::Status::cannot_start, {}, 0, "this firmnet was built without zlib"};  // callers check first
}
#endif

}  // namespace firmnet::io::detail
