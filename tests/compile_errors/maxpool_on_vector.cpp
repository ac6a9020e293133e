// expect: MaxPool: its input is a vector (H = W = 1: Input<N>, or after Fc or Flatten)
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Net = Network<Train<float, 4>, Input<784>, MaxPool<2>, Fc<2>>;
std::size_t parameters() { return Net::kParamCount; }
