// make_test_data DIR: writes small learnable datasets in the real formats for the example tests:
// DIR/fashion-mnist (gzip IDX: 600 train, 100 test images) and DIR/cifar10 (5 x 60 + 60 records).
#include <cstdio>
#include <filesystem>

#include "support/datasets.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_test_data DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir / "fashion-mnist");
  std::filesystem::create_directories(dir / "cifar10");
  firmnet::test::write_fashion_mnist((dir / "fashion-mnist").string(), 600, 100, true);
  firmnet::test::write_cifar10((dir / "cifar10").string(), 60);
  return 0;
}
