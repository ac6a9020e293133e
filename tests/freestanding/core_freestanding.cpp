// Compiled with -fno-exceptions -fno-rtti: the whole core (kernels, layers, losses, models,
// data, training loop) must build without them, as firmware builds it. Trains a small statically
// allocated net on a toy problem and checks that the loss falls.
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "firmnet/core/arch.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/optim/adam.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"

#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "this file must be compiled with -fno-exceptions -fno-rtti"
#endif

namespace {

using Net = firmnet::Network<firmnet::Train<float, 8>, firmnet::Input<16>, firmnet::Fc<12>, firmnet::Relu,
                             firmnet::Fc<8>, firmnet::Relu, firmnet::Fc<4>>;
Net net;
firmnet::Adam<float, Net::kParamCount> adam;
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
  bool on_epoch_end(std::size_t) { return true; }
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
  net.init(rng, firmnet::InitRule::he());
  adam.config.learning_rate = 0.01f;
  firmnet::Trainer<Net, firmnet::SoftmaxCrossEntropy, decltype(adam)> trainer(net, adam, 1e-3f);
  firmnet::ShufflingSampler sampler(order, 8, false, 2);
  firmnet::ImageBatches<16> batches(set, norm, sampler);
  Observer observer;
  const auto result = firmnet::fit(trainer, batches, firmnet::FitOptions{10, 0}, observer);
  const double accuracy = firmnet::check_accuracy(net, norm, set, scratch);
  firmnet::Label predicted;
  linear.init(rng, firmnet::InitRule::gaussian(0.1));
  linear.predict(firmnet::ConstView<float, 16>(scratch.data(), 1), &predicted);
  std::printf("core without exceptions/RTTI (kernels %s): loss %.4f -> %.4f, accuracy %.2f\n",
              firmnet::kernel_arch_name(), observer.first, observer.last, accuracy);
  const bool ok = result.status == firmnet::FitStatus::done && observer.last < 0.5 * observer.first && accuracy > 0.9;
  return ok ? 0 : 1;
}
