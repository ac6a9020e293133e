// libFuzzer: architecture specs as export and import read them (io/architecture.hpp). A spec that
// parses is in the canonical form (it prints back to itself), its Stack<...> line and PyTorch
// Sequential can be written, and a checkpoint of its shapes maps onto PyTorch's layouts and back
// to the same bits. (fuzz_checkpoint cannot reach this: a mutated checkpoint fails its CRC.)
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/state_dict.hpp"
#include "firmnet/io/torch_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace firmnet::io;
  const std::string spec(reinterpret_cast<const char*>(data), size);
  try {
    const Architecture a = parse_architecture(spec, "fuzz");
    if (a.spec() != spec) __builtin_trap();
    if (a.stack_declaration().empty() || torch_sequential(a).empty()) __builtin_trap();
    // The tensors of these shapes, each value its index, if they are small enough to hold.
    Checkpoint c;
    std::size_t k = 0, total = 0;
    for (const auto& l : a.layers) {
      if (!l.has_params()) continue;
      total += (l.fan_in() + 1) * l.units;
      if (total > (std::size_t(1) << 20)) return 0;
      const std::string n = std::to_string(++k);
      for (const auto& [name, rows] : {std::pair{"w" + n, l.fan_in()}, std::pair{"b" + n, std::size_t(1)}}) {
        CheckpointTensor t{name, std::uint32_t(rows), std::uint32_t(l.units), std::vector<float>(rows * l.units)};
        for (std::size_t i = 0; i < t.values.size(); ++i) t.values[i] = float(i);
        c.tensors.push_back(std::move(t));
      }
    }
    const auto torch = torch_params_from_firmnet(a, c, a.input, "fuzz");
    if (torch_param_prefixes(a).size() * 2 != torch.size()) __builtin_trap();
    std::vector<TorchParam> params;
    for (const auto& t : torch) params.push_back({"p", t});
    const auto back = firmnet_params_from_torch(a, params, a.input, "fuzz");
    if (back.size() != c.tensors.size()) __builtin_trap();
    for (std::size_t i = 0; i < back.size(); ++i)
      if (back[i].name != c.tensors[i].name || back[i].rows != c.tensors[i].rows || back[i].values != c.tensors[i].values)
        __builtin_trap();
  } catch (const Error&) {
  }
  return 0;
}
