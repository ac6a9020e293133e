// make_test_data DIR [VARIANT]: writes small learnable datasets in the real formats for the example
// tests: DIR/fashion-mnist (gzip IDX: 600 train, 100 test images) and DIR/cifar10 (5 x 60 + 60
// records). VARIANT makes other data of the same shape, to test that programs notice it:
// "inverted" (every Fashion-MNIST pixel p becomes 255 - p) or "larger" (700 training images).
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "support/datasets.hpp"

int main(int argc, char** argv) {
  const char* variant = argc == 3 ? argv[2] : "";
  if (argc < 2 || argc > 3 || (argc == 3 && std::strcmp(variant, "inverted") != 0 && std::strcmp(variant, "larger") != 0)) {
    std::fprintf(stderr, "usage: make_test_data DIR [inverted|larger]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir / "fashion-mnist");
  std::filesystem::create_directories(dir / "cifar10");
  const bool inverted = std::strcmp(variant, "inverted") == 0, larger = std::strcmp(variant, "larger") == 0;
  firmnet::test::write_fashion_mnist((dir / "fashion-mnist").string(), larger ? 700 : 600, 100, true, inverted);
  firmnet::test::write_cifar10((dir / "cifar10").string(), 60);
  return 0;
}
