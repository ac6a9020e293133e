// layers/conv2d.hpp, maxpool2d.hpp, global_avg_pool.hpp: numeric gradient checks in double for
// every stride, padding, window and channel count that matters; the float layers (im2col and the
// blocked GEMM of whichever variant FIRMNET_KERNELS picks) against the direct reference loops on
// odd shapes, partial batches and chunk boundaries; pooling bit for bit; spec tokens.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "firmnet/kernels/conv_ref.hpp"
#if FIRMNET_HAVE_XSIMD
#include "firmnet/kernels/elementwise_dispatch.hpp"
#endif
#include "firmnet/layers/conv2d.hpp"
#include "firmnet/layers/global_avg_pool.hpp"
#include "firmnet/layers/maxpool2d.hpp"
#include "support/gradcheck.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {
template <class Spec, class InShape, bool Relu = false, bool GradInput = true, class T = double, std::size_t MB = 5>
using Bound = typename Spec::template Layer<Bind<Train<T, MB>, InShape, GradInput, Relu>>;

// |got - want| relative to the scale of each output (Σ|terms|), as the GEMM tests measure it.
template <class T>
double worst_error(const std::vector<T>& got, const std::vector<T>& want, const std::vector<T>& scale) {
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])) / std::max(1e-20, double(scale[i])));
  return worst;
}
template <class T>
std::vector<T> abs_of(std::vector<T> v) {
  for (auto& x : v) x = std::fabs(x);
  return v;
}

// The layer L on `batch` random images against conv2d_fwd_ref / conv2d_bwd_ref: within 1e-5 of
// each output's scale in float (any summation order, FMA or not), 1e-12 in double.
template <class L>
void check_against_reference(std::size_t batch, std::uint64_t seed) {
  using T = typename L::T;
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  constexpr auto g = L::kGeometry;
  constexpr std::size_t K = L::kOut / L::kPixels;
  auto layer = std::make_unique<L>();
  Rng rng(seed);
  test::fill_normal(layer->w.data(), L::kPatch * K, rng);
  test::fill_normal(layer->b.data(), K, rng);
  const auto x = test::random_vector<T>(batch * L::kIn, seed + 1);
  std::vector<T> scratch(L::kScratch + 1), y(batch * L::kOut), want(batch * L::kOut), scale(batch * L::kOut);
  layer->forward(ConstView<T, L::kIn>(x.data(), batch), View<T, L::kOut>(y.data(), batch), scratch);
  kernels::conv2d_fwd_ref(g, batch, K, x.data(), layer->w.data(), layer->b.data(), L::kRelu, want.data());
  const auto aw = abs_of(std::vector<T>(layer->w.data(), layer->w.data() + L::kPatch * K));
  const auto ab = abs_of(std::vector<T>(layer->b.data(), layer->b.data() + K));
  kernels::conv2d_fwd_ref(g, batch, K, abs_of(x).data(), aw.data(), ab.data(), false, scale.data());
  REQUIRE(worst_error(y, want, scale) < tol);

  auto dy = test::random_vector<T>(batch * L::kOut, seed + 2);
  if constexpr (L::kRelu)
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = y[i] > 0 ? dy[i] : T(0);  // the reference takes dz
  const auto dz = dy;
  std::vector<T> dx(batch * L::kIn), dw(L::kPatch * K), db(K), dx_ref(batch * L::kIn);
  layer->backward(ConstView<T, L::kIn>(x.data(), batch), ConstView<T, L::kOut>(y.data(), batch),
                  View<T, L::kOut>(dy.data(), batch), View<T, L::kIn>(dx.data(), batch), scratch);
  kernels::conv2d_bwd_ref(g, batch, K, x.data(), layer->w.data(), dz.data(), dw.data(), db.data(), dx_ref.data());
  std::vector<T> sdw(dw.size()), sdb(db.size()), sdx(dx.size());
  kernels::conv2d_bwd_ref(g, batch, K, abs_of(x).data(), aw.data(), abs_of(dz).data(), sdw.data(), sdb.data(), sdx.data());
  REQUIRE(worst_error(std::vector<T>(layer->dw.data(), layer->dw.data() + dw.size()), dw, sdw) < tol);
  REQUIRE(worst_error(std::vector<T>(layer->db.data(), layer->db.data() + K), db, sdb) < tol);
  if constexpr (L::kGradInput) REQUIRE(worst_error(dx, dx_ref, sdx) < tol);
}
}  // namespace

TEST_CASE("conv2d gradients match numeric gradients", "[layers][conv][gradcheck]") {
  test::RequireSmallError report;
  check::layer<Bound<Conv2d<3, 3, 3, Pad<1>>, Shape<5, 4, 2>>>(2, 1, report);          // 3x3, padding 1, H != W
  check::layer<Bound<Conv2d<4, 3, 3, Stride<2>>, Shape<7, 6, 3>>>(1, 2, report);       // stride 2, no padding, C = 3
  check::layer<Bound<Conv2d<2, 5, 5, Pad<2>>, Shape<6, 5, 1>>>(3, 3, report);          // 5x5, padding 2, C = 1
  check::layer<Bound<Conv2d<3, 3, 2, Stride<2>, Pad<1>>, Shape<5, 5, 2>, true>>(2, 4, report);  // fused ReLU
  check::layer<Bound<Conv2d<5, 1, 1>, Shape<3, 4, 3>>>(2, 5, report);                  // 1x1: no im2col
  check::layer<Bound<Conv2d<4, 2, 2, Stride<2>, Pad<1>>, Shape<4, 3, 2>, false, false>>(3, 6, report);  // first layer
}

TEST_CASE("max and average pooling gradients match numeric gradients", "[layers][pool][gradcheck]") {
  test::RequireSmallError report;
  check::layer<Bound<MaxPool<2>, Shape<6, 4, 3>>>(2, 7, report);
  check::layer<Bound<MaxPool<2>, Shape<5, 7, 2>>>(1, 8, report);      // odd sizes: the last row and column drop
  check::layer<Bound<MaxPool<3, 2>, Shape<7, 7, 2>>>(2, 9, report);   // overlapping windows
  check::layer<Bound<GlobalAvgPool, Shape<3, 5, 4>>>(3, 10, report);
}

TEST_CASE("conv2d on the blocked GEMM equals the direct loops", "[layers][conv]") {
  using F = float;
  check_against_reference<Bound<Conv2d<7, 3, 3, Pad<1>>, Shape<9, 11, 3>, true, true, F, 6>>(5, 11);
  check_against_reference<Bound<Conv2d<5, 5, 5, Stride<2>, Pad<2>>, Shape<13, 8, 1>, false, true, F, 4>>(4, 12);
  check_against_reference<Bound<Conv2d<16, 1, 1>, Shape<7, 5, 9>, true, true, F, 3>>(3, 13);
  check_against_reference<Bound<Conv2d<3, 2, 3, Stride<3>>, Shape<10, 10, 2>, false, false, F, 2>>(1, 14);
  check_against_reference<Bound<Conv2d<33, 3, 3, Pad<1>>, Shape<4, 4, 17>, false, true, F, 65>>(65, 15);
  check_against_reference<Bound<Conv2d<4, 3, 2, Pad<1>>, Shape<6, 7, 5>, true, true, F, 3>>(3, 17);  // KH != KW
  // The forward reads the padded images in place (conv_direct.hpp): first layers of 1 and 3
  // channels, rows of 1 to 3 tiles (widths 5, 19, 30), one-vector (K = 16) and partial panels
  // (K = 20, 40), stride 2 with and without padding, and dx through padded dz (KH - 1 - P of 0,
  // 1 and 2 zeros).
  check_against_reference<Bound<Conv2d<16, 3, 3, Pad<1>>, Shape<30, 19, 1>, true, false, F, 3>>(3, 19);
  check_against_reference<Bound<Conv2d<20, 5, 5, Pad<2>>, Shape<11, 5, 3>, true, false, F, 2>>(2, 20);
  check_against_reference<Bound<Conv2d<40, 3, 3, Stride<2>>, Shape<9, 19, 3>, false, true, F, 2>>(2, 21);
  check_against_reference<Bound<Conv2d<9, 3, 3, Stride<2>, Pad<1>>, Shape<10, 9, 8>, true, true, F, 3>>(3, 22);
  check_against_reference<Bound<Conv2d<8, 3, 3, Pad<2>>, Shape<5, 19, 8>, false, true, F, 2>>(2, 23);
  check_against_reference<Bound<Conv2d<24, 5, 5, Pad<1>>, Shape<7, 30, 9>, true, true, F, 2>>(2, 24);
  check_against_reference<Bound<Conv2d<32, 5, 5, Pad<2>>, Shape<14, 14, 32>, true, true, F, 2>>(2, 25);
  // Without SIMD (here: double) the columns are written, several chunks of images (3 images of
  // 28x28x16 windows per chunk), a partial one last.
  using Chunked = Bound<Conv2d<8, 5, 5, Pad<2>>, Shape<28, 28, 16>, true, true, double, 7>;
  STATIC_REQUIRE(Chunked::kImagesPerChunk == 3);
  check_against_reference<Chunked>(7, 16);
  check_against_reference<Bound<Conv2d<3, 3, 3, Stride<2>, Pad<1>>, Shape<9, 8, 2>, false, true, double, 3>>(3, 18);
}

TEST_CASE("conv2d by Winograd's F(4x4, 3x3) and F(2x2, 5x5) equals the direct loops", "[layers][conv]") {
  using F = float;
  // Forward and dx (a convolution of dz, padded by KH - 1 - P): odd output sizes (tiles cut at
  // the last row and column), H != W, padding 0 to 2, batches of several chunks of tiles, K of
  // one vector of 16 (AVX-512's one-vector panels) and 48.
  using W3 = Bound<Conv2d<16, 3, 3, Pad<1>>, Shape<9, 11, 16>, true, true, F, 6>;
  using W5 = Bound<Conv2d<32, 5, 5, Pad<2>>, Shape<14, 14, 32>, true, true, F, 3>;
  STATIC_REQUIRE(W3::kWinograd == bool(FIRMNET_HAVE_XSIMD));
  STATIC_REQUIRE(W3::kWinogradDx == bool(FIRMNET_HAVE_XSIMD));
  STATIC_REQUIRE(W5::kWinograd == bool(FIRMNET_HAVE_XSIMD));
  STATIC_REQUIRE(W5::kWinogradDx == bool(FIRMNET_HAVE_XSIMD));
  check_against_reference<W3>(6, 31);
  check_against_reference<W3>(1, 32);
  check_against_reference<W5>(3, 33);
  check_against_reference<Bound<Conv2d<32, 3, 3>, Shape<10, 7, 16>, false, true, F, 2>>(2, 34);
  check_against_reference<Bound<Conv2d<48, 3, 3, Pad<2>>, Shape<5, 6, 32>, true, true, F, 3>>(3, 35);
  check_against_reference<Bound<Conv2d<16, 5, 5, Pad<1>>, Shape<8, 13, 32>, true, true, F, 2>>(2, 36);
  check_against_reference<Bound<Conv2d<64, 5, 5>, Shape<9, 9, 16>, false, true, F, 2>>(2, 37);
  // Not where a channel count, in or out, is not a multiple of 16: the direct convolution.
  using Fwd = Bound<Conv2d<32, 3, 3, Pad<1>>, Shape<7, 7, 8>, true, true, F, 2>;
  STATIC_REQUIRE(!Fwd::kWinograd);
  using Dx = Bound<Conv2d<8, 5, 5, Pad<2>>, Shape<7, 9, 32>, true, true, F, 2>;
  STATIC_REQUIRE(!Dx::kWinograd);
  using FwdOnly = Bound<Conv2d<16, 3, 3, Pad<1>>, Shape<7, 7, 24>, true, true, F, 2>;
  STATIC_REQUIRE(!FwdOnly::kWinograd);
}

TEST_CASE("pooling equals the reference loops bit for bit", "[layers][pool]") {
  // Tiling windows (stride = window), also with rows and columns no window covers (7 x 9 by 2,
  // 11 x 10 by 3) and channels past the last vector (19, 35: of 4, 8 and 16 floats); overlapping
  // windows (3x3 stride 2, 2x2 stride 1), one on whole vectors of every width (32 channels).
  for (const auto g : {kernels::ConvGeometry{6, 4, 3, 2, 2, 2, 0}, kernels::ConvGeometry{7, 9, 5, 3, 3, 2, 0},
                       kernels::ConvGeometry{5, 5, 1, 2, 2, 1, 0}, kernels::ConvGeometry{7, 9, 5, 2, 2, 2, 0},
                       kernels::ConvGeometry{8, 6, 19, 2, 2, 2, 0}, kernels::ConvGeometry{11, 10, 3, 3, 3, 3, 0},
                       kernels::ConvGeometry{7, 5, 35, 2, 2, 2, 0}, kernels::ConvGeometry{7, 7, 32, 3, 3, 2, 0}}) {
    CAPTURE(g.h, g.w, g.c, g.kh, g.stride);
    const std::size_t batch = 3, in = g.h * g.w * g.c, out = g.oh() * g.ow() * g.c;
    auto x = test::random_vector<float>(batch * in, 20);
    for (std::size_t i = 0; i < x.size(); i += 7) x[i] = x[(i + 1) % x.size()];  // ties: the first maximum wins
    const auto dy = test::random_vector<float>(batch * out, 21);
    std::vector<float> y(batch * out), y_ref(batch * out), dx(batch * in, std::numeric_limits<float>::quiet_NaN()),
        dx_ref(batch * in);  // dx is overwritten: every value, under a window or not
    kernels::maxpool_fwd(g, batch, x.data(), y.data());
    kernels::maxpool_fwd_ref(g, batch, x.data(), y_ref.data());
    REQUIRE(y == y_ref);
    kernels::maxpool_bwd(g, batch, x.data(), y.data(), dy.data(), dx.data());
    kernels::maxpool_bwd_ref(g, batch, x.data(), dy.data(), dx_ref.data());
    REQUIRE(std::memcmp(dx.data(), dx_ref.data(), dx.size() * sizeof(float)) == 0);  // signed zeros too
#if FIRMNET_HAVE_XSIMD
    for (const auto& v : kernels::elementwise_variants()) {  // every width this CPU runs, whichever is active
      if (!v.supported) continue;
      CAPTURE(v.name);
      std::fill(y.begin(), y.end(), -1.0f);
      std::fill(dx.begin(), dx.end(), std::numeric_limits<float>::quiet_NaN());
      v.maxpool_fwd(g, 0, batch, x.data(), y.data());
      REQUIRE(y == y_ref);
      v.maxpool_bwd(g, 0, batch, x.data(), y.data(), dy.data(), dx.data());
      REQUIRE(std::memcmp(dx.data(), dx_ref.data(), dx.size() * sizeof(float)) == 0);
    }
#endif
  }
  const auto x = test::random_vector<float>(2 * 12 * 5, 22);
  std::vector<float> a(10), b(10);
  kernels::avgpool_global_fwd(2, 12, 5, x.data(), a.data());
  kernels::avgpool_global_fwd_ref(2, 12, 5, x.data(), b.data());
  REQUIRE(a == b);
}

TEST_CASE("conv and pooling spec tokens", "[layers][conv]") {
  STATIC_REQUIRE(Bound<Conv2d<32, 5, 5, Pad<2>>, Shape<28, 28, 1>, true>::kSpec.view() == std::string_view("conv:32:5x5:p2+relu"));
  STATIC_REQUIRE(Bound<Conv2d<8, 3, 3, Stride<2>>, Shape<9, 9, 3>>::kSpec.view() == std::string_view("conv:8:3x3:s2"));
  STATIC_REQUIRE(Bound<MaxPool<2>, Shape<4, 4, 1>>::kSpec.view() == std::string_view("maxpool:2"));
  STATIC_REQUIRE(Bound<MaxPool<3, 2>, Shape<5, 5, 1>>::kSpec.view() == std::string_view("maxpool:3:s2"));
  STATIC_REQUIRE(Bound<GlobalAvgPool, Shape<4, 4, 3>>::kSpec.view() == std::string_view("gap"));
  using L = Bound<Conv2d<32, 5, 5, Pad<2>>, Shape<28, 28, 1>>;
  STATIC_REQUIRE(std::is_same_v<L::Out, Shape<28, 28, 32>>);
  STATIC_REQUIRE(std::is_same_v<Bound<Conv2d<4, 3, 3, Stride<2>>, Shape<7, 6, 3>>::Out, Shape<3, 2, 4>>);
}
