// io/datasets.hpp: loads Fashion-MNIST or CIFAR-10 from a directory and splits it as the
// protocol does (../ANCHORS §5): val = the last num_val images of the training file, train = the
// first num_train (default: all the others), test = the test file. Pixels stay bytes, each image
// H x W x C in NHWC order (CIFAR-10's colour planes are interleaved on loading); the Normalizer
// (data/normalizer.hpp) scales and centres them on the train split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "firmnet/core/label.hpp"
#include "firmnet/data/image_set.hpp"

namespace firmnet::io {

struct LabelledImages {
  std::vector<std::uint8_t> pixels;  // (count, dim)
  std::vector<Label> labels;         // (count)
  std::size_t dim = 0;

  std::size_t count() const noexcept { return labels.size(); }
  ImageSet view() const noexcept { return {pixels.data(), labels.data(), labels.size(), dim}; }
};

struct Dataset {
  std::string name;  // "fashion-mnist" or "cifar10"
  std::size_t classes = 0;
  LabelledImages train;  // the whole training file(s)
  LabelledImages test;
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";  // Debian's dataset-fashion-mnist
inline constexpr const char* kCifar10Dir = "data/cifar-10-batches-bin";

bool is_known_dataset(const std::string& name);
std::size_t input_dim(const std::string& name);  // 784 or 3072
std::string input_shape_text(const std::string& name);  // "28x28x1" or "32x32x3" (H x W x C, NHWC)
ImageShape input_shape(const std::string& name);
std::string default_data_dir(const std::string& name);

// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] from dir.
Dataset load_fashion_mnist(const std::string& dir);
// Reads data_batch_1..5.bin and test_batch.bin from dir.
Dataset load_cifar10(const std::string& dir);
// By name; an empty dir means default_data_dir(name).
Dataset load_dataset(const std::string& name, const std::string& dir);

struct Splits {
  ImageSet train, val, test;
};

// num_train == 0 means "every training image that is not in val". Throws io::Error naming the
// flags when the split does not fit.
Splits split(const Dataset& data, std::size_t num_train, std::size_t num_val);

}  // namespace firmnet::io
