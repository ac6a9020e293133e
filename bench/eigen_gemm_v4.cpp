// Eigen built with -march=x86-64-v4 (AVX-512): the peer of firmnet's avx512bw variant.
#define FIRMNET_EIGEN_LEVEL v4
#include "eigen_gemm.hpp"
