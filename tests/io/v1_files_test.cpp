// Files written by the firmnet before networks (checkpoint and .fnq format 1, tests/fixtures/v1)
// still load: the checkpoint as the network in:784|fc:10 (its tensors w, b as w1, b1), the .fnq
// as the same network with uint8 logits, every level shifted by 128.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/quant/qfc.hpp"

using namespace firmnet;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/v1/" + name; }
}  // namespace

TEST_CASE("a version-1 checkpoint from the firmnet before networks loads", "[io][checkpoint][v1]") {
  const io::Checkpoint c = io::read_checkpoint(fixture("linear.fnck"));
  REQUIRE(c.file_version == 1);
  REQUIRE(c.spec == "in:784|fc:10");
  REQUIRE(*c.find_metadata("model") == "linear");
  auto net = std::make_unique<LinearClassifier<784, 10, 1>>();
  auto norm = std::make_unique<Normalizer<784>>();
  io::load_checkpoint_into(c, "linear.fnck", *net, *norm);
  REQUIRE(net->layer<0>().w.storage[1234] == c.find_tensor("w1")->values[1234]);
  REQUIRE(norm->mean.storage[400] == c.find_tensor("input_mean")->values[400]);
}

TEST_CASE("a version-1 .fnq from the firmnet before networks loads and runs", "[io][quant][v1]") {
  quant::QuantizedModel q = io::read_quantized_model(fixture("linear.fnq"));
  REQUIRE(q.spec == "in:784|fc:10");
  REQUIRE(q.layers.size() == 1);
  REQUIRE(q.layers[0].op == "fc");
  REQUIRE(q.layers[0].output_min == 0);  // int8 -128..127 read as uint8 0..255
  REQUIRE(q.layers[0].output_max == 255);
  using Q = quant::QNetworkFor<LinearClassifier<784, 10, 1>>;
  const Q model = quant::bind<Q>(q);
  auto ws = std::make_unique<Q::Workspace>();
  std::uint8_t pixels[784], logits[10];
  for (std::size_t i = 0; i < 784; ++i) pixels[i] = static_cast<std::uint8_t>((i * 37) % 256);
  const Label c = model.predict(pixels, logits, *ws);
  REQUIRE(c < 10);
  for (std::size_t k = 0; k < 10; ++k) REQUIRE(logits[k] <= logits[c]);
}
