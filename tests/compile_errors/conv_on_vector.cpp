// expect: Conv2d: its input is a vector (H = W = 1: Input<N>, or after Fc or Flatten); give images as Input<H, W, C>
// Fashion-MNIST images given as 784 values rather than Input<28, 28, 1>.
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Net = Network<Train<float, 4>, Input<784>, Conv2d<4, 3, 3>, Fc<2>>;
std::size_t parameters() { return Net::kParamCount; }
