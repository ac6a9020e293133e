// own_network: a network of your own, from its type to int8, in code. A small CNN is declared as a
// type, trained with Adam by fit() (a line per epoch), saved as a checkpoint and loaded into its
// inference form, then quantized to int8 and run on raw pixels. README.md prints the part between
// the markers; ctest runs the program (examples.own_network), which exits 1 when a stage falls
// short: float or int8 validation accuracy under 95 %, or the loaded network predicting other
// classes than the trained one.
// Usage: own_network CHECKPOINT_PATH. The data is generated, so no files are needed: 12x12 grey
// images on noise, class c a bright 4x4 square somewhere in quadrant c.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/loss/loss.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/optim/adam.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/train/accuracy.hpp"
#include "firmnet/train/batches.hpp"
#include "firmnet/train/fit.hpp"

namespace {

constexpr std::size_t kSide = 12;

struct Images {
  std::vector<std::uint8_t> pixels;
  std::vector<firmnet::Label> labels;
  firmnet::ImageSet set() const { return {pixels.data(), labels.data(), labels.size(), kSide * kSide}; }
};

Images make_images(std::size_t count, std::uint64_t seed) {
  firmnet::Rng rng(seed);
  Images out{std::vector<std::uint8_t>(count * kSide * kSide), std::vector<firmnet::Label>(count)};
  for (std::size_t i = 0; i < count; ++i) {
    const auto c = static_cast<firmnet::Label>(i % 4);
    out.labels[i] = c;
    std::uint8_t* image = out.pixels.data() + i * kSide * kSide;
    for (std::size_t p = 0; p < kSide * kSide; ++p) image[p] = static_cast<std::uint8_t>(rng.uniform() * 160);
    // The square's corner: anywhere its 4x4 stays inside the 6x6 quadrant.
    const std::size_t y0 = (c / 2) * 6 + static_cast<std::size_t>(rng.uniform() * 3);
    const std::size_t x0 = (c % 2) * 6 + static_cast<std::size_t>(rng.uniform() * 3);
    for (std::size_t y = y0; y < y0 + 4; ++y)
      for (std::size_t x = x0; x < x0 + 4; ++x) image[y * kSide + x] = static_cast<std::uint8_t>(image[y * kSide + x] + 60);
  }
  return out;
}

}  // namespace

// --- as in README.md -------------------------------------------------------------------------
using Net = firmnet::Network<firmnet::Train<float, 32>, firmnet::Input<12, 12, 1>,
                             firmnet::Conv2d<8, 3, 3, firmnet::Pad<1>>, firmnet::Relu, firmnet::MaxPool<2>,
                             firmnet::Fc<32>, firmnet::Relu, firmnet::Fc<4>>;
using Optimizer = firmnet::Adam<float, Net::kParamCount>;  // its moments live in the object
using Deployed = Net::Rebind<firmnet::Infer<float, 1>>;    // the same layers, batch 1, no gradients
using Int8 = firmnet::quant::QNetworkFor<Net>;             // its int8 twin, every shape in the type

static Net net;  // all its memory is in the object (sizeof(Net)), none on the heap
static Optimizer adam(firmnet::AdamConfig<float>{.learning_rate = 0.01f});
static firmnet::Matrix<float, Net::kMaxBatch, Net::kInputs> scratch;  // normalised rows
static firmnet::Normalizer<Net::kInputs> input_norm;                   // pixel/255 - mean

struct Progress {  // fit()'s observer: one line per epoch
  const firmnet::ImageSet& val;
  double loss = 0;
  void on_epoch_start(std::size_t) {}
  void on_iteration(std::size_t, std::size_t, double step_loss) { loss = step_loss; }
  bool on_epoch_end(std::size_t epoch) {
    std::printf("epoch %zu: loss %.4f, val accuracy %.3f\n", epoch + 1, loss,
                firmnet::check_accuracy(net, input_norm, val, scratch));
    return true;  // false stops training
  }
};

void train(const firmnet::ImageSet& train_set, const firmnet::ImageSet& val_set) {
  firmnet::Rng rng(1);
  net.init(rng, firmnet::InitRule::he());
  input_norm.fit_level(train_set);  // a convolution first: one mean level (a dense first layer: input_norm.fit)
  std::vector<std::uint32_t> order(train_set.count);  // the sampler's permutation
  firmnet::ShufflingSampler sampler(order, Net::kMaxBatch, /*keep_last=*/false, /*seed=*/2);
  firmnet::ImageBatches<Net::kInputs> batches(train_set, input_norm, sampler);
  firmnet::Trainer<Net, firmnet::SoftmaxCrossEntropy, Optimizer> trainer(net, adam, /*L2=*/1e-4f);
  Progress progress{val_set};
  firmnet::fit(trainer, batches, firmnet::FitOptions{.epochs = 4}, progress);
}

void save_and_load(const std::string& path, Deployed& deployed, firmnet::Normalizer<Net::kInputs>& deployed_norm) {
  firmnet::io::write_checkpoint(path, firmnet::io::make_checkpoint(net, input_norm));  // atomic: temp file, rename
  firmnet::io::load_checkpoint_into(firmnet::io::read_checkpoint(path), path, deployed, deployed_norm);
}

// Calibrates on training images and rounds to int8; bind() packs the weights for this CPU's
// kernels and points into the model, which must outlive the network. (The quantize program
// writes the same model as a .fnq file and a C++ header for firmware.)
Int8 to_int8(const firmnet::ImageSet& calibration, firmnet::quant::QuantizedModel& model) {
  model = firmnet::quant::quantize(net, input_norm, calibration, scratch);
  return firmnet::quant::bind<Int8>(model);
}
// ---------------------------------------------------------------------------------------------

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: own_network CHECKPOINT_PATH\n");
    return 2;
  }
  const Images train_images = make_images(2048, 11), val_images = make_images(512, 12);
  const firmnet::ImageSet train_set = train_images.set(), val_set = val_images.set();
  std::printf("own_network: %s, %zu parameters (%zu bytes), trained with Adam\n", Net::kSpec.c_str(), Net::kParamCount,
              Net::kWeightBytes);
  train(train_set, val_set);
  const double float_accuracy = firmnet::check_accuracy(net, input_norm, val_set, scratch);

  static Deployed deployed;
  static Deployed::Workspace workspace;
  firmnet::Normalizer<Net::kInputs> deployed_norm;
  try {
    save_and_load(argv[1], deployed, deployed_norm);
  } catch (const firmnet::io::Error& e) {
    std::fprintf(stderr, "own_network: error: %s\n", e.what());
    return 1;
  }
  std::size_t same = 0;
  float x[Net::kInputs];
  for (std::size_t i = 0; i < val_set.count; ++i) {
    firmnet::Label trained = 0, loaded = 0;
    input_norm.apply(val_set.image(i), x);
    net.predict(firmnet::ConstView<float, Net::kInputs>(x, 1), &trained);
    deployed_norm.apply(val_set.image(i), x);
    deployed.predict(firmnet::ConstView<float, Net::kInputs>(x, 1), &loaded, workspace);
    same += trained == loaded;
  }

  firmnet::quant::QuantizedModel model;
  const Int8 int8 = to_int8(train_set.slice(0, 256), model);
  const double int8_accuracy = firmnet::quant::quantized_accuracy(int8, val_set);
  static Int8::Workspace int8_workspace;
  std::uint8_t logits[Int8::kClasses];
  const firmnet::Label first = int8.predict(val_set.image(0), logits, int8_workspace);  // raw uint8 pixels

  std::printf("float: val accuracy %.3f; loaded from %s: %zu of %zu predictions the same\n", float_accuracy, argv[1], same,
              val_set.count);
  std::printf("int8: val accuracy %.3f, %zu bytes of weights, %zu of working memory; image 0: class %d (label %d)\n",
              int8_accuracy, Int8::kWeightBytes, Int8::kWorkingBytes, int(first), int(val_set.labels[0]));
  const bool ok = float_accuracy >= 0.95 && int8_accuracy >= 0.95 && same == val_set.count;
  std::printf("%s\n", ok ? "PASS" : "FAIL: an accuracy under 0.95 or the loaded network predicting otherwise");
  return ok ? 0 : 1;
}
