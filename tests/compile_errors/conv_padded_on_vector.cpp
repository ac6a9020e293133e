// expect: Conv2d: its input is a vector (H = W = 1: Input<N>, or after Fc or Flatten); give images as Input<H, W, C>
// Padding makes the window "fit" one pixel: 12x12 images given as 144 values would otherwise
// train a convolution that sees a single pixel.
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Net = Network<Train<float, 4>, Input<144>, Conv2d<8, 3, 3, Pad<1>>, Relu, Fc<4>>;
std::size_t parameters() { return Net::kParamCount; }
