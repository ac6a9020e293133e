// tests/support/random.hpp: seeded random test data.
#pragma once

#include <cstddef>
#include <vector>

#include "firmnet/core/rng.hpp"

namespace firmnet::test {

template <class T>
std::vector<T> random_vector(std::size_t n, std::uint64_t seed, double scale = 1.0) {
  Rng rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(scale * rng.normal());
  return v;
}

template <class T>
void fill_normal(T* data, std::size_t n, Rng& rng, double scale = 1.0) {
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(scale * rng.normal());
}

// max_i |a_i - b_i| / max(1, |b_i|): relative for large values, absolute near zero.
template <class T>
double max_rel_diff(const T* a, const T* b, std::size_t n) {
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    const double mag = static_cast<double>(b[i]) < 0 ? -static_cast<double>(b[i]) : static_cast<double>(b[i]);
    const double rel = (d < 0 ? -d : d) / (mag > 1 ? mag : 1);
    worst = rel > worst ? rel : worst;
  }
  return worst;
}

}  // namespace firmnet::test
