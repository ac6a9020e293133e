// io/state_dict.hpp: PyTorch's state_dict names for a firmnet network, both ways.
// Export names the tensors as the state_dict of the torch.nn.Sequential that mirrors the spec:
//   fc:N          [Flatten()] Linear(In, N) [ReLU()]   Flatten() first, and after a conv, pool or gap
//   conv:K:...    Conv2d(C, K, (KH, KW), stride=S, padding=P) [ReLU()]
//   maxpool:Z     MaxPool2d(Z[, stride=S])
//   relu, flatten ReLU(), Flatten();   gap   AdaptiveAvgPool2d(1), Flatten()
// so module i's parameters are "i.weight" and "i.bias": for mlp:128,64 "1.weight", "1.bias",
// "3.weight", ..., for cnn:small "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias".
// Import finds the layers in any state_dict: every prefix P with a "P.weight" (but no
// "P.running_mean": a batch norm, which pick_params then names as left over), in natural order
// (dot-separated parts, numbers compared as numbers: "2.weight" before "10.weight"), or the
// prefixes a user names; each gives "P.weight" and "P.bias" (a layer saved without bias gets zeros).
#pragma once

#include <string>
#include <vector>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/ndarray.hpp"
#include "firmnet/io/torch_layout.hpp"

namespace firmnet::io {

struct NamedArray {
  std::string name;
  const NdArray* array = nullptr;
};

// The Sequential's modules as Python ("torch.nn.Linear(784, 128)"), and the state_dict prefix
// ("1") of each layer of `a` with parameters, in spec order.
std::vector<std::string> torch_modules(const Architecture& a);
std::vector<std::string> torch_param_prefixes(const Architecture& a);
// "torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), ...)"
std::string torch_sequential(const Architecture& a);

// Every prefix P of a "P.weight" entry that is not a batch norm's, in natural order.
std::vector<std::string> weight_prefixes(const std::vector<NamedArray>& entries);

// The weight and bias of each prefix, in order, for firmnet_params_from_torch. Throws io::Error
// (prefixed with source) for a missing weight, or entries no prefix uses (naming them: a batch
// norm's running statistics, say), so that nothing in the file is silently left out.
std::vector<TorchParam> pick_params(const std::vector<NamedArray>& entries, const std::vector<std::string>& prefixes,
                                    const std::string& source);

}  // namespace firmnet::io
