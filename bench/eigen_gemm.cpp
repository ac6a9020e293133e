// Eigen's GEMM for the benchmark, built with the -march of this CPU (see bench/CMakeLists.txt):
// Eigen's SIMD follows the compiler flags, so a baseline build would understate it.
#include <Eigen/Core>

#include "cases.hpp"

namespace bench {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Map = Eigen::Map<const RowMajor>;

void eigen_gemm(const GemmCase& c, const float* a, const float* b, float* out) {
  Eigen::Map<RowMajor> C(out, Eigen::Index(c.m), Eigen::Index(c.n));
  const auto m = Eigen::Index(c.m), n = Eigen::Index(c.n), k = Eigen::Index(c.k);
  switch (c.form) {
    case Form::nn: C.noalias() = Map(a, m, k) * Map(b, k, n); break;
    case Form::tn: C.noalias() = Map(a, k, m).transpose() * Map(b, k, n); break;
    case Form::nt: C.noalias() = Map(a, m, k) * Map(b, n, k).transpose(); break;
  }
}

const char* eigen_simd() { return Eigen::SimdInstructionSetsInUse(); }

}  // namespace bench
