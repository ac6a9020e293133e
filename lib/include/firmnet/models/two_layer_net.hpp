// models/two_layer_net.hpp: the assignment's net, x(B,In) -> FC -> ReLU -> FC -> scores(B,Classes).
// Parameters "w1" (In,Hidden), "b1", "w2" (Hidden,Classes), "b2". The ReLU is fused into the first
// layer's GEMM epilogue; the first layer computes no input gradient. MaxBatch bounds the batch of
// one forward (1 for a firmware classifier, 64 to train). T is float, or double for gradient checks.
#pragma once

#include <array>
#include <cstddef>

#include "firmnet/layers/fc.hpp"
#include "firmnet/models/classifier.hpp"

namespace firmnet {

template <std::size_t In, std::size_t Hidden, std::size_t Classes, std::size_t MaxBatch = 64, class T = float>
struct TwoLayerNet {
  static_assert(Classes >= 2 && Classes <= kMaxClasses);
  using Scalar = T;
  static constexpr std::size_t kInputs = In, kHidden = Hidden, kClasses = Classes, kMaxBatch = MaxBatch;
  static constexpr const char* kKind = "two-layer";
  static constexpr std::array<std::size_t, 3> kShape{In, Hidden, Classes};
  static constexpr std::size_t kParamCount = In * Hidden + Hidden + Hidden * Classes + Classes;

  Fc<T, In, Hidden, MaxBatch, Activation::relu, /*GradInput=*/false> fc1;
  Fc<T, Hidden, Classes, MaxBatch, Activation::none, /*GradInput=*/true> fc2;

  ConstView<T, Classes> forward(ConstView<T, In> x) noexcept { return fc2.forward(fc1.forward(x)); }
  void backward(ConstView<T, Classes> dscores) noexcept {
    fc2.backward(dscores);
    fc1.backward(fc2.grad_input());
  }
  void predict(ConstView<T, In> x, Label* out) noexcept { argmax_rows(forward(x), out); }

  std::array<Param<T>, 4> params() noexcept {
    return {{{"w1", fc1.w.data(), fc1.dw.data(), In, Hidden, true},
             {"b1", fc1.b.data(), fc1.db.data(), 1, Hidden, false},
             {"w2", fc2.w.data(), fc2.dw.data(), Hidden, Classes, true},
             {"b2", fc2.b.data(), fc2.db.data(), 1, Classes, false}}};
  }
  void init(Rng& rng, T weight_scale) noexcept { init_gaussian(params(), rng, double(weight_scale)); }
};

}  // namespace firmnet
