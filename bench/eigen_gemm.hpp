// Eigen's GEMM for the benchmark, included by one translation unit per x86-64 level
// (eigen_gemm_v3.cpp, eigen_gemm_v4.cpp), each compiled with its own -march: Eigen's SIMD follows
// the compiler flags, so one build cannot stand in for both peers.
// The macro renames Eigen's namespace per level. Without it both TUs would define the same
// inline template functions (general_matrix_matrix_product<...>::run and the like) with
// different bodies, and the linker would keep one copy for both: the v3 peer could then run
// AVX-512 code, and crash on a CPU without it.
#pragma once

#ifndef FIRMNET_EIGEN_LEVEL
#error "define FIRMNET_EIGEN_LEVEL (v3 or v4) before including eigen_gemm.hpp"
#endif
#define FIRMNET_EIGEN_CAT2(a, b) a##b
#define FIRMNET_EIGEN_CAT(a, b) FIRMNET_EIGEN_CAT2(a, b)
#define Eigen FIRMNET_EIGEN_CAT(Eigen_, FIRMNET_EIGEN_LEVEL)
#include <Eigen/Core>

#include "cases.hpp"

namespace bench::FIRMNET_EIGEN_LEVEL {

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

}  // namespace bench::FIRMNET_EIGEN_LEVEL
