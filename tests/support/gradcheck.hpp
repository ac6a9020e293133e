// tests/support/gradcheck.hpp: checks one analytic gradient tensor against centred differences.
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include "firmnet/check/gradcheck.hpp"

namespace firmnet::test {

// Requires rel_error(analytic, numeric d f / d x) < tolerance; returns the error for printing.
template <class F>
double require_gradient(const char* name, F&& f, double* x, const double* analytic, std::size_t n,
                        double tolerance = check::kTolerance) {
  std::vector<double> numeric(n);
  check::numeric_gradient(f, x, n, numeric.data());
  const double err = check::rel_error(analytic, numeric.data(), n);
  INFO(name << " relative error " << err);
  CHECK(err < tolerance);
  return err;
}

}  // namespace firmnet::test
