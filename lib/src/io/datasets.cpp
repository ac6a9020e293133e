// Dataset discovery, loading and splitting; see io/datasets.hpp.
#include "firmnet/io/datasets.hpp"

#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/idx.hpp"

namespace firmnet::io {

namespace {

// dir/base.gz, else dir/base (Debian ships .gz; a user may have unpacked them).
std::string find_idx(const std::string& dir, const std::string& base) {
  for (const std::string& candidate : {dir + "/" + base + ".gz", dir + "/" + base})
    if (file_exists(candidate)) return candidate;
  throw Error(dir + ": no " + base + ".gz or " + base +
              " found (install Debian's dataset-fashion-mnist, or point --data-dir at the IDX files)");
}

LabelledImages load_idx_pair(const std::string& dir, const std::string& split) {
  const std::string images_path = find_idx(dir, split + "-images-idx3-ubyte");
  const std::string labels_path = find_idx(dir, split + "-labels-idx1-ubyte");
  IdxImages images = read_idx_images(images_path);
  if (images.rows != 28 || images.cols != 28)
    throw Error(images_path + ": images are " + std::to_string(images.rows) + "x" + std::to_string(images.cols) +
                ", Fashion-MNIST images are 28x28");
  LabelledImages out;
  out.labels = read_idx_labels(labels_path, 10);
  if (out.labels.size() != images.count)
    throw Error(images_path + " holds " + std::to_string(images.count) + " images but " + labels_path + " holds " +
                std::to_string(out.labels.size()) + " labels");
  out.pixels = std::move(images.pixels);
  out.dim = 784;
  return out;
}

// CIFAR-10 files store each image as three 32x32 planes (R, G, B); firmnet's images are NHWC,
// (y, x, channel) interleaved, so one layout serves dense and convolutional networks.
LabelledImages to_labelled(Cifar10Batch&& batch) {
  LabelledImages out;
  out.pixels.resize(batch.pixels.size());
  for (std::size_t i = 0; i < batch.labels.size(); ++i) {
    const std::uint8_t* planes = batch.pixels.data() + i * kCifar10ImageBytes;
    std::uint8_t* hwc = out.pixels.data() + i * kCifar10ImageBytes;
    for (std::size_t p = 0; p < 1024; ++p)
      for (std::size_t c = 0; c < 3; ++c) hwc[p * 3 + c] = planes[c * 1024 + p];
  }
  out.labels = std::move(batch.labels);
  out.dim = kCifar10ImageBytes;
  return out;
}

}  // namespace

bool is_known_dataset(const std::string& name) { return name == "fashion-mnist" || name == "cifar10"; }

ImageShape input_shape(const std::string& name) {
  if (name == "fashion-mnist") return {28, 28, 1};
  if (name == "cifar10") return {32, 32, 3};
  throw Error("unknown dataset '" + name + "' (known: fashion-mnist, cifar10)");
}

std::size_t input_dim(const std::string& name) { return input_shape(name).size(); }

std::string input_shape_text(const std::string& name) {
  const ImageShape s = input_shape(name);
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

std::string default_data_dir(const std::string& name) {
  if (name == "fashion-mnist") return kFashionMnistDir;
  if (name == "cifar10") return kCifar10Dir;
  throw Error("unknown dataset '" + name + "' (known: fashion-mnist, cifar10)");
}

Dataset load_fashion_mnist(const std::string& dir) {
  Dataset data;
  data.name = "fashion-mnist";
  data.classes = 10;
  data.train = load_idx_pair(dir, "train");
  data.test = load_idx_pair(dir, "t10k");
  return data;
}

Dataset load_cifar10(const std::string& dir) {
  Dataset data;
  data.name = "cifar10";
  data.classes = kCifar10Classes;
  Cifar10Batch train;
  for (int i = 1; i <= 5; ++i) {
    const std::string path = dir + "/data_batch_" + std::to_string(i) + ".bin";
    if (!file_exists(path))
      throw Error(path + ": not found (CIFAR-10 binary version: data_batch_1..5.bin and test_batch.bin; pass --data-dir)");
    parse_cifar10(read_file(path), path, train);
  }
  const std::string test_path = dir + "/test_batch.bin";
  if (!file_exists(test_path)) throw Error(test_path + ": not found (pass --data-dir)");
  data.train = to_labelled(std::move(train));
  data.test = to_labelled(read_cifar10(test_path));
  return data;
}

Dataset load_dataset(const std::string& name, const std::string& dir) {
  const std::string where = dir.empty() ? default_data_dir(name) : dir;
  if (name == "fashion-mnist") return load_fashion_mnist(where);
  if (name == "cifar10") return load_cifar10(where);
  throw Error("unknown dataset '" + name + "' (known: fashion-mnist, cifar10)");
}

Splits split(const Dataset& data, std::size_t num_train, std::size_t num_val) {
  const std::size_t total = data.train.count();
  if (num_val >= total)
    throw Error("--num-val " + std::to_string(num_val) + " leaves no training images: " + data.name + " has " +
                std::to_string(total) + " training images");
  const std::size_t available = total - num_val;
  if (num_train == 0) num_train = available;
  if (num_train > available)
    throw Error("--num-train " + std::to_string(num_train) + " is more than the " + std::to_string(available) +
                " training images of " + data.name + " left after the " + std::to_string(num_val) + " validation images");
  const ImageSet all = data.train.view();
  return {all.slice(0, num_train), all.slice(total - num_val, num_val), data.test.view()};
}

}  // namespace firmnet::io
