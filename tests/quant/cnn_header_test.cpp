// The committed firmware CNN (examples/firmware/fashion_mnist_cnn_int8.hpp, written by quantize on
// x86) gives the logits its header records, bit for bit, on the int8 variant this process runs:
// one ctest per variant (FIRMNET_QKERNELS; tests/CMakeLists.txt) on x86, aarch64 (neon, sdot) and
// armv7; the Cortex-M4 build checks the same vectors in firmware_infer_cnn under qemu-system-arm.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>
#include <string>

#include "firmnet/kernels/qgemm.hpp"
#include FIRMNET_TEST_CNN_HEADER

TEST_CASE("the firmware CNN gives its header's logits bit for bit on this int8 variant", "[quant][cnn_header]") {
  using Model = firmnet_model::Model;
  if (const char* wanted = std::getenv("FIRMNET_QKERNELS")) REQUIRE(std::string(firmnet::kernels::qgemm_name()) == wanted);
  std::printf("int8 variant: %s\n", firmnet::kernels::qgemm_name());
  auto ws = std::make_unique<Model::Workspace>();
  REQUIRE(firmnet_model::kTestImages >= 8);
  for (std::size_t i = 0; i < firmnet_model::kTestImages; ++i) {
    std::uint8_t logits[Model::kClasses];
    const auto pred = firmnet_model::model.predict(firmnet_model::test_images + i * Model::kInputs, logits, *ws);
    CAPTURE(i);
    REQUIRE(pred == firmnet_model::expected_predicted[i]);
    for (std::size_t c = 0; c < Model::kClasses; ++c) REQUIRE(logits[c] == firmnet_model::expected_logits[i * Model::kClasses + c]);
  }
}
