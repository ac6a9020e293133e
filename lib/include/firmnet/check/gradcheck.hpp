// check/gradcheck.hpp: numeric gradient checking, as the assignment does it: centred
// differences (f(x+h) - f(x-h)) / 2h in double precision, compared with the analytic gradient by
// rel_error = max_i |a_i - n_i| / max(1e-8, |a_i| + |n_i|). Used by tests and examples/gradcheck.
#pragma once

#include <cmath>
#include <cstddef>

namespace firmnet::check {

inline constexpr double kStep = 1e-5;
inline constexpr double kTolerance = 1e-7;

// out[i] = d f / d x[i] by centred differences; x is restored exactly after each probe.
template <class F>
void numeric_gradient(F&& f, double* x, std::size_t n, double* out, double h = kStep) {
  for (std::size_t i = 0; i < n; ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double plus = f();
    x[i] = saved - h;
    const double minus = f();
    x[i] = saved;
    out[i] = (plus - minus) / (2 * h);
  }
}

inline double rel_error(const double* analytic, const double* numeric, std::size_t n) {
  double worst = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double denom = std::fmax(1e-8, std::fabs(analytic[i]) + std::fabs(numeric[i]));
    worst = std::fmax(worst, std::fabs(analytic[i] - numeric[i]) / denom);
  }
  return worst;
}

}  // namespace firmnet::check
