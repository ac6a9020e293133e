// io/torch_layout.hpp and io/state_dict.hpp: every PyTorch element lands where
// docs/checkpoint-format.md 5.1 says (conv OIHW -> HWIO rows, Linear transposed, NCHW flatten
// order -> NHWC rows), the way back restores every bit, and tensors that do not fit are named.
// The state_dict names are those of the nn.Sequential export prints, found again in natural order.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "firmnet/io/architecture.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/state_dict.hpp"
#include "firmnet/io/torch_layout.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {

// An array whose element i is i: where each one lands shows the mapping.
io::NdArray counting(std::vector<std::size_t> shape) {
  io::NdArray a;
  a.shape = std::move(shape);
  a.values.resize(a.count());
  for (std::size_t i = 0; i < a.values.size(); ++i) a.values[i] = float(i);
  return a;
}

}  // namespace

TEST_CASE("torch layout: conv OIHW -> HWIO rows, dense after an image NCHW -> NHWC rows", "[io][torch_layout]") {
  // 3x3x2 image, conv 4 outputs 2x2 window -> 2x2x4, fc 5 on its 16 values.
  const io::Architecture a = io::parse_architecture("in:3x3x2|conv:4:2x2+relu|fc:5", "t");
  const std::vector<io::TorchParam> params = {
      {"0.weight", counting({4, 2, 2, 2})}, {"0.bias", counting({4})}, {"2.weight", counting({5, 16})}, {"2.bias", counting({5})}};
  const auto t = io::firmnet_params_from_torch(a, params, a.input, "t");
  REQUIRE(t.size() == 4);
  CHECK(t[0].name == "w1");
  CHECK((t[0].rows == 8 && t[0].cols == 4));
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t c = 0; c < 2; ++c)
      for (std::size_t ky = 0; ky < 2; ++ky)
        for (std::size_t kx = 0; kx < 2; ++kx)
          CHECK(t[0].values[((ky * 2 + kx) * 2 + c) * 4 + k] == float(((k * 2 + c) * 2 + ky) * 2 + kx));
  CHECK((t[1].name == "b1" && t[1].rows == 1 && t[1].cols == 4 && t[1].values[3] == 3.0f));
  CHECK((t[2].name == "w2" && t[2].rows == 16 && t[2].cols == 5));
  for (std::size_t y = 0; y < 2; ++y)
    for (std::size_t x = 0; x < 2; ++x)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t o = 0; o < 5; ++o)
          CHECK(t[2].values[((y * 2 + x) * 4 + c) * 5 + o] == float(o * 16 + (c * 2 + y) * 2 + x));

  io::Checkpoint c;
  c.tensors = t;
  const auto back = io::torch_params_from_firmnet(a, c, a.input, "t");
  REQUIRE(back.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(back[i].shape == params[i].array.shape);
    CHECK(back[i].values == params[i].array.values);
  }
}

TEST_CASE("torch layout: an MLP on a flattened (C, H, W) image permutes its first layer only", "[io][torch_layout]") {
  const io::Architecture a = io::parse_architecture("in:12|fc:3+relu|fc:2", "t");
  const io::ImageShape image{2, 2, 3};
  const std::vector<io::TorchParam> params = {
      {"1.weight", counting({3, 12})}, {"1.bias", counting({3})}, {"3.weight", counting({2, 3})}, {"3.bias", counting({2})}};
  const auto t = io::firmnet_params_from_torch(a, params, image, "t");
  CHECK(t[0].values[(1 * 3 + 2) * 3 + 0] == float((2 * 2 + 0) * 2 + 1));  // pixel (y 0, x 1), channel 2, output 0
  CHECK(t[2].values == std::vector<float>{0, 3, 1, 4, 2, 5});             // plain transpose
  io::Checkpoint c;
  c.tensors = t;
  CHECK(io::torch_params_from_firmnet(a, c, image, "t")[0].values == params[0].array.values);

  const auto mean = io::torch_input_mean({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, image);
  CHECK(mean.shape == std::vector<std::size_t>{3, 2, 2});
  CHECK(mean.values == std::vector<float>{0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11});
}

TEST_CASE("torch layout: tensors that do not fit their layer are named", "[io][torch_layout]") {
  const io::Architecture a = io::parse_architecture("in:4|fc:3", "t");
  auto fails = [&](std::vector<io::TorchParam> params, const std::string& why) {
    CHECK_THROWS_WITH(io::firmnet_params_from_torch(a, params, a.input, "w.npz"), Contains("w.npz: ") && Contains(why));
  };
  fails({{"0.weight", counting({4, 3})}, {"0.bias", counting({3})}},
        "'0.weight' is (4, 3); layer 1 (fc:3 on 4) needs (3, 4), PyTorch's Linear weight (out, in)");
  fails({{"0.weight", counting({3, 4})}, {"0.bias", counting({4})}}, "'0.bias' is (4,); layer 1 (fc:3 on 4) needs (3,)");
  io::NdArray ints;
  ints.shape = {3};
  ints.stored = io::StoredType::i64;
  ints.ints = {1, 2, 3};
  fails({{"0.weight", counting({3, 4})}, {"0.bias", ints}}, "'0.bias' holds int64 values");
  io::NdArray nan = counting({3, 4});
  nan.values[5] = std::numeric_limits<float>::quiet_NaN();
  fails({{"0.weight", nan}, {"0.bias", counting({3})}}, "'0.weight' holds a value that is not finite at index 5");
  fails({{"0.weight", counting({3, 4})}}, "1 parameter tensors for a network whose layer 1");
  fails({{"0.weight", counting({3, 4})}, {"0.bias", counting({3})}, {"1.weight", counting({3})}},
        "3 parameter tensors, the network in:4|fc:3 has 2");
  io::Checkpoint c;
  c.tensors = {{"w1", 4, 3, std::vector<float>(12)}};
  CHECK_THROWS_WITH(io::torch_params_from_firmnet(a, c, a.input, "m.fnck"), Contains("m.fnck: checkpoint has no tensor 'b1'"));
}

TEST_CASE("state_dict: export's Sequential and its names, import's natural order", "[io][state_dict]") {
  const io::Architecture mlp = io::parse_architecture("in:784|fc:128+relu|fc:64+relu|fc:10", "t");
  CHECK(io::torch_param_prefixes(mlp) == std::vector<std::string>{"1", "3", "5"});
  const io::Architecture cnn =
      io::parse_architecture("in:28x28x1|conv:16:3x3:p1+relu|maxpool:2|conv:32:3x3:p1+relu|maxpool:2|fc:10", "t");
  CHECK(io::torch_param_prefixes(cnn) == std::vector<std::string>{"0", "3", "7"});
  CHECK(io::torch_sequential(cnn) ==
        "torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), "
        "torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), "
        "torch.nn.Linear(1568, 10))");
  CHECK(io::torch_sequential(io::parse_architecture("in:9x9x3|conv:2:3x1:s2|gap|fc:4", "t")) ==
        "torch.nn.Sequential(torch.nn.Conv2d(3, 2, (3, 1), stride=2), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), "
        "torch.nn.Linear(2, 4))");

  const io::NdArray w = counting({2, 2}), b = counting({2});
  const std::vector<io::NamedArray> entries = {{"10.weight", &w}, {"10.bias", &b}, {"fc.weight", &w}, {"2.weight", &w},
                                               {"2.bias", &b},    {"conv1.weight", &w}};
  CHECK(io::weight_prefixes(entries) == std::vector<std::string>{"2", "10", "conv1", "fc"});
  std::vector<io::NamedArray> with_bn = entries;  // a batch norm's weight is not a layer's
  with_bn.push_back({"2.running_mean", &b});
  CHECK(io::weight_prefixes(with_bn) == std::vector<std::string>{"10", "conv1", "fc"});
  const auto params = io::pick_params(entries, {"2", "10", "conv1", "fc"}, "s.npz");
  REQUIRE(params.size() == 8);
  CHECK(params[2].name == "10.weight");
  CHECK(params[5].name == "conv1.bias (absent: zeros)");
  CHECK(params[5].array.values == std::vector<float>{0, 0});
  CHECK_THROWS_WITH(io::pick_params(entries, {"2", "10"}, "s.npz"),
                    Contains("s.npz: 'fc.weight', 'conv1.weight' belong to no layer of the network"));
  CHECK_THROWS_WITH(io::pick_params(entries, {"2", "fc1"}, "s.npz"), Contains("s.npz: no tensor 'fc1.weight'"));
}
