// quantize: post-training int8 quantization of a checkpoint written by train (any compiled
// network). Calibrates on training images, reports float and int8 test accuracy, the footprint
// (weight bytes for flash, working bytes for RAM) and batch-1 latency of both, and writes the
// quantized model file (.fnq) and a C++ header of constexpr arrays for firmware, with a few test
// images and what the host's int8 model computes for them (examples/firmware/infer_main.cpp
// checks them bit for bit).
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/checkpoint_model.hpp"
#include "common/kernels.hpp"
#include "common/model_zoo.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/quantize.hpp"
#include "firmnet/train/accuracy.hpp"

namespace {

using namespace firmnet;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string checkpoint_file;
  std::string output_file;  // default: the checkpoint with .fnq
  std::string header_file;  // default: the checkpoint with _int8.hpp
  std::string header_namespace = "firmnet_model";
  std::string data_dir;
  bool allow_other_data = false;
  std::string dataset;
  std::size_t calibration_images = 1000;
  std::size_t test_vectors = 16;
};

std::string with_extension(const std::string& path, const std::string& ext) {
  const auto dot = path.rfind('.');
  const auto slash = path.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (has_ext ? path.substr(0, dot) : path) + ext;
}

template <class Model>
int quantize(const Options& o, const io::Checkpoint& checkpoint, const io::Splits& splits) {
  using QModel = quant::QNetworkFor<Model>;
  auto model = std::make_unique<Model>();
  auto norm = std::make_unique<Normalizer<Model::kInputs>>();
  auto scratch = std::make_unique<Matrix<float, Model::kMaxBatch, Model::kInputs>>();
  io::load_checkpoint_into(checkpoint, o.checkpoint_file, *model, *norm);
  const std::size_t calib = std::min(o.calibration_images, splits.train.count);

  quant::Calibration seen;
  quant::QuantizedModel q = [&] {
    try {
      return quant::quantize(*model, *norm, splits.train.slice(0, calib), *scratch, &seen);
    } catch (const std::invalid_argument& e) {  // the library does not know the file's name
      throw io::Error(o.checkpoint_file + ": " + e.what());
    }
  }();
  q.metadata = {{"source", o.checkpoint_file}, {"calibration_images", std::to_string(calib)}};
  if (const std::string* d = checkpoint.find_metadata("dataset")) q.metadata.emplace_back("dataset", *d);
  const QModel qmodel = quant::bind<QModel>(q);

  std::printf("firmnet quantize: %s from %s, calibrated on %zu training images\n", Model::kSpec.c_str(),
              o.checkpoint_file.c_str(), calib);
  std::printf("  kernels: %s; int8: %s\n", examples::kernels_text().c_str(), kernels::qgemm_name());
  for (std::size_t i = 0; i < q.layers.size(); ++i)
    std::printf("  layer %zu %-7s output in [%.4f, %.4f] -> uint8 scale %.6g, zero point %d\n", i + 1,
                q.layers[i].op.c_str(), seen.outputs[i].lo, seen.outputs[i].hi, double(q.layers[i].output_scale),
                q.layers[i].output_zero_point);

  const double float_acc = check_accuracy(*model, *norm, splits.test, *scratch);
  const double int8_acc = quant::quantized_accuracy(qmodel, splits.test);
  std::printf("float test accuracy: %.2f\nint8 test accuracy: %.2f\n", 100 * float_acc, 100 * int8_acc);

  // Footprint: float inference needs the parameters and the input mean; one image in flight
  // needs the batch-1 inference network's workspace and the normalised input.
  using Batch1 = typename Model::template Rebind<Infer<float, 1>>;
  const std::size_t float_weight_bytes = Model::kParamCount * sizeof(float) + Model::kInputs * sizeof(float);
  const std::size_t float_working_bytes = Batch1::kWorkingBytes + Model::kInputs * sizeof(float);
  std::printf("float model: weight bytes %zu (flash), working bytes %zu (RAM, batch 1)\n", float_weight_bytes,
              float_working_bytes);
  std::printf("int8 model:  weight bytes %zu (flash, %.1f%% of float), working bytes %zu (RAM, batch 1)\n",
              QModel::kWeightBytes, 100.0 * double(QModel::kWeightBytes) / double(float_weight_bytes), QModel::kWorkingBytes);

  // Batch-1 latency over the test images: float from raw pixels (normalise, then forward), int8
  // from raw pixels. Best of 5 passes after a warm-up (bench/firmnet_bench measures it too).
  const std::size_t n = std::min<std::size_t>(splits.test.count, 1000);
  auto ws = std::make_unique<typename QModel::Workspace>();
  std::uint8_t logits[Model::kClasses];
  Label predicted = 0;
  auto best_us = [n](auto&& one) {
    double best = 1e30;
    for (int pass = 0; pass < 6; ++pass) {
      const auto t0 = Clock::now();
      for (std::size_t i = 0; i < n; ++i) one(i);
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / double(n);
      if (pass > 0) best = std::min(best, us);  // pass 0 warms the caches
    }
    return best;
  };
  const double float_us = best_us([&](std::size_t i) {
    norm->apply(splits.test.image(i), scratch->data());
    model->predict(scratch->view(1), &predicted);
  });
  const double int8_us = best_us([&](std::size_t i) { predicted = qmodel.predict(splits.test.image(i), logits, *ws); });
  std::printf("batch-1 latency: float %.2f us, int8 %.2f us per image (%.2fx), from raw pixels of %zu test images "
              "streamed from memory (BENCHMARKS.md: one cached image)\n", float_us, int8_us, int8_us / float_us, n);

  // Test vectors for the firmware: the first test images and the int8 model's answers.
  io::TestVectors v;
  v.count = std::min(o.test_vectors, splits.test.count);
  v.inputs = Model::kInputs;
  for (std::size_t i = 0; i < v.count; ++i) {
    v.images.insert(v.images.end(), splits.test.image(i), splits.test.image(i) + Model::kInputs);
    v.labels.push_back(splits.test.labels[i]);
    v.predicted.push_back(qmodel.predict(splits.test.image(i), logits, *ws));
    v.logits.insert(v.logits.end(), logits, logits + Model::kClasses);
  }
  io::write_quantized_model(o.output_file, q);
  io::write_quantized_header(o.header_file, q, QModel::kTypeName.view(), o.header_namespace,
                             "from " + o.checkpoint_file + ", " + std::to_string(calib) + " calibration images", v);
  std::printf("Wrote %s and %s (namespace %s, %zu test vectors)\n", o.output_file.c_str(), o.header_file.c_str(),
              o.header_namespace.c_str(), v.count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    cli::Flags flags("quantize",
                     "Quantizes a checkpoint written by train to int8 (weights per output channel, uint8\n"
                     "activations with zero points, int32 bias, fixed-point requantization) and writes a model\n"
                     "file and a C++ header for firmware.");
    flags.add_string("checkpoint-file", &o.checkpoint_file, "Checkpoint to quantize (required)");
    flags.add_string("output-file", &o.output_file, "Quantized model file (default: the checkpoint with .fnq)");
    flags.add_string("header-file", &o.header_file, "C++ header of the model (default: the checkpoint with _int8.hpp)");
    flags.add_string("header-namespace", &o.header_namespace, "Namespace of the header's definitions");
    flags.add_size("calibration-images", &o.calibration_images, "Training images that calibrate the activation ranges", 1,
                   1u << 30);
    flags.add_size("test-vectors", &o.test_vectors, "Test images baked into the header with their expected logits", 0,
                   10000);
    flags.add_string("data-dir", &o.data_dir, "Directory of the dataset files (default: the dataset's usual place)");
    flags.add_bool("allow-other-data", &o.allow_other_data,
                   "Go on (with a warning) when the data differs from what the checkpoint was trained on");
    flags.add_string("dataset", &o.dataset, "Dataset (default: the checkpoint's)", {"fashion-mnist", "cifar10"});
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    if (o.checkpoint_file.empty()) throw cli::UsageError("--checkpoint-file is required (see --help)");
    if (o.output_file.empty()) o.output_file = with_extension(o.checkpoint_file, ".fnq");
    if (o.header_file.empty()) o.header_file = with_extension(o.checkpoint_file, "_int8.hpp");
    if (!io::is_cpp_namespace_name(o.header_namespace))
      throw cli::UsageError("--header-namespace: '" + o.header_namespace +
                            "' is not a C++ namespace name (letters, digits and _, not starting with a digit, not a "
                            "keyword; a::b nests)");
    for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"output-file", o.output_file},
                                     {"header-file", o.header_file}})
      if (const std::string problem = io::output_path_problem(path); !problem.empty())
        throw cli::UsageError(std::string("--") + flag + " '" + path + "': " + problem);

    const io::Checkpoint checkpoint = io::read_checkpoint(o.checkpoint_file);
    const examples::CheckpointData loaded =
        examples::load_checkpoint_data(checkpoint, o.checkpoint_file, o.dataset, o.data_dir, o.allow_other_data, "quantize");
    const io::Splits& splits = loaded.splits;
    int status = 1;
    examples::visit_model(checkpoint.spec, [&](auto stack) {
      status = quantize<typename decltype(stack)::type::template Bind<Train<float, examples::kMaxBatch>>>(o, checkpoint,
                                                                                                         splits);
    });
    return status;
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "quantize: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quantize: error: %s\n", e.what());
    return 1;
  }
}
