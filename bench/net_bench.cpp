// Network benchmarks of firmnet_bench: a training step (batch 64: forward, softmax cross-entropy,
// backward, SGD) and batch-1 inference of the nets bench/torch_peer.py runs in PyTorch, and the
// convolution layers alone (forward; backward with dL/dx), in GFLOP/s.
//   BM_NetTrainStep/firmnet[_2t]/<net>    BM_NetPredict/firmnet/<net>/batch1
//   BM_Conv/firmnet/<fwd|bwd>/<layer>
// Nets: mlp_784_128_10, cnn_small (conv3x3x16 p1, pool, conv3x3x32 p1, pool, fc10), cnn_3x3
// (32/64 channels), cnn_5x5 (conv5x5x32 p2, pool, conv5x5x64 p2, pool, fc10), on 28x28x1 images.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/train/trainer.hpp"

namespace {

using namespace firmnet;
constexpr std::size_t kBatch = 64;

using Mlp = Stack<Input<784>, Fc<128>, Relu, Fc<10>>;
using CnnSmall = Stack<Input<28, 28, 1>, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<32, 3, 3, Pad<1>>, Relu,
                       MaxPool<2>, Fc<10>>;
using Cnn3x3 = Stack<Input<28, 28, 1>, Conv2d<32, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<64, 3, 3, Pad<1>>, Relu,
                     MaxPool<2>, Fc<10>>;
using Cnn5x5 = Stack<Input<28, 28, 1>, Conv2d<32, 5, 5, Pad<2>>, Relu, MaxPool<2>, Conv2d<64, 5, 5, Pad<2>>, Relu,
                     MaxPool<2>, Fc<10>>;

std::vector<float> normals(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal());
  return v;
}

template <class S>
void BM_NetTrainStep(benchmark::State& state, int threads) {
  using Net = typename S::template Bind<Train<float, kBatch>>;
  std::unique_ptr<kernels::ThreadPool> pool;
  if (threads > 1) {
    pool = std::make_unique<kernels::ThreadPool>(threads);
    kernels::set_gemm_thread_pool(pool.get());
  }
  auto net = std::make_unique<Net>();
  Rng rng(1);
  net->init(rng, InitRule::he());
  auto sgd = std::make_unique<Sgd<float>>(SgdConfig<float>{1e-3f, 0.f, 1.f});
  auto trainer = std::make_unique<Trainer<Net, SoftmaxCrossEntropy, Sgd<float>>>(*net, *sgd, 1e-3f);
  const auto x = normals(kBatch * Net::kInputs, 2);
  std::vector<Label> y(kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) y[i] = Label(i % 10);
  for (auto _ : state) benchmark::DoNotOptimize(trainer->step(ConstView<float, Net::kInputs>(x.data(), kBatch), y.data()));
  state.counters["images/s"] = benchmark::Counter(double(kBatch), benchmark::Counter::kIsIterationInvariantRate);
  kernels::set_gemm_thread_pool(nullptr);
}

template <class S>
void BM_NetPredict(benchmark::State& state) {
  using Net = typename S::template Bind<Infer<float, 1>>;
  auto net = std::make_unique<Net>();
  for (const auto& p : net->params()) {
    const auto v = normals(p.size(), 3);
    std::copy(v.begin(), v.end(), p.value);
  }
  auto ws = std::make_unique<typename Net::Workspace>();
  const auto x = normals(Net::kInputs, 4);
  Label out;
  for (auto _ : state) {
    net->predict(ConstView<float, Net::kInputs>(x.data(), 1), &out, *ws);
    benchmark::DoNotOptimize(out);
  }
}

// The same nets in int8 (quant/qnetwork.hpp: conv + pooling fused), quantized from random He
// weights calibrated on random images: the work per image is that of a trained model.
template <class S>
void BM_QNetPredict(benchmark::State& state) {
  using Net = typename S::template Bind<Train<float, 16>>;
  using Q = quant::QNetworkFor<Net>;
  auto net = std::make_unique<Net>();
  Rng rng(3);
  net->init(rng, InitRule::he());
  std::vector<std::uint8_t> pixels(64 * Net::kInputs);
  std::vector<Label> labels(64, 0);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng.below(256));
  const ImageSet images{pixels.data(), labels.data(), 64, Net::kInputs};
  auto norm = std::make_unique<Normalizer<Net::kInputs>>();
  norm->fit_level(images);
  auto scratch = std::make_unique<Matrix<float, 16, Net::kInputs>>();
  quant::QuantizedModel model = quant::quantize(*net, *norm, images, *scratch);
  const Q q = quant::bind<Q>(model);
  auto ws = std::make_unique<typename Q::Workspace>();
  std::uint8_t logits[Q::kClasses];
  for (auto _ : state) benchmark::DoNotOptimize(q.predict(pixels.data(), logits, *ws));
  state.SetLabel(kernels::qgemm_name());
}

// One convolution layer on a batch of 64: forward, or backward (dL/dw, and dL/dx unless it is a
// first layer, as in the nets).
template <class InShape, std::size_t K, std::size_t KH, bool Backward, bool GradInput = true>
void BM_Conv(benchmark::State& state) {
  using L = Conv2dLayer<Bind<Train<float, kBatch>, InShape, GradInput, true>, K, KH, KH, 1, KH / 2>;
  auto layer = std::make_unique<L>();
  const auto w = normals(L::kPatch * K, 5);
  std::copy(w.begin(), w.end(), layer->w.data());
  const auto x = normals(kBatch * L::kIn, 6);
  std::vector<float> y(kBatch * L::kOut), dy = normals(kBatch * L::kOut, 7), dx(kBatch * L::kIn), scratch(L::kScratch + 1);
  layer->forward(ConstView<float, L::kIn>(x.data(), kBatch), View<float, L::kOut>(y.data(), kBatch), scratch);
  for (auto _ : state) {
    if constexpr (Backward)
      layer->backward(ConstView<float, L::kIn>(x.data(), kBatch), ConstView<float, L::kOut>(y.data(), kBatch),
                      View<float, L::kOut>(dy.data(), kBatch), View<float, L::kIn>(dx.data(), kBatch), scratch);
    else
      layer->forward(ConstView<float, L::kIn>(x.data(), kBatch), View<float, L::kOut>(y.data(), kBatch), scratch);
    benchmark::ClobberMemory();
  }
  const double macs = double(kBatch) * double(L::kPixels) * double(K) * double(L::kPatch);  // one product
  state.counters["GFLOPS"] =
      benchmark::Counter(2e-9 * macs * (Backward ? (GradInput ? 2 : 1) : 1), benchmark::Counter::kIsIterationInvariantRate);
}

template <class S>
void register_net(const std::string& name) {
  benchmark::RegisterBenchmark(("BM_NetTrainStep/firmnet/" + name).c_str(), BM_NetTrainStep<S>, 1)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_NetTrainStep/firmnet_2t/" + name).c_str(), BM_NetTrainStep<S>, 2)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_NetPredict/firmnet/" + name + "/batch1").c_str(), BM_NetPredict<S>);
  benchmark::RegisterBenchmark(("BM_NetPredict/firmnet_int8/" + name + "/batch1").c_str(), BM_QNetPredict<S>);
}

}  // namespace

namespace bench {
void register_net_benchmarks() {
  register_net<Mlp>("mlp_784_128_10");
  register_net<CnnSmall>("cnn_small");
  register_net<Cnn3x3>("cnn_3x3");
  register_net<Cnn5x5>("cnn_5x5");
  benchmark::RegisterBenchmark("BM_Conv/firmnet/fwd/28x28x1_5x5x32", BM_Conv<Shape<28, 28, 1>, 32, 5, false>);
  benchmark::RegisterBenchmark("BM_Conv/firmnet/bwd/28x28x1_5x5x32", BM_Conv<Shape<28, 28, 1>, 32, 5, true, false>);
  benchmark::RegisterBenchmark("BM_Conv/firmnet/fwd/14x14x32_5x5x64", BM_Conv<Shape<14, 14, 32>, 64, 5, false>);
  benchmark::RegisterBenchmark("BM_Conv/firmnet/bwd/14x14x32_5x5x64", BM_Conv<Shape<14, 14, 32>, 64, 5, true>);
  benchmark::RegisterBenchmark("BM_Conv/firmnet/fwd/14x14x16_3x3x32", BM_Conv<Shape<14, 14, 16>, 32, 3, false>);
  benchmark::RegisterBenchmark("BM_Conv/firmnet/bwd/14x14x16_3x3x32", BM_Conv<Shape<14, 14, 16>, 32, 3, true>);
}
}  // namespace bench
