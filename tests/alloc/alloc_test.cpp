// "Allocation-free" as a tested promise: counts every global operator new and malloc-family call
// while models of several depths run forward, backward, training steps with every optimizer and
// loss, predict, an accuracy pass and whole fit epochs, and requires zero. Under AddressSanitizer the counting goes through ASan's allocation hook.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "firmnet/kernels/thread_pool.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/optim/adam.hpp"
#include "firmnet/optim/runtime_optimizer.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"
#include "support/random.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void note_allocation() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}

// Counts allocations between start() and stop(); nothing else may run in between.
struct AllocationCounter {
  void start() {
    g_allocations = 0;
    g_counting = true;
  }
  long stop() {
    g_counting = false;
    return g_allocations.load();
  }
};
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
// ASan owns malloc and operator new; its allocation hook sees every call of both. (Declared here:
// GCC ships the runtime function but not clang's sanitizer/allocator_interface.h.)
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
namespace {
void on_malloc(const volatile void*, std::size_t) { note_allocation(); }
void on_free(const volatile void*) {}
const int g_hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}  // namespace
#else
// Replace the malloc family (glibc exports the real ones as __libc_*) and the global operator new.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t size) {
  note_allocation();
  return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
  note_allocation();
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) {
  note_allocation();
  return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t align, std::size_t size) {
  note_allocation();
  return __libc_memalign(align, size);
}
int posix_memalign(void** out, std::size_t align, std::size_t size) {
  note_allocation();
  *out = __libc_memalign(align, size);
  return *out ? 0 : 12;  // ENOMEM
}
}

// These replacements are the allocator: their delete pairs with their new through malloc/free,
// which GCC's -Wmismatched-new-delete cannot know. operator new counts itself once, so it takes
// memory from glibc directly rather than through the counting malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  note_allocation();
  if (void* p = __libc_malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t align) {
  note_allocation();
  const std::size_t a = static_cast<std::size_t>(align) < sizeof(void*) ? sizeof(void*) : static_cast<std::size_t>(align);
  if (void* p = __libc_memalign(a, size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) { return operator new(size, align); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  note_allocation();
  return __libc_malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

using namespace firmnet;

TEST_CASE("the counter sees allocations (positive control)", "[alloc]") {
  AllocationCounter counter;
  counter.start();
  // Called directly: a new-expression's allocation may be elided by the optimiser, a call may not.
  void* volatile object = ::operator new(24);
  void* volatile buffer = ::operator new[](400);
  const long counted = counter.stop();
  ::operator delete(object);
  ::operator delete[](buffer);
  REQUIRE(counted == 2);
  counter.start();
  void* volatile p = std::malloc(64);  // volatile: an unused malloc/free pair may be elided
  const long mallocs = counter.stop();
  std::free(p);
  REQUIRE(mallocs == 1);
}

namespace {

struct SilentObserver {
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double) {}
  bool on_epoch_end(std::size_t) { return true; }
};

// Forward, backward, training steps (full and partial batches), predict and a fit of two epochs
// of a model with an optimizer and a loss: zero allocation calls once set up.
template <class Model, class Optimizer, class Loss = SoftmaxCrossEntropy>
void require_allocation_free(Optimizer& optimizer) {
  using T = typename Model::Scalar;
  constexpr std::size_t In = Model::kInputs, C = Model::kClasses, B = Model::kMaxBatch;
  // Set-up may allocate: the model and buffers are created once, before the counted region.
  auto model = std::make_unique<Model>();
  auto trainer = std::make_unique<Trainer<Model, Loss, Optimizer>>(*model, optimizer, T(1e-3));
  Rng rng(1);
  model->init(rng, InitRule::he());
  const auto x = test::random_vector<T>(B * In, 2);
  std::vector<Label> y(B);
  for (std::size_t i = 0; i < B; ++i) y[i] = static_cast<Label>(i % C);
  std::vector<T> dscores(B * C, T(0.01));
  std::vector<Label> predicted(B);
  // Data for a whole fit epoch: 3 batches and a partial one, plus validation images.
  const std::size_t n = 3 * B + 5;
  std::vector<std::uint8_t> pixels(n * In);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 31);
  std::vector<Label> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<Label>(i % C);
  const ImageSet set{pixels.data(), labels.data(), n, In};
  auto norm = std::make_unique<Normalizer<In, T>>();
  norm->fit(set);
  auto scratch = std::make_unique<Matrix<T, B, In>>();
  std::vector<std::uint32_t> order(n);
  ShufflingSampler sampler(order, B, true, 3);
  ImageBatches<In, T> batches(set, *norm, sampler);
  SilentObserver observer;

  AllocationCounter counter;
  counter.start();
  model->forward(ConstView<T, In>(x.data(), B));
  model->backward(View<T, C>(dscores.data(), B));
  model->forward(ConstView<T, In>(x.data(), 1));  // batch 1
  model->backward(View<T, C>(dscores.data(), 1));
  for (int i = 0; i < 3; ++i) trainer->step(ConstView<T, In>(x.data(), B), y.data());
  trainer->step(ConstView<T, In>(x.data(), B > 1 ? B - 1 : 1), y.data());  // a partial batch
  model->predict(ConstView<T, In>(x.data(), B), predicted.data());
  model->predict(ConstView<T, In>(x.data(), 1), predicted.data());
  const double accuracy = check_accuracy(*model, *norm, set, *scratch);
  const FitResult result = fit(*trainer, batches, FitOptions{2, 0}, observer);
  const long allocations = counter.stop();

  REQUIRE(result.status == FitStatus::done);
  REQUIRE(accuracy >= 0.0);
  REQUIRE(allocations == 0);
}

template <class Model>
void with_every_optimizer() {
  using T = typename Model::Scalar;
  auto sgd = std::make_unique<Sgd<T, Model::kParamCount>>(SgdConfig<T>{T(0.1), T(0.9), T(0.95), true});
  require_allocation_free<Model>(*sgd);
  auto adam = std::make_unique<Adam<T, Model::kParamCount>>();
  require_allocation_free<Model>(*adam);
  auto adamw = std::make_unique<AdamW<T, Model::kParamCount>>();
  require_allocation_free<Model, AdamW<T, Model::kParamCount>, MeanSquaredError>(*adamw);
  auto runtime = std::make_unique<RuntimeOptimizer<T, Model::kParamCount>>(AdamConfig<T>{}, false);
  require_allocation_free<Model, RuntimeOptimizer<T, Model::kParamCount>, RuntimeLoss>(*runtime);
}

}  // namespace

TEST_CASE("two-layer net: forward, backward, step, predict and fit allocate nothing", "[alloc]") {
  with_every_optimizer<TwoLayerNet<784, 128, 10, 64>>();
  with_every_optimizer<TwoLayerNet<3072, 128, 10, 64>>();
  with_every_optimizer<TwoLayerNet<13, 7, 3, 5, double>>();
}

TEST_CASE("deeper stacks allocate nothing either", "[alloc]") {
  with_every_optimizer<Network<Train<float, 32>, Input<784>, Fc<256>, Relu, Fc<128>, Relu, Fc<10>>>();
  with_every_optimizer<Network<Train<float, 8>, Input<6, 6, 2>, Relu, Flatten, Fc<16>, Relu, Fc<9>, Fc<8>, Relu, Fc<4>>>();
}

TEST_CASE("convolutional nets: training and inference allocate nothing", "[alloc]") {
  using Cnn = Stack<Input<12, 12, 1>, Conv2d<8, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>,
                    Fc<10>>;
  with_every_optimizer<Cnn::Bind<Train<float, 16>>>();
  with_every_optimizer<Network<Train<float, 4>, Input<9, 7, 3>, Conv2d<8, 3, 3, Stride<2>>, Relu, GlobalAvgPool, Fc<4>>>();
  with_every_optimizer<Cnn::Bind<Train<double, 3>>>();  // the written-columns path
  // Inference-only, batch 1: forward from a const network into its workspace.
  using Deployed = Cnn::Bind<Infer<float, 1>>;
  auto net = std::make_unique<Deployed>();
  auto ws = std::make_unique<Deployed::Workspace>();
  const auto x = test::random_vector<float>(144, 9);
  Label label = 0;
  AllocationCounter counter;
  counter.start();
  for (int i = 0; i < 3; ++i) static_cast<const Deployed&>(*net).predict(ConstView<float, 144>(x.data(), 1), &label, *ws);
  REQUIRE(counter.stop() == 0);
}

#if FIRMNET_HAVE_XSIMD
TEST_CASE("with a 2-thread GEMM pool, steps and predict allocate nothing", "[alloc]") {
  kernels::ThreadPool pool(2);  // set-up: threads are created here
  kernels::set_gemm_thread_pool(&pool);
  auto sgd = std::make_unique<Sgd<float, TwoLayerNet<3072, 128, 10, 64>::kParamCount>>();
  require_allocation_free<TwoLayerNet<3072, 128, 10, 64>>(*sgd);
  // A convolutional stack runs its halves of the batch on both threads.
  using Cnn = Network<Train<float, 16>, Input<12, 12, 1>, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<10>>;
  auto cnn_sgd = std::make_unique<Sgd<float, Cnn::kParamCount>>();
  require_allocation_free<Cnn>(*cnn_sgd);
  kernels::set_gemm_thread_pool(nullptr);
}
#endif

TEST_CASE("linear classifier: forward, backward, step, predict and fit allocate nothing", "[alloc]") {
  with_every_optimizer<LinearClassifier<784, 10, 64>>();
  with_every_optimizer<LinearClassifier<3072, 10, 1>>();
}
