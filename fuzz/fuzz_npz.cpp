// libFuzzer: .npz files and the ZIP reader under them (inflating at most 1 MiB). Members that
// decode must re-encode to an archive of the same members; arrays as in fuzz_npy.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/zip.hpp"
#include "same_array.hpp"

namespace {
constexpr std::size_t kLimit = std::size_t(1) << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  try {
    const auto members = decode_zip(std::span(data, size), "fuzz", kLimit);
    std::size_t total = 0;
    for (const auto& m : members) total += m.data.size();
    if (total > kLimit) __builtin_trap();
    const auto again = decode_zip(encode_zip(members), "again", kLimit);
    if (again.size() != members.size()) __builtin_trap();
    for (std::size_t i = 0; i < again.size(); ++i)
      if (again[i].name != members[i].name || again[i].data != members[i].data) __builtin_trap();
  } catch (const Error&) {
  }
  try {
    const Npz npz = decode_npz(std::span(data, size), "fuzz", kLimit);
    const auto bytes = encode_npz(npz);
    const Npz back = decode_npz(bytes, "again", kLimit);
    if (back.arrays.size() != npz.arrays.size()) __builtin_trap();
    for (std::size_t i = 0; i < npz.arrays.size(); ++i)
      if (back.arrays[i].name != npz.arrays[i].name || !same_array(back.arrays[i].array, npz.arrays[i].array))
        __builtin_trap();
    if (encode_npz(back) != bytes) __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
