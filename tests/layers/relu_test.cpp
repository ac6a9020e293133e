// layers/relu.hpp: numeric gradient check of the standalone ReLU layer.
#include <catch2/catch.hpp>

#include <vector>

#include "firmnet/layers/relu.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

TEST_CASE("relu layer gradient matches numeric gradient", "[layers][relu][gradcheck]") {
  static Relu<double, 13, 8> relu;
  for (const std::size_t batch : {1, 8}) {
    CAPTURE(batch);
    auto x = test::random_vector<double>(batch * 13, 40 + batch);
    const auto g = test::random_vector<double>(batch * 13, 50 + batch);
    auto loss = [&] {
      const auto y = relu.forward(ConstView<double, 13>(x.data(), batch));
      double sum = 0;
      for (std::size_t i = 0; i < batch * 13; ++i) sum += y.data()[i] * g[i];
      return sum;
    };
    loss();
    const auto dx_view = relu.backward(ConstView<double, 13>(g.data(), batch));
    const std::vector<double> dx(dx_view.data(), dx_view.data() + batch * 13);
    test::require_gradient("grad_x", loss, x.data(), dx.data(), dx.size());
  }
}
