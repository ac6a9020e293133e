// kernels/thread_pool.hpp: every part runs once per job, jobs follow each other, and a GEMM split
// across threads gives the same bits as on one thread.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "firmnet/core/fp_mode.hpp"
#include "firmnet/kernels/conv_ref.hpp"
#include "firmnet/kernels/conv_winograd.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/im2col.hpp"
#include "firmnet/kernels/pool.hpp"
#include "firmnet/kernels/relu.hpp"
#include "firmnet/kernels/elementwise.hpp"
#include "firmnet/kernels/optim_update.hpp"
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

// A worker that is not running when its part comes (asleep after idling, descheduled by a busy
// core) does not hold the caller: the caller runs the part itself, and every part still runs once.
TEST_CASE("a part its worker has not started runs on the caller and only there", "[kernels][threads]") {
  kernels::ThreadPool pool(3);
  struct Record {
    std::thread::id caller;
    std::atomic<int> hits[3];
    std::atomic<int> on_caller{0};  // parts 1 and 2 run by the caller
  } record{std::this_thread::get_id(), {}, {}};
  auto task = [](void* context, std::size_t part, std::size_t parts) noexcept {
    auto& r = *static_cast<Record*>(context);
    if (parts != 3 || part >= 3) return;
    r.hits[part].fetch_add(1);
    if (part > 0 && std::this_thread::get_id() == r.caller) r.on_caller.fetch_add(1);
  };
  constexpr int kJobs = 60;
  for (int job = 0; job < kJobs; ++job) {
    // Every other job after a pause longer than the workers' spin: they sleep on the futex, and
    // waking one takes longer than the caller's empty part 0.
    if (job % 2 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
    pool.run(task, &record);
    for (int t = 0; t < 3; ++t) REQUIRE(record.hits[t].load() == job + 1);  // all done when run() returns
  }
  REQUIRE(record.on_caller.load() > 0);
}

TEST_CASE("parts of a job do not nest: inside a part there is no GEMM pool", "[kernels][threads]") {
  kernels::ThreadPool pool(2);
  UsePool use(&pool);
  std::atomic<int> seen_pool{0}, parts{0};
  struct Seen {
    std::atomic<int>* seen_pool;
    std::atomic<int>* parts;
  } seen{&seen_pool, &parts};
  pool.run(
      [](void* context, std::size_t, std::size_t) {
        auto& s = *static_cast<Seen*>(context);
        s.parts->fetch_add(1);
        if (kernels::gemm_thread_pool() != nullptr) s.seen_pool->fetch_add(1);
      },
      &seen);
  REQUIRE(parts.load() == 2);
  REQUIRE(seen_pool.load() == 0);                // neither the caller's part nor the worker's
  REQUIRE(kernels::gemm_thread_pool() == &pool);  // and the caller has it back afterwards
}

TEST_CASE("a job run from inside a part leaves the part without a GEMM pool", "[kernels][threads]") {
  kernels::ThreadPool pool(2), inner(1);  // inner: no workers, its job runs on the calling thread
  UsePool use(&pool);
  std::atomic<int> seen_pool{0}, parts{0};
  struct Seen {
    kernels::ThreadPool* inner;
    std::atomic<int>* seen_pool;
    std::atomic<int>* parts;
  } seen{&inner, &seen_pool, &parts};
  pool.run(
      [](void* context, std::size_t, std::size_t) {
        auto& s = *static_cast<Seen*>(context);
        s.inner->run([](void*, std::size_t, std::size_t) {}, nullptr);
        s.parts->fetch_add(1);
        if (kernels::gemm_thread_pool() != nullptr) s.seen_pool->fetch_add(1);  // the flag came back
      },
      &seen);
  REQUIRE(parts.load() == 2);
  REQUIRE(seen_pool.load() == 0);
  REQUIRE(kernels::gemm_thread_pool() == &pool);
}

TEST_CASE("part_range cuts 0..total into consecutive parts of whole units", "[kernels][threads]") {
  for (const std::size_t total : {std::size_t(0), std::size_t(1), std::size_t(100), std::size_t(128), std::size_t(1000)})
    for (const std::size_t unit : {std::size_t(1), std::size_t(16), std::size_t(48)})
      for (const std::size_t parts : {std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(7)}) {
        CAPTURE(total, unit, parts);
        std::size_t next = 0;
        for (std::size_t part = 0; part < parts; ++part) {
          const kernels::PartRange r = kernels::part_range(total, unit, part, parts);
          REQUIRE(r.first == next);
          REQUIRE(r.first <= r.last);
          if (r.last < total) REQUIRE(r.last % unit == 0);
          next = r.last;
        }
        REQUIRE(next == total);
      }
}

TEST_CASE("split_range hands every element to one call, in whole units", "[kernels][threads]") {
  kernels::ThreadPool pool(3);
  UsePool use(&pool);
  for (const std::size_t n : {std::size_t(1000), std::size_t(1024), std::size_t(70001)}) {
    CAPTURE(n);
    std::vector<std::atomic<int>> hits(n);
    std::atomic<int> calls{0};
    std::atomic<bool> aligned{true};
    const std::size_t jobs = pool.jobs();
    kernels::split_range(n, 16, 1000, [&](std::size_t first, std::size_t last) {
      calls.fetch_add(1);
      if (first % 16 != 0) aligned.store(false);
      for (std::size_t i = first; i < last; ++i) hits[i].fetch_add(1);
    });
    REQUIRE(pool.jobs() == jobs + 1);
    REQUIRE(calls.load() == 3);
    REQUIRE(aligned.load());
    REQUIRE(std::all_of(hits.begin(), hits.end(), [](const std::atomic<int>& h) { return h.load() == 1; }));
  }
  const std::size_t jobs = pool.jobs();
  int calls = 0;
  kernels::split_range(999, 16, 1000, [&](std::size_t first, std::size_t last) { calls += first == 0 && last == 999; });
  REQUIRE(calls == 1);
  REQUIRE(pool.jobs() == jobs);  // below min_split: on the caller alone
}

TEST_CASE("optimizer updates split across threads give the single-thread bits", "[kernels][threads]") {
  constexpr std::size_t n = 784 * 128 + 5;  // above the split size, not a whole number of units
  const auto w0 = test::random_vector<float>(n, 21), g = test::random_vector<float>(n, 22);
  const auto m0 = test::random_vector<float>(n, 23);
  auto v0 = test::random_vector<float>(n, 24);
  for (auto& x : v0) x = x * x;  // a second moment is >= 0
  auto run = [&](kernels::ThreadPool* pool) {
    std::vector<float> w = w0, m = m0, v = v0, w2 = w0, mom = m0;
    UsePool use(pool);
    kernels::adam(w.data(), g.data(), m.data(), v.data(), n, 0.9f, 0.999f, 1e-3f, 0.03f, 1e-8f, 0.9999f);
    kernels::sgd_momentum(w2.data(), g.data(), mom.data(), n, 0.1f, 0.9f, true);
    kernels::axpy(-0.01f, g.data(), w2.data(), n);
    std::vector<float> dw = g;
    const float sum = kernels::l2_grad_sumsq(w0.data(), 1e-3f, dw.data(), n);  // 7 chunks of the L2 sum
    w.push_back(sum);
    std::vector<float> w3 = w0, dw3 = g;
    w.push_back(kernels::l2_sgd_sumsq(w3.data(), 1e-3f, dw3.data(), n, 0.01f));  // the same chunks, and the step
    w.push_back(kernels::sumsq(w0.data(), n));                                       // the same chunks, several at once
    w.insert(w.end(), w3.begin(), w3.end());
    w.insert(w.end(), dw3.begin(), dw3.end());
    w.insert(w.end(), dw.begin(), dw.end());
    w.insert(w.end(), m.begin(), m.end());
    w.insert(w.end(), v.begin(), v.end());
    w.insert(w.end(), w2.begin(), w2.end());
    w.insert(w.end(), mom.begin(), mom.end());
    return w;
  };
  kernels::ThreadPool pool(2);
  const auto single = run(nullptr);
  const std::size_t jobs = pool.jobs();
  const auto two = run(&pool);
  REQUIRE(pool.jobs() == jobs + 6);  // both updates, the axpy, both L2 passes and the penalty were split
  REQUIRE(std::memcmp(single.data(), two.data(), single.size() * sizeof(float)) == 0);
}

// A CNN's passes over its activations, shared across the pool image by image (or in cache-line
// ranges), compute every value as one thread does: a batch of 64 images of 28x28x32 and of 14x14x64.
TEST_CASE("pooling, padding and ReLU split across threads give the single-thread bits", "[kernels][threads]") {
  for (const kernels::ConvGeometry g : {kernels::ConvGeometry{28, 28, 32, 2, 2, 2, 0}, kernels::ConvGeometry{14, 14, 64, 2, 2, 2, 0}}) {
    constexpr std::size_t batch = 64;
    const std::size_t in = batch * g.h * g.w * g.c, out = batch * g.oh() * g.ow() * g.c;
    const kernels::ConvGeometry padding{g.h, g.w, g.c, 5, 5, 1, 2};
    const std::size_t padded = batch * (g.h + 4) * (g.w + 4) * g.c;
    const auto x = test::random_vector<float>(in, 31), dy = test::random_vector<float>(out, 32);
    const auto dz = test::random_vector<float>(in, 33);
    auto run = [&](kernels::ThreadPool* pool) {
      UsePool use(pool);
      std::vector<float> y(out), dx(in), r(in), dr(in), p(padded);
      kernels::maxpool_fwd(g, batch, x.data(), y.data());
      kernels::maxpool_bwd(g, batch, x.data(), y.data(), dy.data(), dx.data());
      kernels::relu_fwd(x.data(), r.data(), in);
      kernels::relu_bwd(x.data(), dz.data(), dr.data(), in);
      kernels::pad_images(padding, x.data(), batch, p.data());
      for (auto* v : {&dx, &r, &dr, &p}) y.insert(y.end(), v->begin(), v->end());
      return y;
    };
    kernels::ThreadPool pool(2);
    const auto one = run(nullptr);
    const std::size_t jobs = pool.jobs();
    const auto two = run(&pool);
    REQUIRE(pool.jobs() == jobs + 5);  // each pass was split
    REQUIRE(one.size() == two.size());
    REQUIRE(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
  }
}

TEST_CASE("a GEMM split across threads gives the single-thread bits", "[kernels][threads]") {
  kernels::ThreadPool pool(2);
  struct Case {
    std::size_t m, n, k;
  };
  // All above the 4 MFLOP split threshold, split by columns (m < n, or m >= n where columns split
  // more evenly: 256 rows and 150) or by rows (m >= n, or m < n where rows split more evenly:
  // 96 rows as 48 + 48 against 100 columns as 64 + 36); the Fashion-MNIST layer's forward and
  // weight gradient (12.8 MFLOP) among them.
  for (const Case s : {Case{64, 128, 3072}, Case{3072, 128, 64}, Case{64, 784, 512}, Case{300, 400, 150}, Case{97, 515, 333},
                       Case{64, 128, 784}, Case{784, 128, 64}, Case{256, 256, 256}, Case{150, 130, 200},
                       Case{96, 100, 300}}) {
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

// The forward of a large dense layer runs its two halves of k on threads 0 and 1 at once (and
// any third thread idles): the bits of one thread, with and without ReLU, batch 64 and batch 1.
TEST_CASE("a product in two halves of k gives the single-thread bits on 2 and 3 threads", "[kernels][threads]") {
  struct Case {
    std::size_t m, n, k;
    bool split;  // 4 MFLOP or more: the halves run at once
  };
  for (const Case s : {Case{64, 128, 784, true}, Case{64, 128, 3072, true}, Case{33, 100, 701, true}, Case{1, 128, 784, false},
                       Case{5, 512, 130, false}}) {
    for (const bool relu : {false, true}) {
      CAPTURE(s.m, s.n, s.k, relu);
      const auto a = test::random_vector<float>(s.m * s.k, 4);
      const auto b = test::random_vector<float>(s.k * s.n, 5);
      const auto bias = test::random_vector<float>(s.n, 6);
      std::vector<float> scratch(kernels::gemm_nn_halves_scratch(s.m, s.n, s.k));
      auto run = [&](kernels::ThreadPool* pool) {
        UsePool use(pool);
        std::vector<float> c(s.m * s.n);
        kernels::gemm_nn_bias_halves(s.m, s.n, s.k, a.data(), b.data(), bias.data(), relu, c.data(), scratch);
        return c;
      };
      const auto one = run(nullptr);
      for (const std::size_t threads : {2, 3}) {
        kernels::ThreadPool pool(threads);
        const auto many = run(&pool);
        REQUIRE(pool.jobs() == (s.split ? 1u : 0u));
        REQUIRE(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)) == 0);
      }
    }
  }
}

// A convolution's weight gradient splits across the pool by rows of dw: a first layer's few rows
// (5x5 on 1 channel is 25) in whole window rows, each tiled as on one thread; so do segments that
// are not a multiple of 16 rows (5x5 on 10 channels: 50 rows, where a 48-row cut left a 6-row piece
// whose tiles summed alternate pixels in two sets, unlike the whole segment's).
TEST_CASE("a pool's workers compute in the caller's floating-point mode", "[kernels][threads]") {
  struct Products {
    float in[2] = {1e-20f, 1e-20f};
    float out[2] = {-1.0f, -1.0f};
  };
  // 1e-20 squared is 1e-40, a subnormal float: kept, or flushed to zero under FlushSubnormals.
  auto square = [](void* context, std::size_t part, std::size_t) noexcept {
    auto& p = *static_cast<Products*>(context);
    volatile float a = p.in[part];
    p.out[part] = a * a;
  };
  kernels::ThreadPool pool(2);
  Products kept, flushed, after;
  pool.run(square, &kept);
  {
    const FlushSubnormals flush;
    pool.run(square, &flushed);
  }
  pool.run(square, &after);
  const bool flushes = fp_mode_flushing(0) != 0;  // x86 and aarch64
  for (std::size_t t = 0; t < 2; ++t) {
    CAPTURE(t);
    REQUIRE(kept.out[t] > 0.0f);
    REQUIRE(kept.out[t] < 1e-38f);
    REQUIRE((flushed.out[t] == 0.0f) == flushes);
    REQUIRE(after.out[t] == kept.out[t]);  // the mode was restored, on the workers too
  }
}

TEST_CASE("a convolution's weight gradient splits across threads with the single-thread bits", "[kernels][threads]") {
  struct Case {
    kernels::ConvGeometry g;
    std::size_t k;  // output channels
  };
  for (const Case t : {Case{{28, 28, 1, 5, 5, 1, 2}, 32}, Case{{17, 13, 3, 3, 3, 1, 1}, 16}, Case{{32, 32, 1, 3, 3, 2, 1}, 16},
                       Case{{10, 10, 10, 5, 5, 1, 2}, 16}, Case{{14, 14, 32, 5, 5, 1, 2}, 64}}) {
    const kernels::ConvGeometry& g = t.g;
    CAPTURE(g.h, g.w, g.c, g.kh, g.stride, t.k);
    constexpr std::size_t batch = 64;
    const std::size_t pixels = batch * g.oh() * g.ow(), hp = g.h + 2 * g.pad, wp = g.w + 2 * g.pad;
    const auto x = test::random_vector<float>(batch * g.h * g.w * g.c, 51);
    const auto dz = test::random_vector<float>(pixels * t.k, 52);
    std::vector<float> padded(batch * hp * wp * g.c);
    kernels::pad_images(g, x.data(), batch, padded.data());
    const kernels::ConvSource cols{g, padded.data(), true, true};
    auto run = [&](kernels::ThreadPool* pool) {
      UsePool use(pool);
      std::vector<float> dw(g.patch() * t.k), scratch(kernels::gemm_conv_scratch(g.patch(), t.k, pixels));
      kernels::gemm_conv_tn(cols, g.patch(), t.k, pixels, dz.data(), dw.data(), false, scratch);
      return dw;
    };
    const auto one = run(nullptr);
    kernels::ThreadPool pool(2);
    const auto two = run(&pool);
    REQUIRE(pool.jobs() == 1);  // it was split
    REQUIRE(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
    // And the values: the reference loops in double, within 1e-5 of the sum of |products|.
    std::vector<double> xd(x.begin(), x.end()), dzd(dz.begin(), dz.end()), w(g.patch() * t.k), want(one.size()),
        scale(one.size()), db(t.k);
    kernels::conv2d_bwd_ref<double>(g, batch, t.k, xd.data(), w.data(), dzd.data(), want.data(), db.data(), nullptr);
    for (double& v : xd) v = std::fabs(v);
    for (double& v : dzd) v = std::fabs(v);
    kernels::conv2d_bwd_ref<double>(g, batch, t.k, xd.data(), w.data(), dzd.data(), scale.data(), db.data(), nullptr);
    for (std::size_t i = 0; i < want.size(); ++i) REQUIRE(std::fabs(one[i] - want[i]) <= 1e-5 * scale[i]);
  }
}

TEST_CASE("Winograd's convolution and weight gradient split across threads with the single-thread bits",
          "[kernels][threads]") {
  struct Case {
    kernels::ConvGeometry g;
    std::size_t k;  // output channels
  };
  // F(2x2, 5x5) on the 5x5 net's second layer; F(4x4, 3x3) on odd sizes, 48 channels (dw in
  // parts of 32 and 16 channels).
  for (const Case t : {Case{{14, 14, 32, 5, 5, 1, 2}, 64}, Case{{9, 11, 48, 3, 3, 1, 1}, 16}}) {
    const kernels::ConvGeometry& g = t.g;
    CAPTURE(g.h, g.w, g.c, g.kh, t.k);
    REQUIRE(kernels::winograd_fits(g, t.k));
    constexpr std::size_t batch = 64;
    const auto x = test::random_vector<float>(batch * g.h * g.w * g.c, 53);
    const auto w = test::random_vector<float>(g.patch() * t.k, 54);
    const auto bias = test::random_vector<float>(t.k, 55);
    const auto dz = test::random_vector<float>(batch * g.oh() * g.ow() * t.k, 56);
    auto run = [&](kernels::ThreadPool* pool) {
      UsePool use(pool);
      std::vector<float> u(kernels::winograd_weight_floats(g, t.k)), scratch(kernels::winograd_scratch(g, t.k));
      std::vector<float> y(batch * g.oh() * g.ow() * t.k), dw(g.patch() * t.k);
      kernels::conv_winograd_weights(g, t.k, w.data(), u.data());
      kernels::conv_winograd({g, t.k, batch, x.data(), u.data(), bias.data(), true, y.data()}, scratch);
      kernels::conv_winograd_dw({g, t.k, batch, x.data(), dz.data(), dw.data()}, u.data(), scratch);
      y.insert(y.end(), dw.begin(), dw.end());
      return y;
    };
    const auto one = run(nullptr);
    kernels::ThreadPool pool(2);
    const auto two = run(&pool);
    REQUIRE(pool.jobs() == 2);  // both were split
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
    // Full batches, an odd one (halves of 16 and 15 rows) and a single row (no second half).
    for (const std::size_t rows : {32, 32, 31, 1, 32})
      trainer.step(ConstView<float, 784>(x.data(), rows), y.data());
    std::vector<float> all;
    for (const auto& p : net->params()) all.insert(all.end(), p.value, p.value + p.size());
    return all;
  };
  kernels::ThreadPool pool(2);
  const auto single = run(nullptr);
  const std::size_t jobs = pool.jobs();
  const auto two = run(&pool);
  REQUIRE(pool.jobs() > jobs);  // the halves of the batch ran on both threads
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
