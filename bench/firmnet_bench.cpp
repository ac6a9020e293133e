// firmnet_bench: firmnet's kernels and training step beside their peers, measured in one run.
//   BM_FmaPeak/<isa>            single-core FMA throughput of this CPU (GFLOP/s)
//   BM_Gemm/<impl>/<shape>      impl: firmnet, scalar (the reference loops), openblas,
//                               eigen_v3 / eigen_v4 (Eigen built -march=x86-64-v3 / -v4)
//   BM_Relu/<impl>/<n>          firmnet vs the scalar reference
//   BM_TrainStep/<impl>/<shape> one SGD step of the two-layer net, batch 64 (images/s);
//                               impl cblas: the same step written plainly on cblas_sgemm
//   BM_Predict/<impl>/<shape>/batch<b>
//   <...>/firmnet_2t, openblas_2t: the same on two threads (run unpinned)
//   BM_CoreRoundTrip/firmnet_2t a cache line handed from one thread to another and back (ns)
// Run it through bench/compare (pinned to one core, OpenBLAS single-threaded, ratios).
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cases.hpp"
#include "cblas_step.hpp"
#include "firmnet/core/arch.hpp"
#include "firmnet/kernels/elementwise_dispatch.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/gemm_ref.hpp"
#include "firmnet/kernels/relu.hpp"
#include "firmnet/kernels/relu_ref.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/qnetwork.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/trainer.hpp"

extern "C" char* openblas_get_config();
extern "C" void openblas_set_num_threads(int);

namespace {

using bench::Form;
using bench::GemmCase;

// The GEMM operands start on a cache line, as firmnet's tensors (Matrix) do, and every
// implementation gets the same ones. A plain std::vector of a few MiB starts 16 bytes past a page
// (glibc's mmap chunk header), which puts every row of A, B and C across cache lines: OpenBLAS
// and Eigen (which pack both operands) measured the same either way, firmnet's AVX2 products that
// read B in place 7-12 % slower (BENCHMARKS.md, tenth session). The scratch stays a plain vector:
// the GEMM puts its packs on cache lines itself.
template <class T>
struct LineAligned {
  using value_type = T;
  LineAligned() = default;
  template <class U>
  LineAligned(const LineAligned<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const LineAligned&) const noexcept { return true; }
};
using Floats = std::vector<float, LineAligned<float>>;

Floats filled(std::size_t n, unsigned seed) {
  Floats v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = float(int((i * 2654435761u + seed) % 2001) - 1000) / 1000.f;
  return v;
}

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOPS"] = benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ---- GEMM ------------------------------------------------------------------------------
void firmnet_gemm(const GemmCase& c, const float* a, const float* b, float* out) {
  using namespace firmnet::kernels;
  static std::vector<float> scratch(kMaxGemmScratch);  // the caller's pack buffers, allocated once
  switch (c.form) {
    case Form::nn: gemm_nn(c.m, c.n, c.k, a, b, out, false, scratch); break;
    case Form::tn: gemm_tn(c.m, c.n, c.k, a, b, out, false, scratch); break;
    case Form::nt: gemm_nt(c.m, c.n, c.k, a, b, out, false, scratch); break;
  }
}
void scalar_gemm(const GemmCase& c, const float* a, const float* b, float* out) {
  using namespace firmnet::kernels;
  switch (c.form) {
    case Form::nn: gemm_nn_ref(c.m, c.n, c.k, a, b, out, false); break;
    case Form::tn: gemm_tn_ref(c.m, c.n, c.k, a, b, out, false); break;
    case Form::nt: gemm_nt_ref(c.m, c.n, c.k, a, b, out, false); break;
  }
}
void openblas_gemm(const GemmCase& c, const float* a, const float* b, float* out) {
  const int m = int(c.m), n = int(c.n), k = int(c.k);
  switch (c.form) {
    case Form::nn: cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.f, a, k, b, n, 0.f, out, n); break;
    case Form::tn: cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.f, a, m, b, n, 0.f, out, n); break;
    case Form::nt: cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.f, a, k, b, k, 0.f, out, n); break;
  }
}

template <void (*Gemm)(const GemmCase&, const float*, const float*, float*)>
void BM_Gemm(benchmark::State& state, GemmCase c) {
  const auto a = filled(c.m * c.k, 1), b = filled(c.k * c.n, 2);
  Floats out(c.m * c.n);
  for (auto _ : state) {
    Gemm(c, a.data(), b.data(), out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * double(c.m) * double(c.n) * double(c.k));
}

// Two threads: firmnet's GEMM pool, or OpenBLAS's own threads; run unpinned (bench/compare).
template <void (*Gemm)(const GemmCase&, const float*, const float*, float*)>
void BM_GemmTwoThreads(benchmark::State& state, GemmCase c) {
  static firmnet::kernels::ThreadPool pool(2);
  firmnet::kernels::set_gemm_thread_pool(&pool);
  openblas_set_num_threads(2);
  BM_Gemm<Gemm>(state, c);
  openblas_set_num_threads(1);
  firmnet::kernels::set_gemm_thread_pool(nullptr);
}

// ---- FMA peak --------------------------------------------------------------------------
void BM_VnniPeak(benchmark::State& state) {
  double ops = 0;
  for (auto _ : state) ops = bench::vnni_peak(1 << 16);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_FmaPeak(benchmark::State& state, double (*peak)(long)) {
  double flops = 0;
  for (auto _ : state) flops = peak(1 << 16);
  set_flops(state, flops);
}

// ---- ReLU ------------------------------------------------------------------------------
template <bool Reference>
void BM_Relu(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto x = filled(n, 3);
  std::vector<float> y(n);
  for (auto _ : state) {
    if constexpr (Reference) firmnet::kernels::relu_fwd_ref(x.data(), y.data(), n);
    else firmnet::kernels::relu_fwd(x.data(), y.data(), n);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * std::int64_t(2 * n * sizeof(float)));
}

// ---- the two cores ------------------------------------------------------------------------
// A cache line handed between threads on the first two CPUs this process may use, and back: the
// floor under every hand-off of the pool (a job's start, its parts' results). Where the host
// puts the two vCPUs decides it, and on the shared machines it changes from run to run (about
// 50 ns within one L3, 300 ns and more across), so the two-thread figures are read beside it.
void pin_to(int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

void BM_CoreRoundTrip(benchmark::State& state) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  sched_getaffinity(0, sizeof allowed, &allowed);
  int cpus[2] = {-1, -1};
  for (int c = 0, found = 0; c < CPU_SETSIZE && found < 2; ++c)
    if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
  if (cpus[1] < 0) return state.SkipWithError("needs two CPUs");
  // A pair of lines of its own (the L2 fetches lines in 128-byte pairs): on this thread's stack,
  // beside the line it writes, the trip measured 85 ns where it measures 50.
  struct alignas(128) Line {
    std::atomic<std::uint64_t> value{0};
  };
  static Line line;
  line.value.store(0);
  constexpr std::uint64_t kStop = ~std::uint64_t(0);
  std::thread echo([&] {
    pin_to(cpus[1]);
    for (std::uint64_t expect = 1;;) {
      const std::uint64_t seen = line.value.load(std::memory_order_acquire);
      if (seen == kStop) return;
      if (seen == expect) {
        line.value.store(expect + 1, std::memory_order_release);
        expect += 2;
      }
    }
  });
  pin_to(cpus[0]);
  std::uint64_t v = 0;
  for (auto _ : state) {
    line.value.store(v + 1, std::memory_order_release);
    while (line.value.load(std::memory_order_acquire) != v + 2) {
    }
    v += 2;
  }
  line.value.store(kStop, std::memory_order_release);
  echo.join();
  pthread_setaffinity_np(pthread_self(), sizeof allowed, &allowed);
}

// ---- training step and prediction ------------------------------------------------------
constexpr std::size_t kBatch = 64;

template <std::size_t In>
void BM_TrainStepFirmnet(benchmark::State& state) {
  using Net = firmnet::TwoLayerNet<In, 128, 10, kBatch>;
  auto net = std::make_unique<Net>();
  firmnet::Rng rng(1);
  net->init(rng, firmnet::InitRule::gaussian(1e-3));
  firmnet::Sgd<float> sgd({1e-3f, 0.f, 1.f});
  firmnet::Trainer<Net, firmnet::SoftmaxCrossEntropy, firmnet::Sgd<float>> trainer(*net, sgd, 1e-3f);
  const auto x = filled(kBatch * In, 4);
  std::vector<firmnet::Label> y(kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) y[i] = firmnet::Label(i % 10);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step(firmnet::ConstView<float, In>(x.data(), kBatch), y.data()));
  state.counters["images/s"] = benchmark::Counter(double(kBatch), benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t In>
void BM_TrainStepFirmnetTwoThreads(benchmark::State& state) {
  static firmnet::kernels::ThreadPool pool(2);
  firmnet::kernels::set_gemm_thread_pool(&pool);
  BM_TrainStepFirmnet<In>(state);
  firmnet::kernels::set_gemm_thread_pool(nullptr);
}

template <std::size_t In>
void BM_TrainStepCblas(benchmark::State& state) {
  bench::CblasTwoLayerNet net(In, 128, 10, kBatch);
  const auto x = filled(kBatch * In, 4);
  std::vector<unsigned char> y(kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) y[i] = static_cast<unsigned char>(i % 10);
  for (auto _ : state) benchmark::DoNotOptimize(net.step(x.data(), y.data(), 1e-3f, 1e-3f));
  state.counters["images/s"] = benchmark::Counter(double(kBatch), benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t In>
void BM_PredictFirmnet(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  using Net = firmnet::TwoLayerNet<In, 128, 10, kBatch>;
  auto net = std::make_unique<Net>();
  firmnet::Rng rng(1);
  net->init(rng, firmnet::InitRule::gaussian(1e-3));
  const auto x = filled(kBatch * In, 5);
  firmnet::Label out[kBatch];
  for (auto _ : state) {
    net->predict(firmnet::ConstView<float, In>(x.data(), rows), out);
    benchmark::DoNotOptimize(out);
  }
  state.counters["images/s"] = benchmark::Counter(double(rows), benchmark::Counter::kIsIterationInvariantRate);
}

template <std::size_t In>
void BM_PredictCblas(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  bench::CblasTwoLayerNet net(In, 128, 10, kBatch);
  const auto x = filled(kBatch * In, 5);
  for (auto _ : state) benchmark::DoNotOptimize(net.forward(x.data(), rows));
  state.counters["images/s"] = benchmark::Counter(double(rows), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

// Here, in the baseline translation unit: never in one compiled with -mavx512f.
bool bench::cpu_has_avx512() { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"); }
bool bench::cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool bench::cpu_has_avx512vnni() { return bench::cpu_has_avx512() && __builtin_cpu_supports("avx512vnni"); }
bool bench::cpu_has_x86_64_v3() { return __builtin_cpu_supports("x86-64-v3"); }
bool bench::cpu_has_x86_64_v4() { return __builtin_cpu_supports("x86-64-v4"); }

namespace {

// ---- int8 --------------------------------------------------------------------------------
// A quantized two-layer net with the model's shapes: random int8 weights and in-range
// requantization (the values do not change the speed).
template <std::size_t In>
struct QuantizedBenchNet {
  std::vector<std::int8_t> w1 = ints<std::int8_t>(In * 128, -127, 127), w2 = ints<std::int8_t>(128 * 10, -127, 127);
  std::vector<std::int32_t> b1 = ints<std::int32_t>(128, -1000, 1000), b2 = ints<std::int32_t>(10, -1000, 1000);
  std::vector<std::int32_t> m1 = std::vector<std::int32_t>(128, 1 << 30), s1 = std::vector<std::int32_t>(128, -12);
  std::vector<std::int32_t> m2 = std::vector<std::int32_t>(10, 1 << 30), s2 = std::vector<std::int32_t>(10, -10);
  std::vector<std::int8_t> p1 = packed(w1, In, 128), p2 = packed(w2, 128, 10);
  using Net = firmnet::quant::QNetworkFor<firmnet::TwoLayerNet<In, 128, 10, 1>>;
  Net net{{{{p1.data(), b1.data(), m1.data(), s1.data(), 0, 0, 0, 255},
            {p2.data(), b2.data(), m2.data(), s2.data(), 0, 128, 0, 255}}}};
  static std::vector<std::int8_t> packed(const std::vector<std::int8_t>& rows, std::size_t in, std::size_t out) {
    std::vector<std::int8_t> p(firmnet::kernels::qpacked_size(in, out));
    firmnet::kernels::qpack_weights(rows.data(), in, out, p.data());
    return p;
  }
  template <class T>
  static std::vector<T> ints(std::size_t n, int lo, int hi) {
    std::vector<T> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(lo + int((i * 2654435761u) % unsigned(hi - lo + 1)));
    return v;
  }
};

template <std::size_t In>
void BM_QuantizedPredict(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  QuantizedBenchNet<In> q;
  const auto pixels = QuantizedBenchNet<In>::template ints<std::uint8_t>(rows * In, 0, 255);
  typename QuantizedBenchNet<In>::Net::Workspace ws;
  std::uint8_t logits[10];
  for (auto _ : state) {
    for (std::size_t r = 0; r < rows; ++r) benchmark::DoNotOptimize(q.net.predict(pixels.data() + r * In, logits, ws));
    benchmark::ClobberMemory();
  }
  state.counters["images/s"] = benchmark::Counter(double(rows), benchmark::Counter::kIsIterationInvariantRate);
}

// int8 products of the model's layers: rows x (out, in), all rows in one call (packed weights,
// kernels/qgemm_ref.hpp); GOP/s counts a multiply-add as 2.
void BM_QGemv(benchmark::State& state, std::size_t rows, std::size_t out, std::size_t in, bool reference) {
  const std::size_t in4 = firmnet::kernels::qpad4(in), out4 = firmnet::kernels::qpad4(out);
  const auto x = QuantizedBenchNet<1>::ints<std::uint8_t>(rows * in4, 0, 255);
  const auto w = QuantizedBenchNet<1>::ints<std::int8_t>(out * in, -127, 127);
  std::vector<std::int8_t> packed(firmnet::kernels::qpacked_size(in, out));
  firmnet::kernels::qpack_weights(w.data(), in, out, packed.data());
  std::vector<std::int32_t> acc(rows * out4);
  for (auto _ : state) {
    if (reference) firmnet::kernels::qgemm_u8s8_s32_ref(x.data(), in4, rows, packed.data(), in, out, acc.data(), out4);
    else firmnet::kernels::qgemm_u8s8_s32(x.data(), in4, rows, packed.data(), in, out, acc.data(), out4);
    benchmark::DoNotOptimize(acc.data());
    benchmark::ClobberMemory();
  }
  state.counters["GOPS"] = benchmark::Counter(2e-9 * double(rows * out * in), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  bench::register_net_benchmarks();
  if (bench::cpu_has_avx512()) benchmark::RegisterBenchmark("BM_FmaPeak/avx512", BM_FmaPeak, bench::fma_peak_avx512);
  if (bench::cpu_has_avx2()) benchmark::RegisterBenchmark("BM_FmaPeak/avx2", BM_FmaPeak, bench::fma_peak_avx2);
  for (const GemmCase& c : bench::kGemmCases) {
    const std::string shape = c.name;
    benchmark::RegisterBenchmark(("BM_Gemm/firmnet/" + shape).c_str(), BM_Gemm<firmnet_gemm>, c);
    benchmark::RegisterBenchmark(("BM_Gemm/openblas/" + shape).c_str(), BM_Gemm<openblas_gemm>, c);
    if (bench::cpu_has_x86_64_v3())
      benchmark::RegisterBenchmark(("BM_Gemm/eigen_v3/" + shape).c_str(), BM_Gemm<bench::v3::eigen_gemm>, c);
    if (bench::cpu_has_x86_64_v4())
      benchmark::RegisterBenchmark(("BM_Gemm/eigen_v4/" + shape).c_str(), BM_Gemm<bench::v4::eigen_gemm>, c);
    benchmark::RegisterBenchmark(("BM_Gemm/scalar/" + shape).c_str(), BM_Gemm<scalar_gemm>, c);
  }
  for (const GemmCase& c : bench::kGemmCases) {
    if (2.0 * double(c.m) * double(c.n) * double(c.k) < 1e7) continue;  // only the big products
    const std::string shape = c.name;
    benchmark::RegisterBenchmark(("BM_Gemm/firmnet_2t/" + shape).c_str(), BM_GemmTwoThreads<firmnet_gemm>, c)->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Gemm/openblas_2t/" + shape).c_str(), BM_GemmTwoThreads<openblas_gemm>, c)->UseRealTime();
  }
  for (const long n : {64 * 128, 64 * 3072}) {
    benchmark::RegisterBenchmark(("BM_Relu/firmnet/" + std::to_string(n)).c_str(), BM_Relu<false>)->Arg(n);
    benchmark::RegisterBenchmark(("BM_Relu/scalar/" + std::to_string(n)).c_str(), BM_Relu<true>)->Arg(n);
  }
  benchmark::RegisterBenchmark("BM_TrainStep/firmnet/3072-128-10", BM_TrainStepFirmnet<3072>);
  benchmark::RegisterBenchmark("BM_TrainStep/cblas/3072-128-10", BM_TrainStepCblas<3072>);
  benchmark::RegisterBenchmark("BM_TrainStep/firmnet/784-128-10", BM_TrainStepFirmnet<784>);
  benchmark::RegisterBenchmark("BM_TrainStep/cblas/784-128-10", BM_TrainStepCblas<784>);
  benchmark::RegisterBenchmark("BM_TrainStep/firmnet_2t/3072-128-10", BM_TrainStepFirmnetTwoThreads<3072>)->UseRealTime();
  benchmark::RegisterBenchmark("BM_TrainStep/firmnet_2t/784-128-10", BM_TrainStepFirmnetTwoThreads<784>)->UseRealTime();
  benchmark::RegisterBenchmark("BM_CoreRoundTrip/firmnet_2t", BM_CoreRoundTrip)->UseRealTime();
  if (bench::cpu_has_avx512vnni()) benchmark::RegisterBenchmark("BM_VnniPeak", BM_VnniPeak);
  for (const auto& [name, rows, out, in] : {std::tuple{"1x128x3072", 1, 128, 3072}, std::tuple{"1x128x784", 1, 128, 784},
                                             std::tuple{"1x10x128", 1, 10, 128}, std::tuple{"64x128x3072", 64, 128, 3072},
                                             std::tuple{"64x128x784", 64, 128, 784}}) {
    benchmark::RegisterBenchmark((std::string("BM_QGemv/firmnet/") + name).c_str(), BM_QGemv, rows, out, in, false);
    benchmark::RegisterBenchmark((std::string("BM_QGemv/scalar/") + name).c_str(), BM_QGemv, rows, out, in, true);
  }
  for (const long rows : {1, 64}) {
    const std::string b = "/batch" + std::to_string(rows);
    benchmark::RegisterBenchmark(("BM_QuantizedPredict/firmnet/3072-128-10" + b).c_str(), BM_QuantizedPredict<3072>)->Arg(rows);
    benchmark::RegisterBenchmark(("BM_QuantizedPredict/firmnet/784-128-10" + b).c_str(), BM_QuantizedPredict<784>)->Arg(rows);
    benchmark::RegisterBenchmark(("BM_Predict/firmnet/3072-128-10" + b).c_str(), BM_PredictFirmnet<3072>)->Arg(rows);
    benchmark::RegisterBenchmark(("BM_Predict/cblas/3072-128-10" + b).c_str(), BM_PredictCblas<3072>)->Arg(rows);
    benchmark::RegisterBenchmark(("BM_Predict/firmnet/784-128-10" + b).c_str(), BM_PredictFirmnet<784>)->Arg(rows);
    benchmark::RegisterBenchmark(("BM_Predict/cblas/784-128-10" + b).c_str(), BM_PredictCblas<784>)->Arg(rows);
  }
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);  // every comparison is single-threaded, like firmnet's kernels
  benchmark::AddCustomContext("firmnet_gemm", firmnet::kernels::gemm_active().name);
  const auto& l1 = firmnet::kernels::gemm_l1();  // the L1 the GEMM plans for (CPUID or FIRMNET_L1D)
  benchmark::AddCustomContext("firmnet_l1d", std::to_string(l1.bytes / 1024) + " KiB " + std::to_string(l1.ways) + "-way");
  benchmark::AddCustomContext("firmnet_relu", firmnet::kernels::elementwise_active().name);
  benchmark::AddCustomContext("firmnet_int8", firmnet::kernels::qgemm_name());
  benchmark::AddCustomContext("openblas", openblas_get_config());
  if (bench::cpu_has_x86_64_v3()) benchmark::AddCustomContext("eigen_v3_simd", bench::v3::eigen_simd());
  if (bench::cpu_has_x86_64_v4()) benchmark::AddCustomContext("eigen_v4_simd", bench::v4::eigen_simd());
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
