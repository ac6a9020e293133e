// tests/support/datasets.hpp: small generated datasets in the real file formats (IDX, optionally
// gzip-compressed, and CIFAR-10 binary), learnable: the class sets the brightness of one band.
#pragma once

#if FIRMNET_HAVE_ZLIB
#include <zlib.h>
#endif

#include <cstdint>
#include <string>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/idx.hpp"
#include "support/temp_dir.hpp"

namespace firmnet::test {

struct GeneratedImages {
  std::vector<std::uint8_t> pixels;
  std::vector<Label> labels;
};

inline GeneratedImages generate_images(std::size_t count, std::size_t dim, std::uint64_t seed) {
  Rng rng(seed);
  GeneratedImages g;
  g.pixels.resize(count * dim);
  g.labels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto label = static_cast<Label>(rng.below(10));
    g.labels[i] = label;
    for (std::size_t j = 0; j < dim; ++j) {
      const bool band = (j * 10 / dim) == label;
      g.pixels[i * dim + j] = static_cast<std::uint8_t>(rng.below(100) + (band ? 150 : 0));
    }
  }
  return g;
}

#if FIRMNET_HAVE_ZLIB
inline void write_gzip(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}
inline constexpr bool kHaveGzip = true;
#else
inline void write_gzip(const std::string&, const std::vector<std::uint8_t>&) {}
inline constexpr bool kHaveGzip = false;
#endif

// Fashion-MNIST layout: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz] of 28x28 images.
// inverted: every pixel p written as 255 - p (other data of the same shape).
inline void write_fashion_mnist(const std::string& dir, std::size_t train_count, std::size_t test_count, bool gzip,
                                bool inverted = false) {
  const struct {
    const char* split;
    std::size_t count;
    std::uint64_t seed;
  } splits[] = {{"train", train_count, 1}, {"t10k", test_count, 2}};
  for (const auto& s : splits) {
    auto g = generate_images(s.count, 784, s.seed);
    if (inverted)
      for (auto& p : g.pixels) p = static_cast<std::uint8_t>(255 - p);
    const auto images = io::encode_idx_images(g.pixels, s.count, 28, 28);
    const auto labels = io::encode_idx_labels(g.labels);
    const std::string base = dir + "/" + s.split;
    if (gzip && kHaveGzip) {
      write_gzip(base + "-images-idx3-ubyte.gz", images);
      write_gzip(base + "-labels-idx1-ubyte.gz", labels);
    } else {
      write_bytes(base + "-images-idx3-ubyte", images);
      write_bytes(base + "-labels-idx1-ubyte", labels);
    }
  }
}

// CIFAR-10 layout: data_batch_1..5.bin and test_batch.bin, per_file records each.
inline void write_cifar10(const std::string& dir, std::size_t per_file) {
  for (int i = 1; i <= 6; ++i) {
    const auto g = generate_images(per_file, io::kCifar10ImageBytes, 10 + i);
    std::string path = dir;  // appended piecewise: GCC 12 warns falsely on "literal" + std::string&&
    if (i <= 5) {
      path += "/data_batch_";
      path += std::to_string(i);
      path += ".bin";
    } else {
      path += "/test_batch.bin";
    }
    write_bytes(path, io::encode_cifar10(g.pixels, g.labels));
  }
}

}  // namespace firmnet::test
