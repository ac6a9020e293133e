// write_weight_files DIR: writes DIR/w.npy, DIR/i.npy, DIR/arrays.npz and DIR/model.safetensors
// with firmnet's writers, for tests/io/python_reads_weight_files.py to read with NumPy (and the
// safetensors layout rules). Every value is a simple function of its index, which the script
// recomputes: float element i of any array is i*0.25 - 1, integer element i is i*1000 - 3.
#include <cstdio>
#include <filesystem>
#include <string>

#include "firmnet/io/npy.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/safetensors.hpp"

using namespace firmnet;

namespace {
io::NdArray floats(std::vector<std::size_t> shape) {
  io::NdArray a;
  a.shape = std::move(shape);
  for (std::size_t i = 0; i < a.count(); ++i) a.values.push_back(float(i) * 0.25f - 1.f);
  return a;
}
io::NdArray ints(std::vector<std::size_t> shape) {
  io::NdArray a;
  a.stored = io::StoredType::i64;
  a.shape = std::move(shape);
  for (std::size_t i = 0; i < a.count(); ++i) a.ints.push_back(std::int64_t(i) * 1000 - 3);
  return a;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_weight_files DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  io::write_npy((dir / "w.npy").string(), floats({3, 4, 5}));
  io::write_npy((dir / "i.npy").string(), ints({7}));
  io::Npz npz;
  npz.arrays = {{"w", floats({2, 3})}, {"scalar", floats({})}, {"empty", floats({0, 4})}, {"steps", ints({})}};
  io::write_npz((dir / "arrays.npz").string(), npz);
  io::Safetensors st;
  st.metadata = {{"format", "pt"}, {"note", "\xc3\xa9 \"quoted\""}};
  st.tensors = {{"fc.weight", floats({10, 64})}, {"fc.bias", floats({10})}, {"bn.num_batches_tracked", ints({})}};
  io::write_safetensors((dir / "model.safetensors").string(), st);
  return 0;
}
