// expect: a stack starts with its Input<...> shape, e.g. Input<784>
#include "firmnet/layers/fc.hpp"
#include "firmnet/models/network.hpp"

using Net = firmnet::Network<firmnet::Train<float, 4>, firmnet::Fc<10>, firmnet::Fc<2>>;
std::size_t parameters() { return Net::kParamCount; }
