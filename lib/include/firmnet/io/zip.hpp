// io/zip.hpp: ZIP archives as NumPy's .npz files use them (PKWARE APPNOTE 6.3). Reading walks the
// end-of-central-directory record, the central directory and each local header, checks every
// size and offset against the bytes present before use, rejects overlapping members, inflates
// deflated members (method 8, raw deflate through zlib) into at most max_bytes in all, and checks
// each member's CRC-32. ZIP64 extra fields (numpy writes them for every member) are read; ZIP64
// archives themselves (over 65535 members or 4 GiB), encryption and other methods are rejected.
// Writing stores members uncompressed, as np.savez does. Without zlib, deflated members (from
// np.savez_compressed) get a clear error; stored ones still read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/io/file.hpp"

namespace firmnet::io {

struct ZipMember {
  std::string name;                // as stored, e.g. "w.npy"
  std::vector<std::uint8_t> data;  // uncompressed
};

// Members in central-directory order. `source` names the archive in error messages; max_bytes
// bounds the sum of the members' uncompressed sizes (checked before and while inflating).
std::vector<ZipMember> decode_zip(std::span<const std::uint8_t> bytes, const std::string& source,
                                  std::size_t max_bytes = kDefaultMaxFileBytes);
// Stored members, dated 1980-01-01 00:00 (so equal input gives equal bytes). Throws io::Error for
// duplicate or empty names, over 65535 members or an archive of 4 GiB or more.
std::vector<std::uint8_t> encode_zip(const std::vector<ZipMember>& members);

}  // namespace firmnet::io
