// Eigen built with -march=x86-64-v3 (AVX2 + FMA): the peer of firmnet's fma3+avx2 variant.
#define FIRMNET_EIGEN_LEVEL v3
#include "eigen_gemm.hpp"
