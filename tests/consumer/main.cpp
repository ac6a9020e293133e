// A consumer of the firmnet package: a statically allocated net, one training step, a checkpoint
// encoded and decoded (exercises both the header-only core and the compiled io library).
#include <cstdio>

#include <firmnet/io/checkpoint.hpp>
#include <firmnet/io/model_checkpoint.hpp>
#include <firmnet/models/two_layer_net.hpp>
#include <firmnet/train/sgd.hpp>
#include <firmnet/train/trainer.hpp>

static firmnet::TwoLayerNet<8, 4, 3, 2> net;
static firmnet::Normalizer<8> norm;

int main() {
  firmnet::Rng rng(1);
  net.init(rng, 0.1f);
  firmnet::Sgd<float> sgd{{0.1f, 0.f, 1.f}};
  firmnet::Trainer<decltype(net), firmnet::Sgd<float>> trainer(net, sgd, 1e-3f);
  const float x[16] = {1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  const firmnet::Label y[2] = {0, 2};
  const auto step = trainer.step(firmnet::ConstView<float, 8>(x, 2), y);
  const auto bytes = firmnet::io::encode_checkpoint(firmnet::io::make_checkpoint(net, norm));
  const auto back = firmnet::io::decode_checkpoint(bytes, "memory");
  std::printf("consumer: loss %.4f, checkpoint %zu bytes, %zu tensors\n", double(step.loss), bytes.size(),
              back.tensors.size());
  return step.finite && back.tensors.size() == 5 ? 0 : 1;
}
