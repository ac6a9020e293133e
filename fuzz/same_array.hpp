// fuzz/same_array.hpp: two decoded arrays are the same array: shape, element type and every
// element bit for bit (floats compared as bytes, so a NaN payload must survive a round trip too).
// The round-trip checks of the .npy, .npz and safetensors targets.
#pragma once

#include <cstring>

#include "firmnet/io/ndarray.hpp"

inline bool same_array(const firmnet::io::NdArray& a, const firmnet::io::NdArray& b) {
  return a.shape == b.shape && a.is_float() == b.is_float() && a.values.size() == b.values.size() &&
         a.ints == b.ints && (a.values.empty() || std::memcmp(a.values.data(), b.values.data(), 4 * a.values.size()) == 0);
}
