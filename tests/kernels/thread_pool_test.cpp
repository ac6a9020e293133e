// kernels/thread_pool.hpp: every part runs once per job, jobs follow each other, and a GEMM split
// across threads gives the same bits as on one thread.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/trainer.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {
struct Counts {
  std::atomic<int> hits[4];
};
void count_part(void* context, std::size_t part, std::size_t parts) noexcept {
  auto& c = *static_cast<Counts*>(context);
  if (parts == 3 && part < 3) c.hits[part].fetch_add(1);
}
// Clears the GEMM pool even when a REQUIRE fails.
struct UsePool {
  explicit UsePool(kernels::ThreadPool* pool) { kernels::set_gemm_thread_pool(pool); }
  ~UsePool() { kernels::set_gemm_thread_pool(nullptr); }
};
}  // namespace

TEST_CASE("a pool's workers own their scratch, aligned and apart", "[kernels][threads]") {
  kernels::ThreadPool pool(3, 1000);
  for (std::size_t t = 1; t < 3; ++t) {
    const auto s = pool.scratch(t);
    REQUIRE(s.size() >= 1000);
    REQUIRE(reinterpret_cast<std::uintptr_t>(s.data()) % 64 == 0);
  }
  REQUIRE(pool.scratch(2).data() >= pool.scratch(1).data() + pool.scratch(1).size());
  REQUIRE(kernels::ThreadPool::default_scratch_floats() >= kernels::gemm_nn_scratch(4096, 4096, 4096));
}

TEST_CASE("thread pool runs every part of every job exactly once", "[kernels][threads]") {
  kernels::ThreadPool pool(3);
  REQUIRE(pool.size() == 3);
  Counts counts{};
  for (int job = 0; job < 1000; ++job) pool.run(count_part, &counts);
  for (int t = 0; t < 3; ++t) REQUIRE(counts.hits[t].load() == 1000);
  kernels::ThreadPool single(1);
  REQUIRE(single.size() == 1);
}

TEST_CASE("a GEMM split across threads gives the single-thread bits", "[kernels][threads]") {
  kernels::ThreadPool pool(2);
  struct Case {
    std::size_t m, n, k;
  };
  // All above the 16 MFLOP split threshold, split by columns (m < n) or by rows.
  for (const Case s : {Case{64, 128, 3072}, Case{3072, 128, 64}, Case{64, 784, 512}, Case{300, 400, 150}, Case{97, 515, 333}}) {
    CAPTURE(s.m, s.n, s.k);
    const auto a = test::random_vector<float>(s.m * s.k, 1);
    const auto b = test::random_vector<float>(s.k * s.n, 2);
    const auto bias = test::random_vector<float>(s.n, 3);
    std::vector<float> one(s.m * s.n), two(s.m * s.n);
    std::vector<float> scratch(std::max(kernels::gemm_nn_scratch(s.m, s.n, s.k), kernels::gemm_tn_scratch(s.m, s.n, s.k)));
    kernels::gemm_nn_bias_relu(s.m, s.n, s.k, a.data(), b.data(), bias.data(), one.data(), scratch);
    const std::size_t jobs = pool.jobs();
    {
      UsePool use(&pool);
      kernels::gemm_nn_bias_relu(s.m, s.n, s.k, a.data(), b.data(), bias.data(), two.data(), scratch);
    }
    REQUIRE(pool.jobs() == jobs + 1);  // it was split
    REQUIRE(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
    kernels::gemm_tn(s.m, s.n, s.k, a.data(), b.data(), one.data(), false, scratch);
    {
      UsePool use(&pool);
      kernels::gemm_tn(s.m, s.n, s.k, a.data(), b.data(), two.data(), false, scratch);
    }
    REQUIRE(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("convolutional training steps give the same bits with 1 and 2 threads", "[kernels][threads]") {
  using Net = Network<Train<float, 32>, Input<28, 28, 1>, Conv2d<16, 5, 5, Pad<2>>, Relu, MaxPool<2>, Conv2d<32, 3, 3, Pad<1>>,
                      Relu, MaxPool<2>, Fc<10>>;
  auto run = [](kernels::ThreadPool* pool) {
    auto net = std::make_unique<Net>();
    Rng rng(8);
    net->init(rng, InitRule::he());
    Sgd<float> sgd({0.05f, 0.f, 1.f});
    Trainer<Net, SoftmaxCrossEntropy, Sgd<float>> trainer(*net, sgd, 1e-3f);
    const auto x = test::random_vector<float>(32 * 784, 9);
    std::vector<Label> y(32);
    for (std::size_t i = 0; i < 32; ++i) y[i] = Label(i % 10);
    UsePool use(pool);
    for (int step = 0; step < 3; ++step) trainer.step(ConstView<float, 784>(x.data(), 32), y.data());
    std::vector<float> all;
    for (const auto& p : net->params()) all.insert(all.end(), p.value, p.value + p.size());
    return all;
  };
  kernels::ThreadPool pool(2);
  const auto single = run(nullptr);
  const std::size_t jobs = pool.jobs();
  const auto two = run(&pool);
  REQUIRE(pool.jobs() > jobs);  // the convolutions' products were split
  REQUIRE(single == two);
}

TEST_CASE("training steps give the same bits with 1 and 2 threads", "[kernels][threads]") {
  using Net = TwoLayerNet<3072, 128, 10, 64>;
  auto run = [](kernels::ThreadPool* pool) {
    auto net = std::make_unique<Net>();
    Rng rng(5);
    net->init(rng, InitRule::gaussian(1e-2));
    Sgd<float> sgd({0.1f, 0.f, 1.f});
    Trainer<Net, SoftmaxCrossEntropy, Sgd<float>> trainer(*net, sgd, 1e-3f);
    const auto x = test::random_vector<float>(64 * 3072, 6);
    std::vector<Label> y(64);
    for (std::size_t i = 0; i < 64; ++i) y[i] = Label(i % 10);
    UsePool use(pool);
    for (int step = 0; step < 5; ++step) trainer.step(ConstView<float, 3072>(x.data(), 64), y.data());
    const auto w1 = net->params()[0];
    return std::vector<float>(w1.value, w1.value + w1.size());
  };
  kernels::ThreadPool pool(2);
  const auto single = run(nullptr);
  const auto two = run(&pool);
  REQUIRE(pool.jobs() >= 10);  // both big GEMMs of each step were split
  REQUIRE(single == two);
}
