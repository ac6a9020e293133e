// io/torch_layout.hpp: a network's parameters in PyTorch's layouts <-> firmnet's checkpoint
// tensors (docs/checkpoint-format.md 5.1), for import and export. Per layer with parameters:
//   fc:N on In values   torch Linear weight (N, In), bias (N)  <->  w (In, N), b (1, N)
//   conv:K:KHxKW on C   torch Conv2d weight (K, C, KH, KW), bias (K)  <->  w (KH·KW·C, K) "HWIO",
//                       w[((ky·KW + kx)·C + c)·K + k] = W[k][c][ky][kx], b (1, K)
// A dense layer whose input is an image H x W x C (after a conv or pool, or a flatten of one) is
// read flat by PyTorch in NCHW order and by firmnet in NHWC order, so its input index
// (c·H + y)·W + x in PyTorch is row (y·W + x)·C + c in firmnet: the rows are permuted. The
// conversion is a pure reordering: every value keeps its bits, so export(import(x)) == x.
#pragma once

#include <string>
#include <vector>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/ndarray.hpp"

namespace firmnet::io {

struct TorchParam {
  std::string name;  // where it came from ("0.weight"), for messages
  NdArray array;     // PyTorch's layout
};

// The shape PyTorch flattens into layer i's input: the image before a run of flatten and relu
// layers, `torch_input` for the first layer (an image, when a model flattens its (C, H, W)
// input for a spec whose input is the vector in:H·W·C; else a.input).
ImageShape torch_input_shape(const Architecture& a, std::size_t layer, const ImageShape& torch_input);

// params: weight then bias of each layer with parameters, in spec order. Returns w1, b1, w2, ...
// Throws io::Error (prefixed with source) naming the tensor whose rank, shape or type does not
// fit its layer, or that holds a value that is not finite.
std::vector<CheckpointTensor> firmnet_params_from_torch(const Architecture& a, const std::vector<TorchParam>& params,
                                                        const ImageShape& torch_input, const std::string& source);

// The reverse: weight then bias of each layer with parameters, from the checkpoint's w1, b1, ...
// (float32). Throws io::Error if a tensor is missing or its shape does not fit the spec.
std::vector<NdArray> torch_params_from_firmnet(const Architecture& a, const Checkpoint& c, const ImageShape& torch_input,
                                               const std::string& source);

// An input_mean (H·W·C values, NHWC) as PyTorch lays out one input: (C, H, W), or (N,) for a vector.
NdArray torch_input_mean(const std::vector<float>& mean, const ImageShape& torch_input);

}  // namespace firmnet::io
