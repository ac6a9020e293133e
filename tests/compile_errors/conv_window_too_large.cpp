// expect: Conv2d: the window is larger than the padded input
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Net = Network<Train<float, 4>, Input<5, 5, 1>, Conv2d<4, 7, 7>, Fc<2>>;
std::size_t parameters() { return Net::kParamCount; }
