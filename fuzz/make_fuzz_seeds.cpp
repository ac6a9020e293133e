// make_fuzz_seeds DIR: writes small valid inputs for every fuzz target into DIR/<target>/, the
// seed corpora (each target then mutates them into invalid ones).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/idx.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#if FIRMNET_HAVE_ZLIB
#include <zlib.h>
#endif

namespace fs = std::filesystem;
using namespace firmnet;

namespace {
void write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}
void write(const fs::path& path, const std::string& text) { write(path, std::vector<std::uint8_t>(text.begin(), text.end())); }

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t>& bytes) {
#if FIRMNET_HAVE_ZLIB
  uLongf size = compressBound(uLong(bytes.size())) + 32;
  std::vector<std::uint8_t> out(size);
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  z.next_in = const_cast<Bytef*>(bytes.data());
  z.avail_in = uInt(bytes.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
#else
  return bytes;
#endif
}

quant::QuantizedLayer layer(std::size_t in, std::size_t out, bool relu) {
  quant::QuantizedLayer l;
  l.op = "fc";
  l.inputs = in;
  l.outputs = out;
  for (std::size_t i = 0; i < in * out; ++i) l.weights.push_back(std::int8_t(int(i * 37 % 255) - 127));
  l.bias.assign(out, 100);
  l.multiplier.assign(out, 1 << 30);
  l.shift.assign(out, -8);
  l.weight_scale.assign(out, 0.01f);
  l.output_zero_point = relu ? 0 : 123;
  l.output_min = 0;
  return l;
}

quant::QuantizedLayer shape_only(const char* op, std::size_t n, std::int32_t zero) {
  quant::QuantizedLayer l;
  l.op = op;
  l.inputs = l.outputs = n;
  l.input_zero_point = l.output_zero_point = l.output_min = zero;
  return l;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  std::vector<std::uint8_t> pixels(3 * 4 * 5);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::uint8_t(i * 7);
  const auto idx_images = io::encode_idx_images(pixels, 3, 4, 5);
  const std::vector<Label> labels = {0, 9, 3, 1};
  write(dir / "idx_images/small.idx", idx_images);
  write(dir / "idx_labels/small.idx", io::encode_idx_labels(labels));
  write(dir / "gzip/images.gz", gzip(idx_images));
  write(dir / "gzip/labels.gz", gzip(io::encode_idx_labels(labels)));
  std::vector<std::uint8_t> cifar_pixels(2 * io::kCifar10ImageBytes, 9);
  write(dir / "cifar10/two_records.bin", io::encode_cifar10(cifar_pixels, std::vector<Label>{3, 7}));

  static TwoLayerNet<6, 4, 3, 2> net;
  static LinearClassifier<6, 3, 2> linear;
  static Normalizer<6> norm;
  Rng rng(1);
  net.init(rng, InitRule::gaussian(0.5));
  linear.init(rng, InitRule::gaussian(0.5));
  io::Checkpoint c = io::make_checkpoint(net, norm);
  c.set_metadata("dataset", "fashion-mnist");
  write(dir / "checkpoint/two_layer.fnck", io::encode_checkpoint(c));
  write(dir / "checkpoint/linear.fnck", io::encode_checkpoint(io::make_checkpoint(linear, norm)));

  quant::QuantizedModel two;
  two.spec = "in:16|fc:8+relu|fc:4";
  two.layers = {layer(16, 8, true), layer(8, 4, false)};
  write(dir / "quantized_model/two_layer.fnq", io::encode_quantized_model(two));
  quant::QuantizedModel lin;
  lin.spec = "in:16|fc:4";
  lin.layers = {layer(16, 4, false)};
  lin.metadata = {{"dataset", "toy"}};
  write(dir / "quantized_model/linear.fnq", io::encode_quantized_model(lin));
  quant::QuantizedModel deep;  // the fuzz target's third network: in:16|fc:8|relu|flatten|fc:4
  deep.spec = "in:16|fc:8|relu|flatten|fc:4";
  deep.layers = {layer(16, 8, false), shape_only("relu", 8, 123), shape_only("flatten", 8, 123), layer(8, 4, false)};
  deep.layers[3].input_zero_point = 123;
  write(dir / "quantized_model/deep.fnq", io::encode_quantized_model(deep));

  auto args = [](std::vector<std::string> a) {
    std::string s;
    for (std::size_t i = 0; i < a.size(); ++i) s += (i ? std::string(1, '\0') : std::string()) + a[i];
    return s;
  };
  write(dir / "flags/defaults.txt", args({"--epochs", "3"}));
  write(dir / "flags/many.txt", args({"--dataset=cifar10", "--hidden", "256", "--lr", "1e-2", "--reg=0", "--batch-size", "32",
                                      "--seed", "7", "--keep-last-batch", "--momentum", "0.9", "--threads", "2"}));
  write(dir / "flags/bad.txt", args({"--lr", "-1", "--model", "linear"}));
  write(dir / "flags/adam.txt", args({"--model", "mlp:256,128", "--optimizer", "adam", "--lr", "1e-3", "--beta2", "0.99",
                                      "--loss", "mse", "--init", "he", "--lr-decay", "0.85"}));
  return 0;
}
