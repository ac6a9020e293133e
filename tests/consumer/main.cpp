// A consumer of the firmnet package: a statically allocated network, one training step, a
// checkpoint encoded and decoded (the header-only core and the compiled io library), and the
// promise that firmnet's float code keeps its tested bits in a consumer's build: a consumer built
// with -march=x86-64-v3 (which has FMA) must still compute firmnet's unfused a·x + y, because
// -ffp-contract=off comes with the firmnet::core target.
#include <cstdio>

#include <firmnet/io/checkpoint.hpp>
#include <firmnet/io/model_checkpoint.hpp>
#include <firmnet/kernels/elementwise_ref.hpp>
#include <firmnet/loss/loss.hpp>
#include <firmnet/models/network.hpp>
#include <firmnet/layers/fc.hpp>
#include <firmnet/layers/relu.hpp>
#include <firmnet/optim/sgd.hpp>
#include <firmnet/train/trainer.hpp>

using Net = firmnet::Network<firmnet::Train<float, 2>, firmnet::Input<8>, firmnet::Fc<4>, firmnet::Relu, firmnet::Fc<3>>;
static Net net;
static firmnet::Normalizer<8> norm;

// 1 + 2^-30 squared is 1 + 2^-29 + 2^-60: rounded once (fused) the 2^-60 survives a following
// subtraction of 1 + 2^-29; rounded twice it is lost.
static bool unfused_bits() {
  const double a = 1.0 + 0x1p-30;
  double y = -(1.0 + 0x1p-29);
  firmnet::kernels::axpy_ref(a, &a, &y, 1);  // y += a·a, firmnet's header-only reference loop
  return y == 0.0;
}

int main() {
  firmnet::Rng rng(1);
  net.init(rng, firmnet::InitRule::gaussian(0.1));
  firmnet::Sgd<float> sgd({0.1f, 0.f, 1.f});
  firmnet::Trainer<Net, firmnet::SoftmaxCrossEntropy, firmnet::Sgd<float>> trainer(net, sgd, 1e-3f);
  const float x[16] = {1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  const firmnet::Label y[2] = {0, 2};
  const auto step = trainer.step(firmnet::ConstView<float, 8>(x, 2), y);
  const auto bytes = firmnet::io::encode_checkpoint(firmnet::io::make_checkpoint(net, norm));
  const auto back = firmnet::io::decode_checkpoint(bytes, "memory");
  const bool unfused = unfused_bits();
  std::printf("consumer: %s, loss %.4f, checkpoint %zu bytes, %zu tensors, firmnet float code %s\n", Net::kSpec.c_str(),
              double(step.loss), bytes.size(), back.tensors.size(), unfused ? "unfused (as tested)" : "FUSED");
  return step.finite && back.tensors.size() == 5 && back.spec == Net::kSpec.view() && unfused ? 0 : 1;
}
