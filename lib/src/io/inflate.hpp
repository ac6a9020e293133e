// io/inflate.hpp (internal): zlib inflation with a bound on the output, shared by the gzip
// reader (file.cpp: IDX and CIFAR files) and the ZIP reader (zip.cpp: .npz members). The output
// grows 64 KiB at a time and never past max_bytes, so a small hostile input cannot make a large
// allocation; the stream must end exactly where the input does. Each caller words the outcome
// for its own format and file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace firmnet::io::detail {

enum class Wrapper {
  raw_deflate,  // a ZIP member: no header, one stream
  gzip,         // a .gz file: one or more members back to back (as `cat a.gz b.gz` makes)
};

struct Inflated {
  enum class Status {
    ok,
    cannot_start,  // zlib could not initialise
    too_large,     // more than max_bytes would come out
    trailing,      // `trailing` bytes follow the end of a raw deflate stream
    truncated,     // the input ends inside the stream
    corrupt,       // zlib rejected the data (`detail` says how)
  };
  Status status = Status::ok;
  std::vector<std::uint8_t> data;
  std::size_t trailing = 0;
  std::string detail;
};

// Needs zlib (FIRMNET_HAVE_ZLIB); the callers check first.
Inflated inflate_bounded(std::span<const std::uint8_t> in, Wrapper wrapper, std::size_t max_bytes);

}  // namespace firmnet::io::detail
