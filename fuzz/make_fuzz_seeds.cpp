// make_fuzz_seeds DIR: writes small valid inputs for every fuzz target into DIR/<target>/, the
// seed corpora (each target then mutates them into invalid ones).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/idx.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/npy.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/io/safetensors.hpp"
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

io::NdArray float_array(std::vector<std::size_t> shape) {
  io::NdArray a;
  a.shape = std::move(shape);
  for (std::size_t i = 0; i < a.count(); ++i) a.values.push_back(float(i) * 0.25f - 1.f);
  return a;
}

io::NdArray int_array(std::vector<std::int64_t> values) {
  io::NdArray a;
  a.stored = io::StoredType::i64;
  a.shape = {values.size()};
  a.ints = std::move(values);
  return a;
}

// A protobuf message written field by field: the ONNX seed below.
struct Pb {
  std::vector<std::uint8_t> b;
  Pb& varint(std::uint64_t v) {
    for (; v >= 0x80; v >>= 7) b.push_back(std::uint8_t(v | 0x80));
    b.push_back(std::uint8_t(v));
    return *this;
  }
  Pb& u(std::uint32_t field, std::uint64_t v) { return varint(std::uint64_t(field) << 3).varint(v); }
  Pb& str(std::uint32_t field, const std::string& s) {
    varint((std::uint64_t(field) << 3) | 2).varint(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Pb& msg(std::uint32_t field, const Pb& m) { return str(field, std::string(m.b.begin(), m.b.end())); }
  Pb& f32(std::uint32_t field, float f) {
    varint((std::uint64_t(field) << 3) | 5);
    std::uint32_t v;
    std::memcpy(&v, &f, 4);
    for (int i = 0; i < 4; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    return *this;
  }
};

// An MLP as torch.onnx.export writes one: Gemm, Relu, Gemm, weights in raw_data and float_data,
// a Constant with an int64 tensor, a symbolic batch dimension.
std::vector<std::uint8_t> onnx_mlp() {
  auto value = [](const std::string& name, std::uint64_t width) {
    const Pb shape = Pb().msg(1, Pb().str(2, "batch")).msg(1, Pb().u(1, width));
    return Pb().str(1, name).msg(2, Pb().msg(1, Pb().u(1, 1).msg(2, shape)));
  };
  std::string raw(4 * 4 * 3, '\0');
  for (std::size_t i = 0; i < raw.size(); i += 4) raw[i + 3] = '\x3f';  // 0.5f
  Pb g;
  g.msg(1, Pb().str(1, "input").str(1, "fc1.weight").str(1, "fc1.bias").str(2, "h").str(3, "/fc1/Gemm").str(4, "Gemm")
               .msg(5, Pb().str(1, "alpha").f32(2, 1.f).u(20, 1)).msg(5, Pb().str(1, "transB").u(3, 1).u(20, 2)));
  g.msg(1, Pb().str(1, "h").str(2, "r").str(3, "/Relu").str(4, "Relu"));
  g.msg(1, Pb().str(2, "c").str(3, "/Constant").str(4, "Constant")
               .msg(5, Pb().str(1, "value").u(20, 4).msg(5, Pb().u(1, 2).u(2, 7).u(7, 1).u(7, 3))));
  g.msg(1, Pb().str(1, "r").str(1, "fc2.weight").str(2, "logits").str(3, "/fc2/Gemm").str(4, "Gemm")
               .msg(5, Pb().str(1, "pads").u(20, 7).u(8, 1).u(8, 1)).msg(5, Pb().str(1, "scale").u(20, 6).f32(7, 0.5f))
               .msg(5, Pb().str(1, "mode").u(20, 3).str(4, "constant")));
  g.str(2, "torch_jit");
  g.msg(5, Pb().u(1, 3).u(1, 4).u(2, 1).str(8, "fc1.weight").str(9, raw));
  g.msg(5, Pb().u(1, 3).u(2, 1).f32(4, 0.1f).f32(4, -0.2f).f32(4, 0.3f).str(8, "fc1.bias"));
  g.msg(5, Pb().u(1, 2).u(1, 3).u(2, 11).str(8, "fc2.weight").str(9, std::string(48, '\0')));
  g.msg(11, value("input", 4)).msg(12, value("logits", 2));
  return Pb().u(1, 7).str(2, "pytorch").str(3, "1.13.0").msg(7, g).msg(8, Pb().u(2, 14)).b;
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

  write(dir / "npy/f32_2x3.npy", io::encode_npy(float_array({2, 3})));
  write(dir / "npy/scalar.npy", io::encode_npy(float_array({})));
  write(dir / "npy/empty.npy", io::encode_npy(float_array({0, 4})));
  write(dir / "npy/i64.npy", io::encode_npy(int_array({-1, 0, 7})));
  io::Npz npz;
  npz.arrays = {{"w", float_array({3, 2})}, {"b", float_array({2})}, {"steps", int_array({5})}};
  write(dir / "npz/three.npz", io::encode_npz(npz));
  io::Safetensors st;
  st.metadata = {{"format", "pt"}};
  st.tensors = {{"fc.weight", float_array({2, 3})}, {"fc.bias", float_array({2})}, {"bn.num_batches_tracked", int_array({1})}};
  const auto safetensors = io::encode_safetensors(st);
  write(dir / "safetensors/small.safetensors", safetensors);
  write(dir / "json/safetensors_header.json",
        std::string(safetensors.begin() + 8, safetensors.begin() + 8 + std::ptrdiff_t(safetensors[0] | (safetensors[1] << 8))));
  write(dir / "json/values.json",
        std::string("{\"a\": [1, -2, true, false, null, {}, []], \"s\": \"\\u00e9\\ud83d\\ude00\\n\xc3\xa9\", \"n\": -9223372036854775808}"));
  write(dir / "onnx/mlp.onnx", onnx_mlp());
#ifdef FIRMNET_FIXTURES
  // Files the real writers made: NumPy's np.save and np.savez, the reference safetensors layout,
  // torch.onnx.export and ONNX's helper (tests/fixtures/import/make_fixtures.py).
  for (const auto& e : fs::directory_iterator(fs::path(FIRMNET_FIXTURES) / "import")) {
    const std::string ext = e.path().extension().string();
    if (ext == ".npy" || ext == ".npz" || ext == ".safetensors" || ext == ".onnx") {
      fs::create_directories(dir / ext.substr(1));
      fs::copy_file(e.path(), dir / ext.substr(1) / e.path().filename(), fs::copy_options::overwrite_existing);
    }
  }
#endif

  // Specs of every kind of layer and option (the zoo's CNN, strides, a pooling stride, gap).
  write(dir / "architecture/cnn_small.txt",
        std::string("in:28x28x1|conv:16:3x3:p1+relu|maxpool:2|conv:32:3x3:p1+relu|maxpool:2|fc:10"));
  write(dir / "architecture/options.txt", std::string("in:9x9x3|conv:4:3x2:s2:p1|maxpool:3:s1|relu|flatten|fc:5+relu|fc:3"));
  write(dir / "architecture/gap.txt", std::string("in:6x6x2|conv:3:3x3+relu|gap|fc:4"));
  write(dir / "architecture/mlp.txt", std::string("in:784|fc:128+relu|fc:64+relu|fc:10"));

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
