// io/architecture.hpp: specs the compiled networks write parse back to the same string, with the
// shapes and weight sizes of the compiled layers; the Stack<...> line names those layers; every
// malformed or non-canonical spec is refused, saying what is wrong.
#include <catch2/catch.hpp>

#include <string>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {

// The parsed spec has the compiled network's string and, per layer with parameters, its
// weight tensor's (fan-in, outputs).
template <class Stack>
void matches_compiled() {
  using Net = typename Stack::template Bind<Infer<float, 1>>;
  const std::string spec(Stack::kSpec.view());
  const io::Architecture a = io::parse_architecture(spec, "test");
  CHECK(a.spec() == spec);
  Net net;
  const auto params = net.params();
  std::size_t k = 0;
  for (const auto& l : a.layers) {
    if (!l.has_params()) continue;
    REQUIRE(k + 1 < params.size());
    CHECK(params[k].rows == l.fan_in());
    CHECK(params[k].cols == l.units);
    k += 2;
  }
  CHECK(k == params.size());
}

}  // namespace

TEST_CASE("architecture: the compiled networks' specs parse to their own layers", "[io][architecture]") {
  matches_compiled<Stack<Input<784>, Fc<128>, Relu, Fc<64>, Relu, Fc<10>>>();
  matches_compiled<Stack<Input<28, 28, 1>, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<32, 3, 3, Pad<1>>, Relu,
                         MaxPool<2>, Fc<10>>>();
  matches_compiled<Stack<Input<32, 32, 3>, Conv2d<8, 5, 3, Stride<2>, Pad<1>>, MaxPool<3, 2>, Relu, Flatten, Fc<10>>>();
  matches_compiled<Stack<Input<16, 16, 3>, Conv2d<4, 3, 3>, GlobalAvgPool, Fc<5>>>();
}

TEST_CASE("architecture: cnn:small's shapes and its Stack<...> line", "[io][architecture]") {
  const io::Architecture a =
      io::parse_architecture("in:28x28x1|conv:16:3x3:p1+relu|maxpool:2|conv:32:3x3:p1+relu|maxpool:2|fc:10", "t");
  REQUIRE(a.layers.size() == 5);
  CHECK(a.layers[0].out.text() == "28x28x16");
  CHECK(a.layers[1].out.text() == "14x14x16");
  CHECK(a.layers[3].out.text() == "7x7x32");
  CHECK(a.layers[4].in.text() == "7x7x32");
  CHECK(a.layers[4].fan_in() == 1568);
  CHECK(a.layers[2].fan_in() == 144);
  CHECK(a.stack_declaration() ==
        "Stack<Image, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Conv2d<32, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<10>>,");
  CHECK(io::parse_architecture("in:784|fc:300+relu|fc:10", "t").stack_declaration() == "Stack<Flat, Fc<300>, Relu, Fc<10>>,");
  CHECK(io::parse_architecture("in:20x20x2|conv:3:3x3:s2|maxpool:2:s1|relu|fc:4", "t").stack_declaration() ==
        "Stack<Input<20, 20, 2>, Conv2d<3, 3, 3, Stride<2>>, MaxPool<2, 1>, Relu, Fc<4>>,");
}

TEST_CASE("architecture: malformed, impossible and non-canonical specs are refused", "[io][architecture]") {
  auto refused = [](const std::string& spec, const std::string& why) {
    CHECK_THROWS_WITH(io::parse_architecture(spec, "m.fnck"), Contains("m.fnck: architecture '" + spec + "'") && Contains(why));
  };
  refused("fc:10", "a spec is in:<shape>|<layer>|...");
  refused("in:784", "a spec is in:<shape>|<layer>|...");
  refused("in:28x28|fc:10", "is not in:N or in:HxWxC");
  refused("in:0|fc:10", "is not in:N or in:HxWxC");
  refused("in:784|fc:0", "layer 1 'fc:0' is not fc:N");
  refused("in:784|fc:010", "layer 1 'fc:010' is not fc:N");
  refused("in:784|fc:99999999999", "is not fc:N");
  refused("in:784|maxpool:2+relu", "is not fc:N");
  refused("in:784|softmax", "layer 1 'softmax'");
  refused("in:784|conv:4:3x3", "window is larger than the padded 784 input");
  refused("in:8x8x1|conv:4:3x3:p3", "padding 3 is as wide as the window");
  refused("in:8x8x1|maxpool:9", "the 9x9 window is larger than the 8x8x1 input");
  refused("in:784|fc:10|relu", "write it as in:784|fc:10+relu");
  refused("in:28x28x1|maxpool:2:s2|fc:10", "write it as in:28x28x1|maxpool:2|fc:10");
  refused("in:28x28x1|conv:4:3x3:s1|fc:10", "write it as in:28x28x1|conv:4:3x3|fc:10");
  refused("in:1x1x784|fc:10", "write it as in:784|fc:10");
  refused("in:16777216x16777216x16777216|fc:10", "the input 16777216x16777216x16777216 is larger than firmnet's layers take");
  refused("in:32768x65536x1|conv:2:1x1|fc:10", "layer 1 conv:2:1x1: its output of 32768x65536x2 values is larger");
  // A huge window, padded to fit a tiny image and strided to one output: its fan-in would wrap.
  refused("in:1x1x2|conv:1:16777216x16777216:s16777216:p16777215|fc:10",
          "layer 1 conv:1:16777216x16777216:s16777216:p16777215: its 16777216x16777216 window over 2 channels is larger");
}
