// io/npy.hpp: NumPy's .npy array file, format versions 1.0, 2.0 and 3.0 (numpy/lib/format.py):
//   offset  size  field
//   0       6     magic \x93 'N' 'U' 'M' 'P' 'Y'
//   6       2     major, minor version: 1.0, 2.0 or 3.0
//   8       2|4   header length: u16 in 1.0, u32 in 2.0 and 3.0, little-endian
//   10|12   ...   header: a Python dict literal padded with spaces to a newline, e.g.
//                 {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//   then the count·itemsize bytes of the elements, C order, and nothing after them.
// Read: '<f2' '<f4' '<f8' (to float) and '<i4' '<i8' (to int64). The header must hold exactly
// those three keys, as numpy requires, with values of the kinds numpy writes; big-endian,
// Fortran-order, object and structured arrays and other dtypes are rejected, each saying so.
// Written: version 1.0, '<f4' for float arrays and '<i8' for integer ones, the header padded as
// numpy 1.24 pads it (data starts 64-byte aligned), so numpy writes the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/io/file.hpp"
#include "firmnet/io/ndarray.hpp"

namespace firmnet::io {

inline constexpr std::size_t kMaxNpyHeaderBytes = 10000;  // numpy 1.24 refuses larger headers too
inline constexpr std::size_t kMaxNpyDims = 64;            // numpy 2's NPY_MAXDIMS

// `source` names the data in error messages (the path, or "w.npz: member 'w.npy'").
NdArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& source);
// Throws io::Error if the array's values (or ints) do not hold shape's count of elements.
std::vector<std::uint8_t> encode_npy(const NdArray& array);

NdArray read_npy(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);
void write_npy(const std::string& path, const NdArray& array);

}  // namespace firmnet::io
