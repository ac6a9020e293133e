// import: a network trained in PyTorch -> a firmnet checkpoint that evaluate, quantize and export
// take as they take train's. From an ONNX file (torch.onnx.export), whose graph gives the
// architecture, or from a state_dict saved as .npz or safetensors, with the architecture named by
// --model. The weights are mapped onto firmnet's layouts (io/torch_layout.hpp); the network must
// be compiled into the programs (examples/common/model_zoo.hpp), else import says which line to add.
//
// Input normalisation: firmnet's networks take x = pixel/255 - input_mean. PyTorch models are
// mostly trained on transforms.ToTensor() (x = pixel/255), so the default mean is 0; a model
// trained on transforms.Normalize(m, s) is imported with --input-mean m --input-std s (the 1/s is
// folded into the first layer's weights, exactly in real arithmetic: pooling and ReLU commute with
// a positive scale, and the convolution pads x - m with zeros as PyTorch pads (x - m)/s).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/checkpoint_model.hpp"
#include "common/model_zoo.hpp"
#include "common/torch_input.hpp"
#include "common/train_options.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/architecture.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/data_fingerprint.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/onnx.hpp"
#include "firmnet/io/onnx_network.hpp"
#include "firmnet/io/safetensors.hpp"
#include "firmnet/io/state_dict.hpp"
#include "firmnet/io/torch_layout.hpp"

namespace {

using namespace firmnet;

struct Options {
  std::string onnx, weights, model, names, out;
  std::string dataset;  // empty: the one whose images the network takes
  std::string data_dir;
  double input_mean = 0.0, input_std = 1.0;
};

// What a PyTorch file holds once read: the architecture and the weights in PyTorch's layouts.
struct Imported {
  io::Architecture architecture;
  io::ImageShape torch_input;
  std::vector<io::TorchParam> params;
  std::string format;
};

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(',', start)) != std::string::npos; start = at + 1) items.push_back(text.substr(start, at - start));
  items.push_back(text.substr(start));
  return items;
}

// The dataset a network's input belongs to: --dataset, else the one of that size.
std::string dataset_for(const io::Architecture& a, const Options& o, const std::string& source) {
  if (!o.dataset.empty()) {
    if (io::input_dim(o.dataset) != a.input.size())
      throw io::Error(source + ": the network " + a.spec() + " takes " + std::to_string(a.input.size()) + " values, --dataset " + o.dataset +
                      " images have " + std::to_string(io::input_dim(o.dataset)));
    return o.dataset;
  }
  for (const char* d : {"fashion-mnist", "cifar10"})
    if (io::input_dim(d) == a.input.size()) return d;
  throw io::Error(source + ": the network " + a.spec() + " takes " + std::to_string(a.input.size()) +
                  " values: neither Fashion-MNIST's 784 (28x28x1) nor CIFAR-10's 3072 (32x32x3) images");
}

Imported from_onnx(const Options& o) {
  const io::OnnxModel model = io::read_onnx(o.onnx);
  io::OnnxNetwork net = io::onnx_network(model, o.onnx);
  return {std::move(net.architecture), net.torch_input, std::move(net.params), "onnx"};
}

Imported from_state_dict(const Options& o) {
  std::vector<io::NamedArray> entries;
  io::Npz npz;
  io::Safetensors safetensors;
  std::string format;
  if (o.weights.ends_with(".npz")) {
    npz = io::read_npz(o.weights);
    for (const auto& a : npz.arrays) entries.push_back({a.name, &a.array});
    format = "npz";
  } else if (o.weights.ends_with(".safetensors")) {
    safetensors = io::read_safetensors(o.weights);
    for (const auto& t : safetensors.tensors) entries.push_back({t.name, &t.array});
    format = "safetensors";
  } else {
    throw cli::UsageError("--weights '" + o.weights + "': a .npz (numpy.savez) or .safetensors file, by its name's ending");
  }
  const std::string dataset = o.dataset.empty() ? "fashion-mnist" : o.dataset;
  std::string problem;
  const std::string spec = examples::model_spec(o.model, io::input_dim(dataset), io::input_shape_text(dataset), 128, problem);
  if (spec.empty()) throw cli::UsageError("--model: " + problem);
  io::Architecture a = io::parse_architecture(spec, "--model");
  std::size_t layers = 0;
  for (const auto& l : a.layers) layers += l.has_params();
  const std::vector<std::string> prefixes = o.names.empty() ? io::weight_prefixes(entries) : comma_list(o.names);
  if (prefixes.size() != layers) {
    std::string found;
    for (const auto& p : prefixes) found += (found.empty() ? "'" : "', '") + p;
    throw io::Error(o.weights + ": " + std::to_string(prefixes.size()) + " layers with weights (" +
                    (found.empty() ? "none" : found + "'") + "), the network " + spec + " has " + std::to_string(layers) +
                    " (fc and conv); check --model, or name the layers in order with --names");
  }
  std::vector<io::TorchParam> params = io::pick_params(entries, prefixes, o.weights);
  return {a, a.input, std::move(params), format};
}

// The checkpoint of one compiled network: its tensors go through the network itself, so the file
// is what train would write for these weights.
template <class Model>
io::Checkpoint checkpoint_of(const io::Checkpoint& raw, const std::string& source) {
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  io::load_checkpoint_into(raw, source, *model, *norm);
  return io::make_checkpoint(*model, *norm);
}

int run(const Options& o) {
  Imported in = o.onnx.empty() ? from_state_dict(o) : from_onnx(o);
  const std::string source = o.onnx.empty() ? o.weights : o.onnx;
  io::Architecture& a = in.architecture;
  const std::string spec = a.spec();
  const std::string dataset = dataset_for(a, o, source);
  if (!o.onnx.empty() && !o.model.empty()) {
    std::string problem;
    const std::string named = examples::model_spec(o.model, io::input_dim(dataset), io::input_shape_text(dataset), 128, problem);
    if (named.empty()) throw cli::UsageError("--model: " + problem);
    if (named != spec) throw io::Error(o.onnx + ": the graph is the network " + spec + ", --model " + o.model + " is " + named);
  }
  bool compiled = false;
  for (const auto s : examples::compiled_specs()) compiled = compiled || s == spec;
  if (!compiled)
    throw io::Error(source + ": " + examples::how_to_compile(spec) + "; the line for its Zoo::Models list:\n      " +
                    a.stack_declaration() + "  // " + spec);
  if (in.torch_input.is_vector()) in.torch_input = examples::torch_input(a, dataset);

  io::Checkpoint raw;
  raw.spec = spec;
  raw.tensors = io::firmnet_params_from_torch(a, in.params, in.torch_input, source);
  if (o.input_std != 1.0)  // (x - m)/s · W = (x - m) · (W/s): the first layer's weights take the 1/s
    for (float& v : raw.tensors.front().values) v = static_cast<float>(v / o.input_std);
  raw.tensors.push_back({"input_mean", 1, static_cast<std::uint32_t>(a.input.size()),
                         std::vector<float>(a.input.size(), static_cast<float>(o.input_mean))});

  io::Checkpoint c;
  examples::visit_model(spec, [&](auto stack) {
    c = checkpoint_of<typename decltype(stack)::type::template Bind<Infer<float, 1>>>(raw, source);
  });
  // evaluate and quantize rebuild the usual split (all training images but the last 10000 are
  // train) and check the data against the fingerprint: the one of the data found now.
  const io::Dataset data = io::load_dataset(dataset, o.data_dir);
  const io::Splits splits = io::split(data, 0, 10000);
  c.set_metadata("dataset", dataset);
  c.set_metadata("model", o.model.empty() ? spec : o.model);
  c.set_metadata("num_train", "0");
  c.set_metadata("num_val", "10000");
  c.set_metadata(io::kDataFingerprintKey, io::data_fingerprint(data.name, splits));
  c.set_metadata("imported_from", source);
  c.set_metadata("import_format", in.format);
  c.set_metadata("import_input_mean", examples::number_text(o.input_mean));
  c.set_metadata("import_input_std", examples::number_text(o.input_std));
  examples::describe_checkpoint(c, o.out, "");  // what evaluate and quantize will check first
  io::write_checkpoint(o.out, c);

  std::size_t parameters = 0;
  for (const auto& p : in.params) parameters += p.array.count();
  std::printf("firmnet import: %s (%s) -> %s\n", source.c_str(), in.format.c_str(), o.out.c_str());
  std::printf("network: %s (%zu parameters, %s images)\n", spec.c_str(), parameters, dataset.c_str());
  for (std::size_t i = 0; i < in.params.size(); ++i)
    std::printf("  %-5s <- %s %s\n", c.tensors[i].name.c_str(), in.params[i].name.c_str(),
                io::shape_string(in.params[i].array.shape).c_str());
  std::printf("input: x = (pixel/255 - %g) / %g\n", o.input_mean, o.input_std);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    cli::Flags flags("import",
                     "Imports a network trained in PyTorch into a firmnet checkpoint for evaluate, quantize and export:\n"
                     "  import --onnx model.onnx --out model.fnck\n"
                     "  import --weights state_dict.npz|.safetensors --model cnn:small --out model.fnck\n"
                     "Linear weights (out, in) are transposed, Conv2d weights (K, C, KH, KW) laid out as (KH·KW·C, K),\n"
                     "and a dense layer after an image takes its inputs in NHWC order (PyTorch's are NCHW).");
    flags.add_string("onnx", &o.onnx, "ONNX file from torch.onnx.export; the architecture comes from its graph");
    flags.add_string("weights", &o.weights,
                     "A state_dict saved as .npz (numpy.savez(f, **{k: v.numpy() ...})) or .safetensors; needs --model");
    flags.add_string("model", &o.model,
                     "The architecture of --weights: a name (mlp:128,64, cnn:small, ...; train --list-models) or a spec");
    flags.add_string("names", &o.names,
                     "The state_dict prefixes of the layers with weights, in order, e.g. conv1,conv2,fc (default: every "
                     "P of a P.weight, in natural order: 0, 3, 10, ...)");
    flags.add_string("out", &o.out, "Checkpoint to write (required)");
    flags.add_string("dataset", &o.dataset, "Dataset the network classifies (default: the one of its input size)",
                     {"fashion-mnist", "cifar10"});
    flags.add_string("data-dir", &o.data_dir, "Directory of the dataset files (default: the dataset's usual place)");
    flags.add_double("input-mean", &o.input_mean, "Mean subtracted from pixel/255 in training (transforms.Normalize's)", -1, 2);
    flags.add_double("input-std", &o.input_std, "Standard deviation pixel/255 - mean was divided by in training", 0, 1e6, true);
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    if (o.onnx.empty() == o.weights.empty()) throw cli::UsageError("give one of --onnx and --weights (see --help)");
    if (!o.weights.empty() && o.model.empty()) throw cli::UsageError("--weights needs --model: a state_dict has no architecture");
    if (!o.onnx.empty() && !o.names.empty()) throw cli::UsageError("--names goes with --weights: an ONNX graph names its own weights");
    if (o.out.empty()) throw cli::UsageError("--out is required (see --help)");
    if (const std::string problem = io::output_path_problem(o.out); !problem.empty())
      throw cli::UsageError("--out '" + o.out + "': " + problem);
    return run(o);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "import: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "import: error: %s\n", e.what());
    return 1;
  }
}
