// io/onnx_network.hpp: the firmnet network an ONNX graph (io/onnx.hpp) stands for, as
// torch.onnx.export (torch 1.13, opsets 9-17) writes a chain of layers such as an nn.Sequential:
//   Gemm (alpha = beta = 1, no transA), or MatMul with a constant (In, N) matrix [+ Add bias]  -> fc
//   Conv (group 1, dilation 1, one stride, the same padding on every side)                     -> conv
//   MaxPool (square window, one stride, no padding)                                              -> maxpool
//   Relu -> fused into the layer before it, or relu;  GlobalAveragePool -> gap
//   Flatten (axis 1), Reshape to (batch, -1) (a constant shape, or one computed by Shape, Gather,
//   Unsqueeze, Concat from the batch size, as x.view(x.size(0), -1) exports) -> nothing: a dense
//   layer reads any input flat. A flatten of the graph's input itself makes the spec's input the
//   vector in:C·H·W (the compiled MLPs take that).  Identity, Dropout -> nothing.
// The graph input is (batch, C, H, W) float, an image H x W x C, or (batch, N), a vector. Every
// other op, a node off the chain, or an attribute firmnet cannot honour is an io::Error naming
// the node, its op and what to do. The weights come back in PyTorch's layouts (Gemm's and
// MatMul's matrices turned to Linear's (out, in)) for io/torch_layout.hpp.
#pragma once

#include <string>
#include <vector>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/onnx.hpp"
#include "firmnet/io/torch_layout.hpp"

namespace firmnet::io {

struct OnnxNetwork {
  Architecture architecture;
  ImageShape torch_input;           // the graph input's (C, H, W) as H x W x C, or 1 x 1 x N
  std::vector<TorchParam> params;   // weight, bias of each fc and conv, in order, PyTorch's layouts
};

// `source` names the file in messages, e.g.
//   "m.onnx: node 4 '/1/BatchNormalization' (BatchNormalization): firmnet has no batch
//    normalisation; fold it into the convolution before it, then export again".
OnnxNetwork onnx_network(const OnnxModel& model, const std::string& source);

}  // namespace firmnet::io
