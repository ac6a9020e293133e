// io/npz.hpp: NumPy's .npz file: a ZIP archive (io/zip.hpp) of .npy members (io/npy.hpp), one per
// array, named "<name>.npy". np.savez stores them, np.savez_compressed deflates them; both read
// (deflated ones need zlib). Every member must be a .npy array. Written: stored members, float
// arrays as '<f4' and integer ones as '<i8', as np.savez would write those arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "firmnet/io/file.hpp"
#include "firmnet/io/ndarray.hpp"

namespace firmnet::io {

struct NpzArray {
  std::string name;  // the member name without ".npy": np.savez(f, w=...) gives "w", positional ones "arr_0"
  NdArray array;
};

struct Npz {
  std::vector<NpzArray> arrays;  // archive order

  const NdArray* find(const std::string& name) const noexcept;
};

// max_bytes bounds the archive's uncompressed members in all (a deflate bomb stops there).
Npz decode_npz(std::span<const std::uint8_t> bytes, const std::string& source, std::size_t max_bytes = kDefaultMaxFileBytes);
std::vector<std::uint8_t> encode_npz(const Npz& npz);

Npz read_npz(const std::string& path, std::size_t max_bytes = kDefaultMaxFileBytes);
void write_npz(const std::string& path, const Npz& npz);

}  // namespace firmnet::io
