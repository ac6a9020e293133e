// train/: sampler, the training step, batch sources and the fit loop.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "firmnet/kernels/thread_pool.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/optim/runtime_optimizer.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"
#include "support/random.hpp"

using namespace firmnet;

TEST_CASE("sampler: 781 batches of 64 from 50000 images, remainder dropped or kept", "[train][sampler]") {
  std::vector<std::uint32_t> storage(50000);
  ShufflingSampler drop(storage, 64, false, 1);
  REQUIRE(drop.batches_per_epoch() == 781);
  ShufflingSampler keep(storage, 64, true, 1);
  REQUIRE(keep.batches_per_epoch() == 782);
  keep.start_epoch();
  REQUIRE(keep.batch(781).size() == 50000 - 781 * 64);
}

TEST_CASE("sampler: each epoch is a permutation, reshuffled, reproducible from the seed", "[train][sampler]") {
  std::vector<std::uint32_t> s1(1000), s2(1000);
  ShufflingSampler a(s1, 10, true, 7), b(s2, 10, true, 7);
  a.start_epoch();
  b.start_epoch();
  REQUIRE(s1 == s2);
  std::vector<std::uint32_t> sorted = s1;
  std::sort(sorted.begin(), sorted.end());
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
  std::vector<std::uint32_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0u);
  REQUIRE(s1 != identity);
  const auto first_epoch = s1;
  a.start_epoch();
  REQUIRE(s1 != first_epoch);
  ShufflingSampler c(s2, 10, true, 8);
  c.start_epoch();
  REQUIRE(s2 != first_epoch);
}

TEST_CASE("rng: fixed outputs for a fixed seed (cross-platform contract)", "[core][rng]") {
  // These values pin the generator: if they change, every seeded run changes.
  Rng rng(0);
  REQUIRE(rng.next_u64() == 0x99EC5F36CB75F2B4ull);
  REQUIRE(rng.next_u64() == 0xBF6E1F784956452Aull);
  Rng r2(12345);
  for (int i = 0; i < 1000; ++i) REQUIRE(r2.below(10) < 10);
  const auto snap = r2.snapshot();
  const double n1 = r2.normal();
  r2.restore(snap);
  REQUIRE(r2.normal() == n1);
}

namespace {

// A learnable toy problem: class = index of the brightest of 4 pixel groups.
struct ToyData {
  static constexpr std::size_t kDim = 16;
  std::vector<std::uint8_t> pixels;
  std::vector<Label> labels;
  explicit ToyData(std::size_t n, std::uint64_t seed) : pixels(n * kDim), labels(n) {
    Rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
      labels[i] = static_cast<Label>(rng.below(4));
      for (std::size_t j = 0; j < kDim; ++j)
        pixels[i * kDim + j] = static_cast<std::uint8_t>(rng.below(120) + (j / 4 == labels[i] ? 120 : 0));
    }
  }
  ImageSet view() const { return {pixels.data(), labels.data(), labels.size(), kDim}; }
};

using ToyNet = TwoLayerNet<16, 8, 4, 32>;

struct RecordingObserver {
  ToyNet* net = nullptr;
  const Normalizer<16>* norm = nullptr;
  const ImageSet* val = nullptr;
  Matrix<float, 32, 16>* scratch = nullptr;
  std::vector<double> losses;
  std::vector<double> val_accuracy;
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double loss) { losses.push_back(loss); }
  bool on_epoch_end(std::size_t) {
    val_accuracy.push_back(check_accuracy(*net, *norm, *val, *scratch));
    return true;
  }
};

struct ToyRun {
  RecordingObserver observer;
  FitResult result;
  std::vector<float> w1;
};

ToyRun train_toy(std::uint64_t seed, float lr) {
  static ToyData train(600, 1), val(200, 2);
  static ToyNet net;
  static Normalizer<16> norm;
  static Matrix<float, 32, 16> scratch;
  static const ImageSet val_set = val.view();
  Rng rng(seed);
  net.init(rng, InitRule::gaussian(0.1));
  norm.fit(train.view());
  Sgd<float> sgd({lr, 0.f, 0.95f});
  Trainer<ToyNet, SoftmaxCrossEntropy, Sgd<float>> trainer(net, sgd, 1e-3f);
  std::vector<std::uint32_t> order(train.labels.size());
  ShufflingSampler sampler(order, 32, false, seed + 1);
  ImageBatches<16> batches(train.view(), norm, sampler);
  ToyRun run;
  run.observer = {&net, &norm, &val_set, &scratch, {}, {}};
  run.result = fit(trainer, batches, FitOptions{5, 0}, run.observer);
  const auto w1 = net.params()[0];
  run.w1.assign(w1.value, w1.value + w1.size());
  return run;
}

}  // namespace

TEST_CASE("fit: the loss falls and the toy problem is learned", "[train][fit]") {
  const ToyRun run = train_toy(3, 0.5f);
  REQUIRE(run.result.status == FitStatus::done);
  REQUIRE(run.observer.losses.size() == 5 * (600 / 32));
  REQUIRE(run.observer.val_accuracy.size() == 5);
  REQUIRE(run.observer.losses.front() == Approx(std::log(4.0)).epsilon(0.05));
  REQUIRE(run.observer.losses.back() < 0.5 * run.observer.losses.front());
  REQUIRE(run.observer.val_accuracy.back() > 0.9);
}

TEST_CASE("fit: the same seed gives the same bits", "[train][fit]") {
  const ToyRun a = train_toy(11, 0.5f);
  const ToyRun b = train_toy(11, 0.5f);
  REQUIRE(a.observer.losses == b.observer.losses);
  REQUIRE(a.w1 == b.w1);
  const ToyRun c = train_toy(12, 0.5f);
  REQUIRE(a.w1 != c.w1);
}

TEST_CASE("fit: a diverging loss stops the run before the weights are updated", "[train][fit]") {
  const ToyRun run = train_toy(5, 1e30f);
  REQUIRE(run.result.status == FitStatus::non_finite_loss);
  REQUIRE_FALSE(std::isfinite(run.result.loss));
}

TEST_CASE("trainer: a non-finite loss leaves the weights unchanged", "[train]") {
  static LinearClassifier<4, 3, 2> model;
  Rng rng(1);
  model.init(rng, InitRule::gaussian(0.1));
  const auto before = model.layer<0>().w;
  Sgd<float> sgd({0.1f, 0.f, 1.f});
  Trainer<LinearClassifier<4, 3, 2>, SoftmaxCrossEntropy, Sgd<float>> trainer(model, sgd, 0.f);
  const float x[8] = {1, 2, std::numeric_limits<float>::quiet_NaN(), 0, 1, 1, 1, 1};
  const Label y[2] = {0, 1};
  const auto step = trainer.step(ConstView<float, 4>(x, 2), y);
  REQUIRE_FALSE(step.finite);
  for (std::size_t i = 0; i < 12; ++i) REQUIRE(model.layer<0>().w.storage[i] == before.storage[i]);
}

namespace {
// Forward, the data loss and backward (gradients stored): the first half of a step taken by hand.
template <class Net>
float loss_and_backward(Net& net, ConstView<float, Net::kInputs> x, const Label* y) {
  static Matrix<float, Net::kMaxBatch, Net::kClasses> dscores;
  const auto scores = net.forward(x);
  const float loss = SoftmaxCrossEntropy{}.compute<float, Net::kClasses>(scores, y, dscores.view(x.rows()));
  net.backward(dscores.view(x.rows()));
  return loss;
}

// One step the way the trainer took it before update_l2: the L2 pass over the gradients, then the
// optimizer's update. Returns the loss; the model holds the weights after it.
template <class Net, class Opt>
float two_pass_step(Net& net, Opt& opt, ConstView<float, Net::kInputs> x, const Label* y, float reg) {
  float loss = loss_and_backward(net, x, y);
  loss += apply_l2(net.params(), reg);
  opt.update(net.params(), 0.f);
  return loss;
}

// One step through the optimizer's update_l2 after a plain backward (the trainer's path for a
// network that does not make plain SGD's step in its backward). Returns the loss.
template <class Net, class Opt>
float update_l2_step(Net& net, Opt& opt, ConstView<float, Net::kInputs> x, const Label* y, float reg) {
  const float loss = loss_and_backward(net, x, y);
  return loss + 0.5f * reg * opt.update_l2(net.params(), reg);
}

template <class Net>
std::vector<float> all_params(Net& net) {
  std::vector<float> out;
  for (const auto& p : net.params()) out.insert(out.end(), p.value, p.value + p.size());
  return out;
}
}  // namespace

// The trainer hands L2 to the optimizer's update_l2 (one pass for plain SGD; plain SGD on this
// dense net is made by backward instead, the test below): the same loss and weights, bit for bit,
// as the L2 pass followed by the update, for plain SGD on a weight matrix of one sum chunk and of
// several (update_l2 called as the trainer calls it for a net that cannot fold the step), SGD with
// momentum, and Adam through the run-time optimizer.
TEST_CASE("trainer: L2 folded into the update gives the two passes' bits", "[train][l2]") {
  using Net = TwoLayerNet<1000, 40, 10, 8>;  // W1: 40000 floats, 3 chunks of the L2 sum
  static Net a, b;
  const auto x = test::random_vector<float>(8 * 1000, 31);
  const Label y[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  const ConstView<float, 1000> xv(x.data(), 8);
  auto check = [&](auto& opt_a, auto& opt_b) {
    Rng ra(5), rb(5);
    a.init(ra, InitRule::gaussian(0.05));
    b.init(rb, InitRule::gaussian(0.05));
    Trainer<Net, SoftmaxCrossEntropy, std::remove_reference_t<decltype(opt_a)>> trainer(a, opt_a, 0.5f);
    for (int step = 0; step < 3; ++step) {
      const auto got = trainer.step(xv, y);
      const float want = two_pass_step(b, opt_b, xv, y, 0.5f);
      REQUIRE(got.finite);
      REQUIRE(got.loss == want);
      REQUIRE(all_params(a) == all_params(b));
    }
  };
  SECTION("plain SGD: one pass") {
    Sgd<float> sa({0.1f, 0.f, 1.f}), sb({0.1f, 0.f, 1.f});
    Rng ra(5), rb(5);
    a.init(ra, InitRule::gaussian(0.05));
    b.init(rb, InitRule::gaussian(0.05));
    for (int step = 0; step < 3; ++step) {
      const float got = update_l2_step(a, sa, xv, y, 0.5f);
      REQUIRE(got == two_pass_step(b, sb, xv, y, 0.5f));
      REQUIRE(all_params(a) == all_params(b));
    }
    check(sa, sb);  // through the trainer (the step made by backward)
  }
  SECTION("SGD with Nesterov momentum") {
    static Sgd<float, Net::kParamCount> sa({0.1f, 0.9f, 1.f, true}), sb({0.1f, 0.9f, 1.f, true});
    check(sa, sb);
  }
  SECTION("Adam, chosen at run time") {
    static RuntimeOptimizer<float, Net::kParamCount> ra(AdamConfig<float>{}, false), rb(AdamConfig<float>{}, false);
    check(ra, rb);
  }
  SECTION("plain SGD, chosen at run time") {
    static RuntimeOptimizer<float, Net::kParamCount> ra(SgdConfig<float>{0.1f, 0.f, 1.f}),
        rb(SgdConfig<float>{0.1f, 0.f, 1.f});
    check(ra, rb);
  }
}

// Plain SGD on a dense stack is made by backward itself (Network::kFoldsSgd): each weight matrix
// stepped as its gradient's product is stored. The same loss and weights, bit for bit, as the
// optimizer's step after a plain backward (two_pass_step), with and without L2, on one thread and
// two, on a layer whose product folds the step (the 1000 x 40 weights: their gradient is never
// stored) and on those that store the gradient first (10 outputs: the narrow-N path; 3 inputs:
// the small-M path; a batch of 300: more than one K block).
TEST_CASE("trainer: plain SGD folded into backward gives the optimizer's bits", "[train][l2][fold]") {
  using Net = TwoLayerNet<1000, 40, 10, 8>;
  using Deep = Network<Train<float, 300>, Input<3>, Fc<300>, Relu, Fc<64>, Relu, Fc<10>>;
  static_assert(Net::kFoldsSgd && Deep::kFoldsSgd);
  static Net a, b;
  static Deep da, db;
  auto run = [](auto& na, auto& nb, std::size_t rows, float reg, kernels::ThreadPool* pool, bool w1_folds) {
    using N = std::remove_reference_t<decltype(na)>;
    constexpr std::size_t In = N::kInputs;
    const auto x = test::random_vector<float>(rows * In, 77 + rows);
    std::vector<Label> y(rows);
    for (std::size_t r = 0; r < rows; ++r) y[r] = Label(r * 7 % 10);
    const ConstView<float, In> xv(x.data(), rows);
    Rng ra(9), rb(9);
    na.init(ra, InitRule::gaussian(0.05));
    nb.init(rb, InitRule::gaussian(0.05));
    Sgd<float> sa({0.1f, 0.f, 1.f}), sb({0.1f, 0.f, 1.f});
    Trainer<N, SoftmaxCrossEntropy, Sgd<float>> trainer(na, sa, reg);
    kernels::set_gemm_thread_pool(pool);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int step = 0; step < 3; ++step) {
      for (const auto& p : na.params()) std::fill(p.grad, p.grad + p.size(), nan);
      const auto got = trainer.step(xv, y.data());
      const float want = two_pass_step(nb, sb, xv, y.data(), reg);
      REQUIRE(got.finite);
      REQUIRE(got.loss == want);
      REQUIRE(all_params(na) == all_params(nb));
      // The fold was taken: the first weight matrix's gradient was never stored (SIMD builds;
      // others store it, then step).
      const auto w1 = na.params()[0];
      if (w1_folds && FIRMNET_HAVE_XSIMD) REQUIRE(std::all_of(w1.grad, w1.grad + w1.size(), [](float g) { return std::isnan(g); }));
    }
    kernels::set_gemm_thread_pool(nullptr);
  };
  kernels::ThreadPool pool(2);
  for (const float reg : {0.0f, 0.5f}) {
    CAPTURE(reg);
    run(a, b, 8, reg, nullptr, true);
    run(a, b, 8, reg, &pool, true);
    run(da, db, 300, reg, nullptr, false);
    run(da, db, 300, reg, &pool, false);
  }
}

// Folded, the penalty is summed before any weight changes: a Σw² beyond float's range stops the
// step with every weight as it was (the weight is on an input that is always 0, so the data
// loss stays finite).
TEST_CASE("trainer: a penalty that is not finite leaves the weights unchanged when backward steps them", "[train][l2][fold]") {
  using Net = TwoLayerNet<20, 24, 3, 4>;
  static Net net;
  Rng rng(4);
  net.init(rng, InitRule::gaussian(0.1));
  net.params()[0].value[5] = 1e30f;  // row 0: input 0
  auto x = test::random_vector<float>(4 * 20, 5);
  for (std::size_t r = 0; r < 4; ++r) x[r * 20] = 0.0f;
  const Label y[4] = {0, 1, 2, 0};
  const auto before = all_params(net);
  Sgd<float> sgd({0.1f, 0.f, 1.f});
  Trainer<Net, SoftmaxCrossEntropy, Sgd<float>> trainer(net, sgd, 1e-3f);
  const auto step = trainer.step(ConstView<float, 20>(x.data(), 4), y);
  REQUIRE_FALSE(step.finite);
  REQUIRE(all_params(net) == before);
}

namespace {
// A batch source that is not an image set: points on a line, class = which side (fit takes any).
struct LineSide {
  Rng rng{3};
  std::size_t batches() const { return 20; }
  void start_epoch() {}
  std::size_t fill(std::size_t, View<float, 2> x, Label* labels) {
    for (std::size_t r = 0; r < 16; ++r) {
      x(r, 0) = float(rng.uniform() * 2 - 1);
      x(r, 1) = float(rng.uniform() * 2 - 1);
      labels[r] = x(r, 0) + 0.5f * x(r, 1) > 0 ? 1 : 0;
    }
    return 16;
  }
};
struct LossLog {
  std::vector<double> losses;
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double loss) { losses.push_back(loss); }
  bool on_epoch_end(std::size_t epoch) { return epoch < 2; }  // stops after the third epoch
};
}  // namespace

TEST_CASE("fit: takes any batch source, and an observer can stop it", "[train][fit]") {
  static LinearClassifier<2, 2, 16> model;
  Rng rng(2);
  model.init(rng, InitRule::gaussian(0.01));
  Sgd<float> sgd({0.5f, 0.f, 1.f});
  Trainer<LinearClassifier<2, 2, 16>, SoftmaxCrossEntropy, Sgd<float>> trainer(model, sgd, 0.f);
  LineSide source;
  LossLog log;
  const FitResult r = fit(trainer, source, FitOptions{10, 0}, log);
  REQUIRE(r.status == FitStatus::stopped);
  REQUIRE(r.epoch == 3);
  REQUIRE(log.losses.size() == 60);
  REQUIRE(log.losses.back() < 0.5 * log.losses.front());
}

TEST_CASE("trainer: MSE on one-hot targets trains too", "[train]") {
  static ToyData train(600, 1);
  static ToyNet net;
  static Normalizer<16> norm;
  Rng rng(4);
  net.init(rng, InitRule::he());
  norm.fit(train.view());
  Sgd<float> sgd({0.2f, 0.f, 1.f});
  Trainer<ToyNet, MeanSquaredError, Sgd<float>> trainer(net, sgd, 0.f);
  std::vector<std::uint32_t> order(600);
  ShufflingSampler sampler(order, 32, false, 5);
  ImageBatches<16> batches(train.view(), norm, sampler);
  LossLog log;
  fit(trainer, batches, FitOptions{3, 0}, log);
  REQUIRE(log.losses.back() < 0.5 * log.losses.front());
}

TEST_CASE("normalizer: pixel/255 minus the train mean", "[data]") {
  const std::uint8_t pixels[6] = {0, 255, 255, 51, 51, 0};  // 3 images of 2 pixels
  const Label labels[3] = {0, 1, 2};
  const ImageSet set{pixels, labels, 3, 2};
  Normalizer<2> norm;
  norm.fit(set.slice(0, 2));  // mean of the first two images: (0.5, 0.6)
  REQUIRE(norm.mean.storage[0] == Approx(0.5f));
  REQUIRE(norm.mean.storage[1] == Approx(0.6f));
  float out[2];
  norm.apply(set.image(2), out);  // (51, 0)/255 - mean
  REQUIRE(out[0] == Approx(0.2f - 0.5f));
  REQUIRE(out[1] == Approx(-0.6f));
}
