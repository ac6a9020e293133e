// examples/common/torch_input.hpp: the input PyTorch feeds a network, for import and export to
// lay out its first dense layer. A network whose input is an image sees it as firmnet does (the
// conv weights map one to one). A network whose input is the vector of a dataset's pixels (an MLP,
// in:784 or in:3072) is fed, in PyTorch, the dataset's (C, H, W) image flattened by nn.Flatten or
// x.view(len(x), -1), whose order is channel-first: the first layer's columns follow that order.
// (For Fashion-MNIST's one channel both orders are the same.)
#pragma once

#include <cstdio>
#include <string>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/datasets.hpp"

namespace firmnet::examples {

inline io::ImageShape torch_input(const io::Architecture& a, const std::string& dataset) {
  if (!a.input.is_vector() || !io::is_known_dataset(dataset) || io::input_dim(dataset) != a.input.size()) return a.input;
  io::ImageShape image;
  if (std::sscanf(io::input_shape_text(dataset).c_str(), "%zux%zux%zu", &image.h, &image.w, &image.c) != 3) return a.input;
  return image;
}

}  // namespace firmnet::examples
