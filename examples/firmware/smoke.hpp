// examples/firmware/smoke.hpp: what the firmware smoke test does, shared by the firmware, its
// native build and the generator of firmware_data.hpp (which runs it on the host to record the
// expected results). Two parts, both on statically allocated objects, no heap:
//   classify: the baked trained weights score kTestImages baked 8x8 images;
//   train:    from baked initial weights, kTrainSteps SGD steps on kTrainImages baked images.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmnet/data/image_set.hpp"
#include "firmnet/data/normalizer.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/optim/sgd.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/sampler.hpp"
#include "firmnet/train/trainer.hpp"

namespace smoke {

inline constexpr std::size_t kInputs = 64, kHidden = 32, kClasses = 4, kBatch = 8;
inline constexpr std::size_t kTestImages = 8, kTrainImages = 32, kTrainSteps = 40;
inline constexpr float kLearningRate = 0.5f, kReg = 1e-3f;
inline constexpr std::uint64_t kSamplerSeed = 7;

using Net = firmnet::TwoLayerNet<kInputs, kHidden, kClasses, kBatch>;

struct Weights {  // as baked into firmware_data.hpp
  const float* w1;  // (kInputs, kHidden)
  const float* b1;
  const float* w2;  // (kHidden, kClasses)
  const float* b2;
};

inline void load(Net& net, const Weights& w) {
  const float* src[4] = {w.w1, w.b1, w.w2, w.b2};
  std::size_t i = 0;
  for (const auto& p : net.params()) {
    for (std::size_t j = 0; j < p.size(); ++j) p.value[j] = src[i][j];
    ++i;
  }
}

struct Results {
  float scores[kTestImages][kClasses];
  firmnet::Label predicted[kTestImages];
  float losses[kTrainSteps];
};

// The statically allocated state of the smoke test: about 25 KiB of RAM.
struct State {
  Net net;
  firmnet::Normalizer<kInputs> norm;
  firmnet::Matrix<float, kBatch, kInputs> x;
  std::uint32_t order[kTrainImages];
};

inline void classify(State& s, const Weights& trained, const float* mean, const std::uint8_t* images, Results& out) {
  load(s.net, trained);
  for (std::size_t j = 0; j < kInputs; ++j) s.norm.mean.storage[j] = mean[j];
  for (std::size_t i = 0; i < kTestImages; ++i) {
    s.norm.apply(images + i * kInputs, s.x.data());
    const auto scores = s.net.forward(s.x.view(1));
    for (std::size_t c = 0; c < kClasses; ++c) out.scores[i][c] = scores(0, c);
    firmnet::argmax_rows(scores, &out.predicted[i]);
  }
}

inline void train(State& s, const Weights& initial, const float* mean, const firmnet::ImageSet& samples, Results& out) {
  load(s.net, initial);
  for (std::size_t j = 0; j < kInputs; ++j) s.norm.mean.storage[j] = mean[j];
  firmnet::Sgd<float> sgd({kLearningRate, 0.f, 1.f});
  firmnet::Trainer<Net, firmnet::SoftmaxCrossEntropy, firmnet::Sgd<float>> trainer(s.net, sgd, kReg);
  firmnet::ShufflingSampler sampler(s.order, kBatch, false, kSamplerSeed);
  firmnet::ImageBatches<kInputs> batches(samples, s.norm, sampler);
  std::size_t step = 0;
  while (step < kTrainSteps) {
    batches.start_epoch();
    for (std::size_t b = 0; b < batches.batches() && step < kTrainSteps; ++b, ++step)
      out.losses[step] = trainer.step(batches.fill(b, trainer.batch_x(), trainer.batch_labels())).loss;
  }
}

}  // namespace smoke
