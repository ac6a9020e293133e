// libFuzzer: CIFAR-10 binary batches.
#include <cstddef>
#include <cstdint>
#include <span>

#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  firmnet::io::Cifar10Batch batch;
  try {
    firmnet::io::parse_cifar10(std::span(data, size), "fuzz", batch);
    if (batch.pixels.size() != batch.labels.size() * firmnet::io::kCifar10ImageBytes) __builtin_trap();
  } catch (const firmnet::io::Error&) {
  }
  return 0;
}
