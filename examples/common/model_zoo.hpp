// examples/common/model_zoo.hpp: the architectures the programs (train, evaluate, quantize,
// gradcheck) are compiled for. A network's shapes are in its type, so a run-time choice (--model,
// a checkpoint's spec, an imported model) picks one of these instantiations by its spec string.
//
// To add one: add its Stack to Models below, one line, and rebuild. For example
//     Stack<Flat, Fc<300>, Relu, Fc<100>, Relu, Fc<kClasses>>,    // mlp:300,100
// Flat is the dataset's image as a vector (Input<784> for Fashion-MNIST), Image the image as
// H x W x C (Input<28, 28, 1>) for convolutional nets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/models/registry.hpp"

namespace firmnet::examples {

inline constexpr std::size_t kMaxBatch = 256;
inline constexpr std::size_t kClasses = 10;
// The widths --model two-layer --hidden N is compiled for.
inline constexpr std::size_t kHiddenSizes[] = {64, 128, 256, 512, 1024};

template <std::size_t H, std::size_t W, std::size_t C>
struct Zoo {
  using Flat = Input<H * W * C>;
  using Image = Input<H, W, C>;
  using Models = ModelList<
      Stack<Flat, Fc<kClasses>>,                                               // linear
      Stack<Flat, Fc<64>, Relu, Fc<kClasses>>,                                 // two-layer --hidden 64
      Stack<Flat, Fc<128>, Relu, Fc<kClasses>>,                                // two-layer (--hidden 128)
      Stack<Flat, Fc<256>, Relu, Fc<kClasses>>,                                // two-layer --hidden 256
      Stack<Flat, Fc<512>, Relu, Fc<kClasses>>,                                // two-layer --hidden 512
      Stack<Flat, Fc<1024>, Relu, Fc<kClasses>>,                               // two-layer --hidden 1024
      Stack<Flat, Fc<128>, Relu, Fc<64>, Relu, Fc<kClasses>>,                  // mlp:128,64
      Stack<Flat, Fc<256>, Relu, Fc<128>, Relu, Fc<kClasses>>,                 // mlp:256,128
      Stack<Flat, Fc<512>, Relu, Fc<256>, Relu, Fc<kClasses>>,                 // mlp:512,256
      Stack<Flat, Fc<256>, Relu, Fc<128>, Relu, Fc<64>, Relu, Fc<kClasses>>,   // mlp:256,128,64
      Stack<Flat, Fc<512>, Relu, Fc<256>, Relu, Fc<128>, Relu, Fc<64>, Relu, Fc<kClasses>>,  // mlp:512,256,128,64
      // cnn:small, 20 K parameters, 1.0 M multiply-adds per 28x28 image
      Stack<Image, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<32, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<kClasses>>,
      // cnn (the default) = cnn:3x3, 50 K parameters, 3.9 M multiply-adds
      Stack<Image, Conv2d<32, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<64, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<kClasses>>,
      // cnn:5x5, 83 K parameters, 10.7 M multiply-adds
      Stack<Image, Conv2d<32, 5, 5, Pad<2>>, Relu, MaxPool<2>, Conv2d<64, 5, 5, Pad<2>>, Relu, MaxPool<2>, Fc<kClasses>>>;
};

// The datasets' image shapes: Zoo<28, 28, 1> (Fashion-MNIST) and Zoo<32, 32, 3> (CIFAR-10).
// visit_model(spec, f) finds spec among both and calls f(std::type_identity<Stack>{}).
template <class F>
bool visit_model(std::string_view spec, F&& f) {
  return Zoo<28, 28, 1>::Models::visit(spec, f) || Zoo<32, 32, 3>::Models::visit(spec, f);
}

inline std::vector<std::string_view> compiled_specs() {
  std::vector<std::string_view> all;
  for (const auto s : Zoo<28, 28, 1>::Models::specs()) all.push_back(s);
  for (const auto s : Zoo<32, 32, 3>::Models::specs()) all.push_back(s);
  return all;
}

// The convolutional nets by name: the layers after the image input.
inline constexpr std::pair<const char*, const char*> kConvNets[] = {
    {"cnn:small", "conv:16:3x3:p1+relu|maxpool:2|conv:32:3x3:p1+relu|maxpool:2|fc:10"},
    {"cnn:3x3", "conv:32:3x3:p1+relu|maxpool:2|conv:64:3x3:p1+relu|maxpool:2|fc:10"},
    {"cnn:5x5", "conv:32:5x5:p2+relu|maxpool:2|conv:64:5x5:p2+relu|maxpool:2|fc:10"},
    {"cnn", "conv:32:3x3:p1+relu|maxpool:2|conv:64:3x3:p1+relu|maxpool:2|fc:10"},
};

// The spec a --model name stands for on a dataset's images (`inputs` values, `image` its H x W x C):
//   linear           in:N|fc:10
//   two-layer        in:N|fc:H+relu|fc:10  (H = hidden)
//   mlp:H1,H2,...    in:N|fc:H1+relu|fc:H2+relu|...|fc:10, 1 to 4 hidden layers
//   cnn, cnn:small, cnn:3x3, cnn:5x5   in:HxWxC|conv:...  (kConvNets)
//   in:...           a spec, as it is (train --list-models prints the compiled ones)
// Returns "" with `problem` set for a name of none of these forms.
inline std::string model_spec(const std::string& name, std::size_t inputs, const std::string& image, std::size_t hidden,
                              std::string& problem) {
  const std::string head = "in:" + std::to_string(inputs) + "|";
  const std::string tail = "fc:" + std::to_string(kClasses);
  for (const auto& [cnn, layers] : kConvNets)
    if (name == cnn) return "in:" + image + "|" + layers;
  if (name == "linear") return head + tail;
  if (name == "two-layer") return head + "fc:" + std::to_string(hidden) + "+relu|" + tail;
  if (name.rfind("in:", 0) == 0) return name;
  if (name.rfind("mlp:", 0) == 0) {
    std::string spec = head;
    std::size_t layers = 0, start = 4;
    while (start <= name.size()) {
      const std::size_t comma = name.find(',', start);
      const std::string width = name.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (width.empty() || width.size() > 6 || width.find_first_not_of("0123456789") != std::string::npos || width[0] == '0') {
        problem = "'" + name + "': the hidden widths must be positive whole numbers separated by commas, e.g. mlp:256,128";
        return "";
      }
      spec += "fc:" + width + "+relu|";
      ++layers;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (layers > 4) {
      problem = "'" + name + "' has " + std::to_string(layers) + " hidden layers; mlp: takes 1 to 4";
      return "";
    }
    return spec + tail;
  }
  problem = "'" + name + "' is not a model name: linear, two-layer, mlp:H1,H2,..., cnn, cnn:small, cnn:3x3, cnn:5x5 or a "
            "spec in:...|... (train --list-models)";
  return "";
}

// What to tell someone whose architecture is not compiled in.
inline std::string how_to_compile(const std::string& spec) {
  return "the network " + spec +
         " is not compiled into these programs; add its Stack<...> to examples/common/model_zoo.hpp (one line, "
         "see the comment at its top) and rebuild; train --list-models prints what is compiled";
}

}  // namespace firmnet::examples
