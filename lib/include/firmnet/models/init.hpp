// models/init.hpp: how a network's parameters start. Weights are drawn from a normal distribution
// in params() order, one draw per weight from the seeded Rng (so a seed gives the same network on
// every platform); biases and gradients start at zero.
//   gaussian(s): std s for every weight matrix (the assignment's 1e-3·N(0, 1))
//   he():        std sqrt(2 / fan_in), fan_in = the weight matrix's rows (In of a dense layer,
//                KH·KW·C of a convolution): keeps ReLU activations at scale through deep stacks
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

#include "firmnet/core/rng.hpp"
#include "firmnet/layers/param.hpp"

namespace firmnet {

struct InitRule {
  enum class Kind { gaussian, he } kind = Kind::gaussian;
  double scale = 1e-3;  // gaussian's standard deviation

  static constexpr InitRule gaussian(double std) noexcept { return {Kind::gaussian, std}; }
  static constexpr InitRule he() noexcept { return {Kind::he, 0.0}; }
};

// gaussian's std is first rounded to the scalar type T (a float network draws with the float
// nearest 1e-3, as the seed's models always did).
template <class T, std::size_t N>
void init_params(const std::array<Param<T>, N>& params, Rng& rng, InitRule rule) noexcept {
  for (const Param<T>& p : params) {
    const double scale = rule.kind == InitRule::Kind::he ? std::sqrt(2.0 / static_cast<double>(p.rows))
                                                         : static_cast<double>(static_cast<T>(rule.scale));
    for (std::size_t i = 0; i < p.size(); ++i) {
      p.value[i] = p.regularized ? static_cast<T>(scale * rng.normal()) : T(0);
      if (p.grad) p.grad[i] = T(0);
    }
  }
}

}  // namespace firmnet
