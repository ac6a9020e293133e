// export: a firmnet checkpoint's network -> .npz or safetensors, for PyTorch or numpy.
//   --layout pytorch (default): the state_dict of the torch.nn.Sequential that mirrors the spec
//     (io/state_dict.hpp; export prints it): "1.weight" (out, in), "0.weight" (K, C, KH, KW),
//     biases (out,), a dense layer after an image with its inputs in NCHW order, so
//     model.load_state_dict(...) takes it; plus "input_mean", the normalisation as PyTorch lays
//     out one input ((C, H, W) or (N,)): feed the model pixel/255 - input_mean. Pop it before
//     load_state_dict.
//   --layout firmnet: the checkpoint's tensors as they are (w1 (In, N) or (KH·KW·C, K), b1 (1, N),
//     ..., input_mean (1, In)), docs/checkpoint-format.md 5.1.
// Every value keeps its float32 bits: import(export(F)) gives F's tensors back.
#include <cstdio>
#include <string>
#include <vector>

#include "common/torch_input.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/architecture.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/safetensors.hpp"
#include "firmnet/io/state_dict.hpp"
#include "firmnet/io/torch_layout.hpp"

namespace {

using namespace firmnet;

struct Options {
  std::string checkpoint_file, npz, safetensors;
  std::string layout = "pytorch";
};

struct Named {
  std::string name;
  io::NdArray array;
};

io::NdArray as_array(const io::CheckpointTensor& t) {
  io::NdArray a;
  a.shape = {t.rows, t.cols};
  a.values = t.values;
  return a;
}

int run(const Options& o) {
  const io::Checkpoint c = io::read_checkpoint(o.checkpoint_file);
  const io::Architecture a = io::parse_architecture(c.spec, o.checkpoint_file);
  const io::CheckpointTensor* mean = c.find_tensor("input_mean");
  if (!mean || mean->rows != 1 || mean->cols != a.input.size())
    throw io::Error(o.checkpoint_file + ": checkpoint has no input_mean of 1x" + std::to_string(a.input.size()) + " values");
  const std::string* dataset = c.find_metadata("dataset");
  const io::ImageShape torch_input = examples::torch_input(a, dataset ? *dataset : "");

  std::vector<Named> out;
  std::string module = "";
  if (o.layout == "pytorch") {
    const std::vector<io::NdArray> params = io::torch_params_from_firmnet(a, c, torch_input, o.checkpoint_file);
    const std::vector<std::string> prefixes = io::torch_param_prefixes(a);
    for (std::size_t k = 0; k < prefixes.size(); ++k) {
      out.push_back({prefixes[k] + ".weight", params[2 * k]});
      out.push_back({prefixes[k] + ".bias", params[2 * k + 1]});
    }
    out.push_back({"input_mean", io::torch_input_mean(mean->values, torch_input)});
    module = io::torch_sequential(a);
  } else {
    std::size_t k = 0;
    for (const auto& l : a.layers) {
      if (!l.has_params()) continue;
      for (const char* role : {"w", "b"}) {
        const std::string name = role + std::to_string(k + 1);
        const io::CheckpointTensor* t = c.find_tensor(name);
        if (!t) throw io::Error(o.checkpoint_file + ": checkpoint has no tensor '" + name + "'");
        out.push_back({name, as_array(*t)});
      }
      ++k;
    }
    out.push_back({"input_mean", as_array(*mean)});
  }

  if (!o.npz.empty()) {
    io::Npz npz;
    for (auto& n : out) npz.arrays.push_back({n.name, n.array});
    io::write_npz(o.npz, npz);
  }
  if (!o.safetensors.empty()) {
    io::Safetensors st;
    st.metadata = {{"format", o.layout == "pytorch" ? "pt" : "np"}, {"firmnet_spec", c.spec}};
    if (!module.empty()) st.metadata.emplace_back("pytorch_module", module);
    for (auto& n : out) st.tensors.push_back({n.name, n.array});
    io::write_safetensors(o.safetensors, st);
  }

  std::printf("firmnet export: %s (%s), layout %s\n", o.checkpoint_file.c_str(), c.spec.c_str(), o.layout.c_str());
  for (const auto& n : out) std::printf("  %-12s %s\n", n.name.c_str(), io::shape_string(n.array.shape).c_str());
  if (!module.empty()) std::printf("PyTorch module: %s\n", module.c_str());
  std::printf("input: x = pixel/255 - input_mean%s\n", torch_input.is_vector() || o.layout != "pytorch" ? "" : ", (C, H, W)");
  for (const std::string* file : {&o.npz, &o.safetensors})
    if (!file->empty()) std::printf("Wrote %s\n", file->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    cli::Flags flags("export",
                     "Writes a checkpoint's network as .npz or safetensors, by default as the state_dict of the\n"
                     "torch.nn.Sequential it prints (PyTorch's names and layouts), with input_mean beside it:\n"
                     "  export --checkpoint-file model.fnck --npz model.npz\n"
                     "  model = <the printed Sequential>; sd = dict(np.load('model.npz')); mean = sd.pop('input_mean')\n"
                     "  model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})");
    flags.add_string("checkpoint-file", &o.checkpoint_file, "Checkpoint to export (required)");
    flags.add_string("npz", &o.npz, "Write a .npz (numpy.load reads it)");
    flags.add_string("safetensors", &o.safetensors, "Write a .safetensors file");
    flags.add_string("layout", &o.layout,
                     "pytorch: state_dict names, (out, in), (K, C, KH, KW), NCHW flatten order; firmnet: the checkpoint's "
                     "own tensors (w1 (In, N), ...)",
                     {"pytorch", "firmnet"});
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    if (o.checkpoint_file.empty()) throw cli::UsageError("--checkpoint-file is required (see --help)");
    if (o.npz.empty() && o.safetensors.empty()) throw cli::UsageError("give --npz, --safetensors or both (see --help)");
    for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"npz", o.npz}, {"safetensors", o.safetensors}})
      if (const std::string problem = path.empty() ? "" : io::output_path_problem(path); !problem.empty())
        throw cli::UsageError(std::string("--") + flag + " '" + path + "': " + problem);
    return run(o);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "export: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "export: error: %s\n", e.what());
    return 1;
  }
}
