// bench/cases.hpp: the GEMM shapes of the benchmark and the peers' entry points.
// Shapes are (M, N, K) of C(M,N); forms as in kernels/gemm.hpp: NN = A·B, TN = Aᵀ·B with A stored
// (K, M), NT = A·Bᵀ with B stored (N, K).
#pragma once

#include <cstddef>

namespace bench {

enum class Form { nn, tn, nt };

struct GemmCase {
  const char* name;
  Form form;
  std::size_t m, n, k;
  const char* role;
};

inline constexpr GemmCase kGemmCases[] = {
    {"NN_64x128x3072", Form::nn, 64, 128, 3072, "CIFAR layer-1 forward"},
    {"TN_3072x128x64", Form::tn, 3072, 128, 64, "CIFAR layer-1 weight gradient"},
    {"NT_64x3072x128", Form::nt, 64, 3072, 128, "CIFAR layer-1 input gradient"},
    {"NN_64x10x128", Form::nn, 64, 10, 128, "layer-2 forward"},
    {"TN_128x10x64", Form::tn, 128, 10, 64, "layer-2 weight gradient"},
    {"NN_1x128x3072", Form::nn, 1, 128, 3072, "CIFAR batch-1 inference"},
    {"NN_64x128x784", Form::nn, 64, 128, 784, "Fashion-MNIST layer-1 forward"},
    {"NN_1x128x784", Form::nn, 1, 128, 784, "Fashion-MNIST batch-1 inference"},
    {"NN_1x10x128", Form::nn, 1, 10, 128, "layer-2 batch-1 inference"},
    {"TN_784x128x64", Form::tn, 784, 128, 64, "Fashion-MNIST layer-1 weight gradient"},
    {"NN_256x256x256", Form::nn, 256, 256, 256, "square"},
    {"NN_512x512x512", Form::nn, 512, 512, 512, "square"},
    {"NN_1024x1024x1024", Form::nn, 1024, 1024, 1024, "square"},
};

// Eigen's C = op(A)·op(B), one translation unit per x86-64 level (eigen_gemm.hpp): v3 is the
// peer of firmnet's AVX2 variant, v4 of its AVX-512 one. v4 runs only where cpu_has_x86_64_v4().
namespace v3 {
void eigen_gemm(const GemmCase& c, const float* a, const float* b, float* out);
const char* eigen_simd();
}  // namespace v3
namespace v4 {
void eigen_gemm(const GemmCase& c, const float* a, const float* b, float* out);
const char* eigen_simd();
}  // namespace v4
bool cpu_has_x86_64_v3();
bool cpu_has_x86_64_v4();

// Single-core FMA throughput, flops per call; each compiled only where the CPU has the ISA.
double fma_peak_avx512(long iterations);
double fma_peak_avx2(long iterations);
bool cpu_has_avx512();
bool cpu_has_avx2();
bool cpu_has_avx512vnni();
// int8 multiply-add peak with vpdpbusd (ops per call, a multiply-add counted as 2).
double vnni_peak(long iterations);

// The network and convolution benchmarks (net_bench.cpp).
void register_net_benchmarks();

}  // namespace bench
