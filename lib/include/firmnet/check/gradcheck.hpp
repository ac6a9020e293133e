// check/gradcheck.hpp: numeric gradient checking: centred differences (f(x+h) - f(x-h)) / 2h in
// double precision, compared with the analytic gradient a by
//   rel_error = max_i |a_i - n_i| / max(1e-8, max_i max(|a_i|, |n_i|)),
// the worst element error relative to the tensor's scale. The assignment divides each element
// by its own |a_i| + |n_i| instead, but a centred difference carries ~1e-11 of absolute rounding
// noise (eps·|L| / 2h), so any element below ~1e-4 would fail 1e-7 however right the code is.
// Scaled by the tensor, a wrong element still shows as soon as its error exceeds 1e-7 of the
// largest gradient component. Used by tests and examples/gradcheck.
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
  double worst = 0, scale = 1e-8;
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::fmax(worst, std::fabs(analytic[i] - numeric[i]));
    scale = std::fmax(scale, std::fmax(std::fabs(analytic[i]), std::fabs(numeric[i])));
  }
  return worst / scale;
}

}  // namespace firmnet::check
