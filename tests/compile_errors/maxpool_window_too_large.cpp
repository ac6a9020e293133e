// expect: MaxPool: the window is larger than the input
// The layers after it used to add errors about a shape wrapped around 2^64.
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Net = Network<Train<float, 4>, Input<5, 5, 1>, MaxPool<6>, Fc<2>>;
std::size_t parameters() { return Net::kParamCount; }
