// models/two_layer_net.hpp: the assignment's net, x(B, In) -> FC -> ReLU -> FC -> scores(B, Classes),
// as a stack: parameters w1 (In, Hidden), b1, w2 (Hidden, Classes), b2; the ReLU fused into the
// first layer's GEMM epilogue, which computes no input gradient. MaxBatch bounds one forward
// (1 for a firmware classifier, 64 to train); T is float, or double for gradient checks.
#pragma once

#include <cstddef>

#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

namespace firmnet {

template <std::size_t In, std::size_t Hidden, std::size_t Classes, std::size_t MaxBatch = 64, class T = float>
using TwoLayerNet = Network<Train<T, MaxBatch>, Input<In>, Fc<Hidden>, Relu, Fc<Classes>>;

}  // namespace firmnet
