// Compiled with -fno-exceptions -fno-rtti: the whole core (kernels, layers, losses, models,
// data, training loop) must build without them, as firmware builds it. Trains a small statically
// allocated net on a toy problem and checks that the loss falls.
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "firmnet/core/arch.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/train/fit.hpp"
#include "firmnet/train/sgd.hpp"

#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "this file must be compiled with -fno-exceptions -fno-rtti"
#endif

namespace {

using Net = firmnet::TwoLayerNet<16, 8, 4, 8>;
Net net;
firmnet::LinearClassifier<16, 4, 8> linear;
firmnet::Normalizer<16> norm;
firmnet::Matrix<float, 8, 16> scratch;
std::uint8_t pixels[64 * 16];
firmnet::Label labels[64];
std::uint32_t order[64];

struct Observer {
  double first = -1, last = -1;
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double loss) {
    if (first < 0) first = loss;
    last = loss;
  }
  void on_evaluate(std::size_t) {}
  bool on_epoch_end(std::size_t, double, double) { return true; }
};

}  // namespace

int main() {
  firmnet::Rng rng(1);
  for (int i = 0; i < 64; ++i) {
    labels[i] = static_cast<firmnet::Label>(i % 4);
    for (int j = 0; j < 16; ++j) pixels[i * 16 + j] = static_cast<std::uint8_t>(rng.below(100) + (j / 4 == i % 4 ? 150 : 0));
  }
  const firmnet::ImageSet set{pixels, labels, 64, 16};
  norm.fit(set);
  net.init(rng, 0.1f);
  firmnet::Sgd<float> sgd{{0.5f, 0.f, 1.f}};
  firmnet::Trainer<Net, firmnet::Sgd<float>> trainer(net, sgd, 1e-3f);
  firmnet::ShufflingSampler sampler(order, 8, false, 2);
  Observer observer;
  const auto result = firmnet::fit(trainer, sampler, set, set, norm, scratch, firmnet::FitOptions{10, 0}, observer);
  const double accuracy = firmnet::check_accuracy(net, norm, set, scratch);
  firmnet::Label predicted;
  linear.init(rng, 0.1f);
  linear.predict(firmnet::ConstView<float, 16>(scratch.data(), 1), &predicted);
  std::printf("core without exceptions/RTTI (kernels %s): loss %.4f -> %.4f, accuracy %.2f\n",
              firmnet::kernel_arch_name(), observer.first, observer.last, accuracy);
  const bool ok = result.status == firmnet::FitStatus::done && observer.last < 0.5 * observer.first && accuracy > 0.9;
  return ok ? 0 : 1;
}
