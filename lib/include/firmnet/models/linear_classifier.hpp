// models/linear_classifier.hpp: scores(B, Classes) = x(B, In)·w1(In, Classes) + b1, as a stack
// of one dense layer. MaxBatch bounds one forward; T is float, or double for gradient checks.
#pragma once

#include <cstddef>

#include "firmnet/layers/fc.hpp"
#include "firmnet/models/network.hpp"

namespace firmnet {

template <std::size_t In, std::size_t Classes, std::size_t MaxBatch = 64, class T = float>
using LinearClassifier = Network<Train<T, MaxBatch>, Input<In>, Fc<Classes>>;

}  // namespace firmnet
