// kernels/gemm.hpp and every compiled GEMM variant (AVX-512, AVX2, the baseline ISA; under qemu
// the ARM ones) against the scalar reference: the three forms, overwrite and accumulate, the
// bias and bias+ReLU epilogues, on edge shapes around every block size and on the model's shapes.
#include <catch2/catch.hpp>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "firmnet/kernels/elementwise_ref.hpp"
#include "firmnet/kernels/gemm.hpp"
#include "firmnet/kernels/gemm_ref.hpp"
#include "firmnet/kernels/thread_pool.hpp"
#include "support/cpu.hpp"
#include "support/random.hpp"

using namespace firmnet;

namespace {

struct Shape {
  std::size_t m, n, k;
};

// Sizes around every register and cache block edge (MR 4/6/8, NR 8/16/32, KC 256, MC 120/128,
// NC 256/1024), the AVX2 paths' edges, plus the model's shapes as the layers call them.
std::vector<Shape> test_shapes() {
  std::vector<Shape> shapes;
  const std::size_t edge[] = {1, 7, 13, 63, 65, 127, 129};
  for (const auto m : edge)
    for (const auto n : edge) shapes.push_back({m, n, (m * 7 + n * 3) % 130 + 1});
  for (const std::size_t k : {1, 2, 17, 255, 256, 257, 513})
    shapes.push_back({9, 33, k});
  shapes.push_back({300, 40, 20});    // m > MC
  shapes.push_back({5, 1100, 9});     // n > NC
  shapes.push_back({130, 1030, 260}); // all three blocks split (AVX2: A copied, B in 1024-column blocks)
  shapes.push_back({127, 600, 300});  // AVX2: A copied with a 7-row block (a 1-row edge), one partial B block
  // 2-4 rows (small-M path, its several-row tiles) with n % W columns left over, shallow and deep.
  for (const Shape s : {Shape{2, 13, 37}, Shape{3, 10, 128}, Shape{4, 7, 300}, Shape{4, 33, 65}, Shape{2, 1, 1},
                        Shape{3, 17, 2}})
    shapes.push_back(s);
  // AVX2: 9-12 columns as Cᵀ tiles (rows past a multiple of 8 one at a time); one row against a B
  // of more than 16 KiB, walked in depth chunks (partial last chunk, a 2- and a 16-column tail); 6-row
  // tiles reading A in place with 4- and 1-row edges, also on a partial panel of columns; K split
  // into equal blocks (600 = 3 x 200).
  for (const Shape s : {Shape{13, 11, 40}, Shape{70, 12, 9}, Shape{8, 9, 300}, Shape{1, 130, 1100},
                        Shape{1, 144, 1100}, Shape{3, 128, 1100}, Shape{64, 20, 300}, Shape{61, 40, 70},
                        Shape{64, 128, 600}})
    shapes.push_back(s);
  // AVX2: one row against a chunked B of more than 1 MiB, in tiles of 15 vectors: 15 + 1 (the
  // 1 x 128 x 3072 layout), and 15 + 8 + 1 vectors with a narrow tail of 8 columns.
  for (const Shape s : {Shape{1, 128, 2100}, Shape{1, 200, 1400}})
    shapes.push_back(s);
  // nt form, Cᵀ tiles: AVX2 16 and 32 rows with a 2- and a 1-row edge of B, 600 = 3 K blocks of
  // 200; AVX-512 (and AVX2) 32 and 96 rows with 5- and 3-row edges (AVX-512: 8-row tiles).
  for (const Shape s : {Shape{16, 50, 40}, Shape{32, 97, 600}, Shape{32, 101, 64}, Shape{96, 203, 200}})
    shapes.push_back(s);
  // AVX2, A in place: a block's last 7, 8 or 9 rows as two tiles (4 + 3, 4 + 4, 5 + 4), also in a
  // second block of A (128 = 120 + 8). Packed panels: A's 6-wide ones (tn) with 1-3 depth steps
  // (the exact last step alone, and one pair), B's in groups of 8 steps with 1-7 left over.
  for (const Shape s : {Shape{31, 40, 70}, Shape{32, 128, 300}, Shape{33, 64, 50}, Shape{128, 48, 100},
                        Shape{20, 40, 3}, Shape{200, 300, 13}})
    shapes.push_back(s);
  for (const Shape s : {Shape{64, 128, 784}, Shape{784, 128, 64}, Shape{64, 784, 128}, Shape{64, 10, 128},
                        Shape{128, 10, 64}, Shape{64, 128, 10}, Shape{1, 128, 784}, Shape{1, 10, 128},
                        Shape{37, 128, 784}})
    shapes.push_back(s);
  return shapes;
}

std::vector<float> abs_of(const std::vector<float>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = std::fabs(v[i]);
  return out;
}

// Relative 1e-5 of each output's natural scale, Σ_p |a_ip·b_pj| (+ |c| when accumulating, + |bias|):
// the error bound of a float dot product whatever the summation order or FMA use.
double worst_error(const std::vector<float>& got, const std::vector<float>& want, const std::vector<float>& scale) {
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) != std::isnan(want[i])) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])) / std::max(1e-30, double(scale[i])));
  }
  return worst;
}

constexpr double kTol = 1e-5;

enum class Form { nn, tn, nt };
const char* name(Form f) { return f == Form::nn ? "nn" : f == Form::tn ? "tn" : "nt"; }

void reference(Form f, Shape s, const float* a, const float* b, float* c, bool acc) {
  if (f == Form::nn) kernels::gemm_nn_ref(s.m, s.n, s.k, a, b, c, acc);
  if (f == Form::tn) kernels::gemm_tn_ref(s.m, s.n, s.k, a, b, c, acc);
  if (f == Form::nt) kernels::gemm_nt_ref(s.m, s.n, s.k, a, b, c, acc);
}

// Exactly the scratch the bound promises for the form (so a bound too small trips the GEMM's
// precondition check), at least one float so data() is never null.
std::size_t scratch_floats(Form f, Shape s) {
  if (f == Form::nn) return kernels::gemm_nn_scratch(s.m, s.n, s.k);
  if (f == Form::tn) return kernels::gemm_tn_scratch(s.m, s.n, s.k);
  return kernels::gemm_nt_scratch(s.m, s.n, s.k);
}

// The kernel under test: (form, shape, a, b, c, accumulate).
using Gemm = std::function<void(Form, Shape, const float*, const float*, float*, bool)>;

void check_forms(const std::string& label, const Gemm& gemm) {
  for (const Form form : {Form::nn, Form::tn, Form::nt})
    for (const Shape s : test_shapes()) {
      CAPTURE(label, name(form), s.m, s.n, s.k);
      const auto a = test::random_vector<float>(s.m * s.k, 1 + s.m);  // (m,k), or (k,m) for tn
      const auto b = test::random_vector<float>(s.k * s.n, 2 + s.n);  // (k,n), or (n,k) for nt
      const auto c0 = test::random_vector<float>(s.m * s.n, 3 + s.k);
      for (const bool accumulate : {false, true}) {
        CAPTURE(accumulate);
        std::vector<float> want = c0, scale = abs_of(c0);
        std::vector<float> got(c0.size(), std::numeric_limits<float>::quiet_NaN());  // never read when overwriting
        if (accumulate) got = c0;
        reference(form, s, a.data(), b.data(), want.data(), accumulate);
        gemm(form, s, a.data(), b.data(), got.data(), accumulate);
        reference(form, s, abs_of(a).data(), abs_of(b).data(), scale.data(), accumulate);
        REQUIRE(worst_error(got, want, scale) < kTol);
      }
    }
}

void check_epilogues(const std::string& label, const std::function<void(Shape, const float*, const float*, const float*,
                                                                        float*, bool relu)>& gemm) {
  for (const Shape s : test_shapes()) {
    CAPTURE(label, s.m, s.n, s.k);
    const auto a = test::random_vector<float>(s.m * s.k, 11 + s.m);
    const auto b = test::random_vector<float>(s.k * s.n, 12 + s.n);
    const auto bias = test::random_vector<float>(s.n, 13 + s.k);
    std::vector<float> scale(s.m * s.n);
    for (std::size_t i = 0; i < s.m; ++i)
      for (std::size_t j = 0; j < s.n; ++j) scale[i * s.n + j] = std::fabs(bias[j]);
    kernels::gemm_nn_ref(s.m, s.n, s.k, abs_of(a).data(), abs_of(b).data(), scale.data(), true);
    for (const bool relu : {false, true}) {
      CAPTURE(relu);
      std::vector<float> want(s.m * s.n), got(s.m * s.n, std::numeric_limits<float>::quiet_NaN());
      if (relu) kernels::gemm_nn_bias_relu_ref(s.m, s.n, s.k, a.data(), b.data(), bias.data(), want.data());
      else kernels::gemm_nn_bias_ref(s.m, s.n, s.k, a.data(), b.data(), bias.data(), want.data());
      gemm(s, a.data(), b.data(), bias.data(), got.data(), relu);
      REQUIRE(worst_error(got, want, scale) < kTol);
      if (relu)
        for (const float v : got) REQUIRE(v >= 0.f);
    }
  }
}

}  // namespace

TEST_CASE("gemm: the three forms equal the reference", "[kernels][gemm]") {
  check_forms("kernels::gemm_*", [](Form f, Shape s, const float* a, const float* b, float* c, bool acc) {
    std::vector<float> scratch(scratch_floats(f, s));
    if (f == Form::nn) kernels::gemm_nn(s.m, s.n, s.k, a, b, c, acc, scratch);
    if (f == Form::tn) kernels::gemm_tn(s.m, s.n, s.k, a, b, c, acc, scratch);
    if (f == Form::nt) kernels::gemm_nt(s.m, s.n, s.k, a, b, c, acc, scratch);
  });
}

TEST_CASE("gemm: bias and bias+relu epilogues equal the reference", "[kernels][gemm]") {
  check_epilogues("kernels::gemm_nn_bias*", [](Shape s, const float* a, const float* b, const float* bias, float* c, bool relu) {
    std::vector<float> scratch(kernels::gemm_nn_scratch(s.m, s.n, s.k));
    if (relu) kernels::gemm_nn_bias_relu(s.m, s.n, s.k, a, b, bias, c, scratch);
    else kernels::gemm_nn_bias(s.m, s.n, s.k, a, b, bias, c, scratch);
  });
}

TEST_CASE("gemm: the product in two halves of k equals the reference", "[kernels][gemm]") {
  check_epilogues("kernels::gemm_nn_bias_halves", [](Shape s, const float* a, const float* b, const float* bias, float* c, bool relu) {
    std::vector<float> scratch(kernels::gemm_nn_halves_scratch(s.m, s.n, s.k));
    kernels::gemm_nn_bias_halves(s.m, s.n, s.k, a, b, bias, relu, c, scratch);
  });
  // The split point: half the depth in whole cache lines (16 floats), never past the end.
  REQUIRE(kernels::gemm_k_half(784) == 384);
  REQUIRE(kernels::gemm_k_half(3072) == 1536);
  REQUIRE(kernels::gemm_k_half(17) == 16);
  REQUIRE(kernels::gemm_k_half(15) == 0);  // one cache line: all of it in the second half
  REQUIRE(kernels::gemm_k_half(32) == 16);
  REQUIRE(kernels::gemm_halves_pay(784, 128));
  REQUIRE_FALSE(kernels::gemm_halves_pay(1568, 10));  // a CNN's 10-class layer: one pass
}

#if FIRMNET_HAVE_XSIMD
// FIRMNET_TEST_VARIANT=<name> tests that variant only (tests/CMakeLists.txt registers one ctest
// per x86 variant, skipped where the CPU lacks it).
TEST_CASE("gemm: every compiled variant equals the reference", "[kernels][gemm][variants]") {
  std::size_t ran = 0;
  const char* only = std::getenv("FIRMNET_TEST_VARIANT");
  for (const auto& variant : kernels::gemm_variants()) {
    if (only && std::string(only) != variant.name) continue;
    std::printf("gemm variant %s: %s\n", variant.name, variant.supported ? "testing" : "not supported by this CPU");
    if (!variant.supported) continue;
    ++ran;
    const auto* v = &variant;
    check_forms(variant.name, [v](Form f, Shape s, const float* a, const float* b, float* c, bool acc) {
      std::vector<float> scratch(scratch_floats(f, s));
      if (f == Form::nn) kernels::gemm_f32_with(*v, kernels::problem_nn(s.m, s.n, s.k, a, b, c, acc), scratch);
      if (f == Form::tn) kernels::gemm_f32_with(*v, kernels::problem_tn(s.m, s.n, s.k, a, b, c, acc), scratch);
      if (f == Form::nt) kernels::gemm_f32_with(*v, kernels::problem_nt(s.m, s.n, s.k, a, b, c, acc), scratch);
    });
    check_epilogues(variant.name, [v](Shape s, const float* a, const float* b, const float* bias, float* c, bool relu) {
      std::vector<float> scratch(kernels::gemm_nn_scratch(s.m, s.n, s.k));
      kernels::gemm_f32_with(*v, kernels::problem_nn(s.m, s.n, s.k, a, b, c, false, bias, relu), scratch);
    });
    check_epilogues(std::string(variant.name) + " in halves", [v](Shape s, const float* a, const float* b, const float* bias,
                                                                 float* c, bool relu) {
      std::vector<float> partial(s.m * s.n, std::numeric_limits<float>::quiet_NaN()), scratch(kernels::gemm_nn_scratch(s.m, s.n, s.k));
      kernels::gemm_f32_halves_with(*v, kernels::problem_nn(s.m, s.n, s.k, a, b, c, false, bias, relu), partial.data(), scratch);
    });
  }
  REQUIRE(ran >= 1);
}
#endif

#if FIRMNET_HAVE_XSIMD
// The blocked GEMM starts its pack buffers on a cache line when the scratch leaves room (the
// bound's kPackAlignSlack) and packs where it stands otherwise. Either way: the same bits, and
// nothing written outside the span (canaries after it), for every start within a cache line.
TEST_CASE("gemm: the same bits wherever the scratch starts", "[kernels][gemm][variants]") {
  const Shape shapes[] = {{130, 1030, 260}, {300, 40, 20}, {64, 128, 784}, {37, 128, 784}, {784, 128, 64}};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Form form : {Form::nn, Form::tn, Form::nt})
      for (const Shape s : shapes) {
        CAPTURE(variant.name, name(form), s.m, s.n, s.k);
        const auto a = test::random_vector<float>(s.m * s.k, 21);
        const auto b = test::random_vector<float>(s.k * s.n, 22);
        const auto run = [&](std::span<float> scratch) {
          std::vector<float> c(s.m * s.n);
          const auto p = form == Form::nn   ? kernels::problem_nn(s.m, s.n, s.k, a.data(), b.data(), c.data(), false)
                         : form == Form::tn ? kernels::problem_tn(s.m, s.n, s.k, a.data(), b.data(), c.data(), false)
                                            : kernels::problem_nt(s.m, s.n, s.k, a.data(), b.data(), c.data(), false);
          kernels::gemm_f32_with(variant, p, scratch);
          return c;
        };
        const std::size_t bound = scratch_floats(form, s);
        REQUIRE(bound > kernels::kPackAlignSlack);
        // Room for 16 starting points and 16 canaries past the longest span, from a cache line.
        std::vector<float> buffer(bound + 64);
        float* const line = buffer.data() + (64 - reinterpret_cast<std::uintptr_t>(buffer.data()) % 64) % 64 / sizeof(float);
        std::vector<float> first;
        // The whole bound (room to align), and the bound without its slack: the packs as they
        // fall (for AVX-512's 130 x 1030 x 260 exactly what the packs need, so a start moved
        // without room would run past the span).
        for (const std::size_t size : {bound, bound - kernels::kPackAlignSlack})
          for (std::size_t start = 0; start < 16; ++start) {
            CAPTURE(size, start);
            std::fill(buffer.begin(), buffer.end(), std::numeric_limits<float>::quiet_NaN());
            for (std::size_t i = 0; i < 16; ++i) line[start + size + i] = 1234.5f;
            const auto c = run({line + start, size});
            if (first.empty()) first = c;
            REQUIRE(std::memcmp(c.data(), first.data(), c.size() * sizeof(float)) == 0);
            for (std::size_t i = 0; i < 16; ++i) REQUIRE(line[start + size + i] == 1234.5f);
          }
      }
  }
}
#endif

#if FIRMNET_HAVE_XSIMD
// Where the rows of a tile of A, read in place a page apart, and its 16 KiB panel of B (4 lines in
// each set of a 4 KiB way) fit in one set of L1 beside a line of C: 6 + 4 + 1 ways. AVX2 copies a
// big product's A block by block where they do not (gemm_blocked.hpp).
TEST_CASE("gemm: whether L1 holds a tile's rows beside its panel of B", "[kernels][gemm]") {
  REQUIRE_FALSE(kernels::l1_holds_rows_beside_panel({32 * 1024, 8}, 6, 16 * 1024));   // Zen 2-4, Skylake
  REQUIRE(kernels::l1_holds_rows_beside_panel({48 * 1024, 12}, 6, 16 * 1024));        // Zen 5, Ice Lake on
  REQUIRE(kernels::l1_holds_rows_beside_panel({32 * 1024, 8}, 3, 16 * 1024));         // 3 rows: 8 ways
  REQUIRE(kernels::l1_holds_rows_beside_panel({48 * 1024, 12}, 6, 20 * 1024));       // 5 lines a set: 12
  REQUIRE_FALSE(kernels::l1_holds_rows_beside_panel({48 * 1024, 12}, 6, 20 * 1024 + 1));  // 6: 13
  REQUIRE_FALSE(kernels::l1_holds_rows_beside_panel({0, 0}, 1, 64));                  // nothing known: copy
  REQUIRE_FALSE(kernels::l1_holds_rows_beside_panel({64, 8}, 1, 64));
  // AVX-512's 8 rows beside a depth step's 2 lines of B and 1 of C: 11 ways.
  REQUIRE(kernels::l1_set_holds({48 * 1024, 12}, 8 + 3));
  REQUIRE_FALSE(kernels::l1_set_holds({32 * 1024, 8}, 8 + 3));
  REQUIRE_FALSE(kernels::l1_set_holds({0, 0}, 1));
}

// The L1 plan is a matter of speed only: a product planned for an 8-way L1 and for a 12-way one
// gives the same bits, with the bias, ReLU and accumulation, and the reference's values, on every
// variant. The first four shapes go through AVX2's copy of A (block by block on 8 ways, in place
// on 12): rows 260-1024 floats apart, one a page (1024), blocks with short edges, B in several
// blocks of 1024 columns. The others through AVX-512's A in place (12 ways; packed on 8): one
// block of rows, B in place, with edge rows (5, 7 of 8) and edge columns (a 16-column panel).
// Also a large layer's forward in two halves of the depth (gemm_f32_halves_with), each half
// taking the plan its shape gets.
TEST_CASE("gemm: the same bits whatever L1 the blocking plans for", "[kernels][gemm][variants]") {
  const kernels::L1Data eight{32 * 1024, 8}, twelve{48 * 1024, 12};
  kernels::ThreadPool pool(2);
  const Shape shapes[] = {{130, 1030, 260}, {127, 600, 300}, {250, 530, 1024}, {241, 1100, 700},
                          {64, 128, 3072}, {37, 128, 784}, {127, 80, 600}, {16, 144, 513}};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Shape s : shapes)
      for (const int mode : {0, 1, 2}) {  // overwrite, accumulate, bias + ReLU
        CAPTURE(variant.name, s.m, s.n, s.k, mode);
        const auto a = test::random_vector<float>(s.m * s.k, 31 + s.m);
        const auto b = test::random_vector<float>(s.k * s.n, 32 + s.n);
        const auto bias = test::random_vector<float>(s.n, 33);
        const auto c0 = test::random_vector<float>(s.m * s.n, 34);
        std::vector<float> scratch(kernels::gemm_nn_scratch(s.m, s.n, s.k));
        const auto run = [&](const kernels::L1Data& l1) {
          std::vector<float> c = c0;
          const auto p = kernels::problem_nn(s.m, s.n, s.k, a.data(), b.data(), c.data(), mode == 1,
                                             mode == 2 ? bias.data() : nullptr, mode == 2);
          kernels::gemm_f32_with(variant, p, scratch, l1);
          return c;
        };
        const auto copied = run(eight), in_place = run(twelve);
        REQUIRE(std::memcmp(copied.data(), in_place.data(), copied.size() * sizeof(float)) == 0);
        // Split across two threads, a part may take the other plan than the whole (a part of
        // fewer rows reads in place): still every element's one chain of FMAs.
        kernels::set_gemm_thread_pool(&pool);
        const auto split_copied = run(eight), split_in_place = run(twelve);
        kernels::set_gemm_thread_pool(nullptr);
        REQUIRE(std::memcmp(copied.data(), split_copied.data(), copied.size() * sizeof(float)) == 0);
        REQUIRE(std::memcmp(copied.data(), split_in_place.data(), copied.size() * sizeof(float)) == 0);
        std::vector<float> want = c0, scale = abs_of(c0);
        if (mode == 2) {
          kernels::gemm_nn_bias_relu_ref(s.m, s.n, s.k, a.data(), b.data(), bias.data(), want.data());
          for (std::size_t i = 0; i < s.m; ++i)
            for (std::size_t j = 0; j < s.n; ++j) scale[i * s.n + j] = std::fabs(bias[j]);
        } else {
          kernels::gemm_nn_ref(s.m, s.n, s.k, a.data(), b.data(), want.data(), mode == 1);
        }
        kernels::gemm_nn_ref(s.m, s.n, s.k, abs_of(a).data(), abs_of(b).data(), scale.data(), mode != 0);
        REQUIRE(worst_error(copied, want, scale) < kTol);
        if (mode != 1) {  // in two halves of the depth (a large layer's forward): the same for either plan
          const auto halves = [&](const kernels::L1Data& l1) {
            std::vector<float> c = c0, partial(s.m * s.n);
            const auto p = kernels::problem_nn(s.m, s.n, s.k, a.data(), b.data(), c.data(), false,
                                               mode == 2 ? bias.data() : nullptr, mode == 2);
            kernels::gemm_f32_halves_with(variant, p, partial.data(), scratch, l1);
            return c;
          };
          const auto halves_copied = halves(eight), halves_in_place = halves(twelve);
          REQUIRE(std::memcmp(halves_copied.data(), halves_in_place.data(), halves_copied.size() * sizeof(float)) == 0);
          REQUIRE(worst_error(halves_copied, want, scale) < kTol);
        }
      }
  }
}
#endif

#if FIRMNET_HAVE_XSIMD
// C = A·Bᵀ with B stored (n, k) is one chain of FMAs per element on every path of a variant, so
// the nt form gives the bits of the nn form on the same B written out as (k, n): on AVX2 and
// AVX-512 most nt shapes below take the Cᵀ tiles (gemm_transposed_c.hpp), the nn form the blocked
// kernel. With a bias and ReLU (which no layer asks of the nt form, but a GemmProblem may), onto C,
// over several K blocks, and with edges of B's rows.
TEST_CASE("gemm: the nt form gives the nn form's bits, with bias, ReLU and accumulation", "[kernels][gemm][variants]") {
  const Shape shapes[] = {{16, 50, 40}, {32, 97, 600}, {64, 784, 128}, {48, 300, 96}, {112, 20, 256}, {32, 101, 64},
                          {96, 203, 200}};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Shape s : shapes) {
      const auto a = test::random_vector<float>(s.m * s.k, 31 + s.m);
      const auto b = test::random_vector<float>(s.n * s.k, 32 + s.n);  // (n, k)
      const auto bias = test::random_vector<float>(s.n, 33 + s.k);
      const auto c0 = test::random_vector<float>(s.m * s.n, 34 + s.k);
      std::vector<float> b_kn(s.k * s.n);  // the same B as (k, n)
      for (std::size_t j = 0; j < s.n; ++j)
        for (std::size_t q = 0; q < s.k; ++q) b_kn[q * s.n + j] = b[j * s.k + q];
      std::vector<float> scratch(kernels::gemm_nt_scratch(s.m, s.n, s.k) + kernels::gemm_nn_scratch(s.m, s.n, s.k));
      for (const bool with_bias : {false, true})
        for (const bool relu : {false, true})
          for (const bool accumulate : {false, true}) {
            if (accumulate && with_bias) continue;  // a bias is added only when C is overwritten
            CAPTURE(variant.name, s.m, s.n, s.k, with_bias, relu, accumulate);
            std::vector<float> nt = c0, nn = c0;
            auto p_nt = kernels::problem_nt(s.m, s.n, s.k, a.data(), b.data(), nt.data(), accumulate);
            p_nt.bias = with_bias ? bias.data() : nullptr;
            p_nt.relu = relu;
            kernels::gemm_f32_with(variant, p_nt, scratch);
            kernels::gemm_f32_with(variant,
                                   kernels::problem_nn(s.m, s.n, s.k, a.data(), b_kn.data(), nn.data(), accumulate,
                                                       with_bias ? bias.data() : nullptr, relu),
                                   scratch);
            REQUIRE(std::memcmp(nt.data(), nn.data(), nt.size() * sizeof(float)) == 0);
            // and both are the product: the reference, then the bias and ReLU by hand
            std::vector<float> want = c0;
            kernels::gemm_nt_ref(s.m, s.n, s.k, a.data(), b.data(), want.data(), accumulate);
            std::vector<float> scale = abs_of(c0);
            kernels::gemm_nt_ref(s.m, s.n, s.k, abs_of(a).data(), abs_of(b).data(), scale.data(), accumulate);
            for (std::size_t i = 0; i < s.m; ++i)
              for (std::size_t j = 0; j < s.n; ++j) {
                float& w = want[i * s.n + j];
                if (with_bias) w += bias[j], scale[i * s.n + j] += std::fabs(bias[j]);
                if (relu) w = w > 0.0f ? w : 0.0f;
              }
            REQUIRE(worst_error(nt, want, scale) < kTol);
          }
    }
  }
}
#endif

// The tn form reads A stored (K, M): AVX2 and AVX-512 broadcast it in place (or pack it where its
// rows are a multiple of 4 KiB apart, m = 1024), the others pack it. Either way each element is the nn form's
// chain of FMAs: the same bits as nn on A written out as (M, K), overwriting and accumulating.
TEST_CASE("gemm: the tn form gives the nn form's bits", "[kernels][gemm][variants]") {
  const Shape shapes[] = {{130, 50, 40}, {203, 97, 300}, {61, 33, 64}, {1024, 20, 70}, {127, 16, 9}};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Shape s : shapes) {
      const auto a_km = test::random_vector<float>(s.k * s.m, 41 + s.m);  // (k, m)
      const auto b = test::random_vector<float>(s.k * s.n, 42 + s.n);
      const auto c0 = test::random_vector<float>(s.m * s.n, 43 + s.k);
      std::vector<float> a_mk(s.m * s.k);  // the same A as (m, k)
      for (std::size_t i = 0; i < s.m; ++i)
        for (std::size_t q = 0; q < s.k; ++q) a_mk[i * s.k + q] = a_km[q * s.m + i];
      std::vector<float> scratch(kernels::gemm_tn_scratch(s.m, s.n, s.k) + kernels::gemm_nn_scratch(s.m, s.n, s.k));
      for (const bool accumulate : {false, true}) {
        CAPTURE(variant.name, s.m, s.n, s.k, accumulate);
        std::vector<float> tn = c0, nn = c0;
        kernels::gemm_f32_with(variant, kernels::problem_tn(s.m, s.n, s.k, a_km.data(), b.data(), tn.data(), accumulate),
                               scratch);
        kernels::gemm_f32_with(variant, kernels::problem_nn(s.m, s.n, s.k, a_mk.data(), b.data(), nn.data(), accumulate),
                               scratch);
        REQUIRE(std::memcmp(tn.data(), nn.data(), tn.size() * sizeof(float)) == 0);
        std::vector<float> want = c0;
        kernels::gemm_tn_ref(s.m, s.n, s.k, a_km.data(), b.data(), want.data(), accumulate);
        std::vector<float> scale = abs_of(c0);
        kernels::gemm_tn_ref(s.m, s.n, s.k, abs_of(a_km).data(), abs_of(b).data(), scale.data(), accumulate);
        REQUIRE(worst_error(tn, want, scale) < kTol);
      }
    }
  }
}

#if FIRMNET_HAVE_XSIMD
// Plain SGD folded into a weight gradient's product (gemm_problem.hpp SgdStep): the bits of the
// product stored and then stepped by l2_sgd_sumsq (axpy without L2), on every variant, on the
// tiles that fold it (full, edge rows, a partial panel through the local tile) and on the paths
// that store the gradient first (small M, narrow N, several K blocks on AVX2, an empty depth).
TEST_CASE("gemm: the SGD step folded into the tn product gives the step's bits", "[kernels][gemm][variants]") {
  const Shape shapes[] = {{784, 128, 64}, {61, 40, 70}, {127, 33, 9}, {130, 50, 40}, {1024, 20, 70}, {3, 17, 8},
                          {100, 10, 64},  {40, 12, 8},  {64, 128, 300}, {20, 40, 0}, {6, 16, 1}};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Shape s : shapes)
      for (const float reg : {0.0f, 0.25f}) {
        CAPTURE(variant.name, s.m, s.n, s.k, reg);
        const auto a = test::random_vector<float>(s.k * s.m, 51 + s.m);  // (k, m)
        const auto b = test::random_vector<float>(s.k * s.n, 52 + s.n);
        const auto w0 = test::random_vector<float>(s.m * s.n, 53 + s.k);
        std::vector<float> scratch(kernels::gemm_tn_scratch(s.m, s.n, s.k) + 1);
        std::vector<float> want = w0, g(s.m * s.n);
        kernels::gemm_f32_with(variant, kernels::problem_tn(s.m, s.n, s.k, a.data(), b.data(), g.data(), false), scratch);
        if (reg != 0.0f) kernels::l2_sgd_sumsq_ref(want.data(), reg, g.data(), g.size(), 0.125f);
        else kernels::axpy_ref(-0.125f, g.data(), want.data(), g.size());
        std::vector<float> got = w0, dw(s.m * s.n, std::numeric_limits<float>::quiet_NaN());
        const kernels::SgdStep step{-0.125f, reg, reg != 0.0f, got.data(), dw.data()};
        kernels::GemmProblem p = kernels::problem_tn(s.m, s.n, s.k, a.data(), b.data(), got.data(), false);
        p.step = &step;
        kernels::gemm_f32_with(variant, p, scratch);
        REQUIRE(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
      }
  }
}

// The layers' entry point, on the active variant with and without a pool: the same bits.
TEST_CASE("gemm_tn_sgd gives the same bits on one thread and two", "[kernels][gemm][threads]") {
  const Shape s{784, 128, 64};
  const auto a = test::random_vector<float>(s.k * s.m, 61), b = test::random_vector<float>(s.k * s.n, 62);
  const auto w0 = test::random_vector<float>(s.m * s.n, 63);
  std::vector<float> scratch(kernels::kMaxGemmScratch), dw(s.m * s.n);
  auto run = [&](kernels::ThreadPool* pool) {
    std::vector<float> w = w0;
    kernels::set_gemm_thread_pool(pool);
    kernels::gemm_tn_sgd(s.m, s.n, s.k, a.data(), b.data(), w.data(), dw.data(), 0.01f, 1e-3f, scratch);
    kernels::set_gemm_thread_pool(nullptr);
    return w;
  };
  kernels::ThreadPool pool(2);
  const auto one = run(nullptr);
  const std::size_t jobs = pool.jobs();
  const auto two = run(&pool);
  REQUIRE(pool.jobs() == jobs + 1);  // split
  REQUIRE(one == two);
  REQUIRE(one != w0);
}
#endif

// double (gradient checks) and SIMD-less builds: the product into dw, then the step.
TEST_CASE("gemm_tn_sgd in double is the product and then the step", "[kernels][gemm]") {
  const std::size_t m = 13, n = 7, k = 5;
  const auto a = test::random_vector<double>(k * m, 71), b = test::random_vector<double>(k * n, 72);
  const auto w0 = test::random_vector<double>(m * n, 73);
  for (const double reg : {0.0, 0.5}) {
    std::vector<double> want = w0, g(m * n), got = w0, dw(m * n);
    kernels::gemm_tn_ref(m, n, k, a.data(), b.data(), g.data(), false);
    if (reg != 0.0) kernels::l2_sgd_sumsq_ref(want.data(), reg, g.data(), g.size(), 0.1);
    else kernels::axpy_ref(-0.1, g.data(), want.data(), g.size());
    kernels::gemm_tn_sgd(m, n, k, a.data(), b.data(), got.data(), dw.data(), 0.1, reg, {});
    REQUIRE(got == want);
  }
}

TEST_CASE("gemm: an empty sum gives the bias (or zero), through relu", "[kernels][gemm]") {
  const float bias[3] = {1.5f, -2.f, 0.f};
  float c[6] = {9, 9, 9, 9, 9, 9};
  kernels::gemm_nn_bias_relu<float>(2, 3, 0, nullptr, nullptr, bias, c, {});
  REQUIRE(c[0] == 1.5f);
  REQUIRE(c[1] == 0.f);
  REQUIRE(c[4] == 0.f);
  kernels::gemm_nn<float>(2, 3, 0, nullptr, nullptr, c, false, {});
  for (const float v : c) REQUIRE(v == 0.f);
#if FIRMNET_HAVE_XSIMD
  // Every form on every variant, at a size each path could take (16 x 50: the AVX2 Cᵀ tiles for nt).
  const float a[1] = {}, b[1] = {};
  for (const auto& variant : kernels::gemm_variants()) {
    if (!variant.supported) continue;
    for (const Form form : {Form::nn, Form::tn, Form::nt})
      for (const bool accumulate : {false, true}) {
        CAPTURE(variant.name, name(form), accumulate);
        std::vector<float> out(16 * 50, 3.f);
        const auto p = form == Form::nn   ? kernels::problem_nn(16, 50, 0, a, b, out.data(), accumulate)
                       : form == Form::tn ? kernels::problem_tn(16, 50, 0, a, b, out.data(), accumulate)
                                          : kernels::problem_nt(16, 50, 0, a, b, out.data(), accumulate);
        kernels::gemm_f32_with(variant, p, {});
        for (const float v : out) REQUIRE(v == (accumulate ? 3.f : 0.f));
      }
  }
#endif
}

TEST_CASE("col_sum equals the reference", "[kernels][gemm]") {
  // Bit for bit: each column summed row by row, as the reference does; n past 16 vectors of
  // columns (one pass) and with a partial vector left.
  for (const std::size_t m : {1, 7, 64, 65})
    for (const std::size_t n : {1, 10, 13, 64, 128, 203, 300}) {
      const auto a = test::random_vector<float>(m * n, m * 100 + n);
      std::vector<float> want(n), got(n, std::numeric_limits<float>::quiet_NaN());
      kernels::col_sum_ref(m, n, a.data(), want.data());
      kernels::col_sum(m, n, a.data(), got.data());
      REQUIRE(std::memcmp(got.data(), want.data(), n * sizeof(float)) == 0);
    }
}

TEST_CASE("gemm works in double for gradient checks", "[kernels][gemm]") {
  const std::size_t m = 7, n = 13, k = 65;
  const auto a = test::random_vector<double>(m * k, 31);
  const auto b = test::random_vector<double>(k * n, 32);
  std::vector<double> want(m * n), got(m * n);
  kernels::gemm_nn_ref(m, n, k, a.data(), b.data(), want.data(), false);
  kernels::gemm_nn(m, n, k, a.data(), b.data(), got.data(), false, {});
  REQUIRE(test::max_rel_diff(got.data(), want.data(), got.size()) < 1e-12);
}

#if FIRMNET_HAVE_XSIMD
// Run under qemu-x86_64 -cpu <model> with FIRMNET_EXPECT_GEMM=<variant> (tests/CMakeLists.txt):
// the dispatcher must pick the best variant that CPU has, and it must compute right there.
TEST_CASE("gemm dispatch picks the variant the CPU supports", "[kernels][dispatch]") {
  const char* expected = std::getenv("FIRMNET_EXPECT_GEMM");
  std::printf("active gemm variant: %s\n", kernels::gemm_active().name);
  if (expected) REQUIRE(std::string(kernels::gemm_active().name) == expected);
  for (const Shape s : {Shape{13, 65, 129}, Shape{64, 10, 128}, Shape{1, 128, 300}, Shape{70, 130, 40}}) {
    CAPTURE(s.m, s.n, s.k);
    const auto a = test::random_vector<float>(s.m * s.k, 5);
    const auto b = test::random_vector<float>(s.k * s.n, 6);
    std::vector<float> want(s.m * s.n), got(s.m * s.n), scale(s.m * s.n);
    kernels::gemm_nn_ref(s.m, s.n, s.k, a.data(), b.data(), want.data(), false);
    std::vector<float> scratch(kernels::gemm_nn_scratch(s.m, s.n, s.k));
    kernels::gemm_nn(s.m, s.n, s.k, a.data(), b.data(), got.data(), false, scratch);
    kernels::gemm_nn_ref(s.m, s.n, s.k, abs_of(a).data(), abs_of(b).data(), scale.data(), false);
    REQUIRE(worst_error(got, want, scale) < kTol);
  }
}

namespace {
// "<KiB>/<ways>" as FIRMNET_L1D and FIRMNET_EXPECT_L1D write it.
kernels::L1Data parse_l1(const std::string& text) {
  const auto slash = text.find('/');
  REQUIRE(slash != std::string::npos);
  return {std::stoul(text.substr(0, slash)) * 1024, std::stoul(text.substr(slash + 1))};
}

#if defined(__x86_64__)
// The level-1 data caches Linux reports for CPUs 0, 1, ... (a hybrid CPU's core types differ),
// none where it reports none.
std::vector<kernels::L1Data> sysfs_l1s() {
  const auto read = [](const std::string& path) {
    std::string value;
    if (std::FILE* f = std::fopen(path.c_str(), "r")) {
      char line[64] = {};
      if (std::fgets(line, sizeof line, f)) value = line;
      std::fclose(f);
    }
    while (!value.empty() && (value.back() == '\n' || value.back() == 'K')) value.pop_back();
    return value;
  };
  std::vector<kernels::L1Data> found;
  for (int cpu = 0; cpu < 1024; ++cpu) {
    const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cache/index";
    if (read(base + "0/level").empty()) break;  // no such CPU, or no cache information
    for (int i = 0; i < 8; ++i) {
      const std::string dir = base + std::to_string(i) + "/";
      if (read(dir + "level") != "1" || read(dir + "type") != "Data") continue;
      const std::string size = read(dir + "size"), ways = read(dir + "ways_of_associativity");
      if (!size.empty() && !ways.empty()) found.push_back({std::stoul(size) * 1024, std::stoul(ways)});
      break;
    }
  }
  return found;
}

// Whether this process sees the CPU Linux describes: CPUID's brand string is /proc/cpuinfo's model
// name (under qemu-x86_64 -cpu Haswell it is qemu's Haswell, and sysfs the host's caches).
bool cpuid_is_the_host() {
  unsigned regs[12] = {};
  for (unsigned i = 0; i < 3; ++i)
    if (!__get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3])) return false;
  char text[49] = {};
  std::memcpy(text, regs, 48);
  std::string brand = text;  // Linux trims the blanks either side (some brands are right-justified)
  while (!brand.empty() && brand.back() == ' ') brand.pop_back();
  brand.erase(0, brand.find_first_not_of(' ') == std::string::npos ? brand.size() : brand.find_first_not_of(' '));
  std::string model;
  if (std::FILE* f = std::fopen("/proc/cpuinfo", "r")) {
    char line[512];
    while (model.empty() && std::fgets(line, sizeof line, f)) {
      const std::string l = line;
      if (l.rfind("model name", 0) == 0 && l.find(':') != std::string::npos) model = l.substr(l.find(':') + 2);
    }
    std::fclose(f);
  }
  while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
  return !brand.empty() && brand == model;
}
#endif
}  // namespace

// The L1 the GEMM plans for: FIRMNET_L1D where a ctest sets it (FIRMNET_EXPECT_L1D says what it
// should come out as; a malformed value is ignored); otherwise, on x86 CPUs with AVX2, what CPUID
// says, which Linux reports too (sysfs, where present, for one of the CPUs: core types may
// differ); elsewhere the default.
TEST_CASE("gemm plans for the L1 data cache of this CPU", "[kernels][dispatch]") {
  const auto& l1 = kernels::gemm_l1();
  std::printf("gemm plans for an L1d of %zu KiB, %zu-way\n", l1.bytes / 1024, l1.ways);
  REQUIRE(l1.ways >= 1);
  REQUIRE(l1.bytes >= l1.ways * 64);
  // FIRMNET_EXPECT_L1D: KiB/ways, or "cpuid" where FIRMNET_L1D is malformed (so ignored).
  const char* expect = std::getenv("FIRMNET_EXPECT_L1D");
  if (expect && std::string(expect) != "cpuid") {
    REQUIRE(l1 == parse_l1(expect));
    return;
  }
  if (!expect && std::getenv("FIRMNET_L1D")) return;  // set by hand: nothing to compare with
#if defined(__x86_64__)  // every x86-64 build dispatches, and reads CPUID
  __builtin_cpu_init();
  const auto linux_l1s = sysfs_l1s();
  if (__builtin_cpu_supports("avx2") && !linux_l1s.empty() && cpuid_is_the_host())
    REQUIRE(std::find(linux_l1s.begin(), linux_l1s.end(), l1) != linux_l1s.end());
#else
  REQUIRE(l1 == kernels::L1Data{});
#endif
}

#if FIRMNET_X86_DISPATCH_TESTS
// The variants the dispatcher marks supported are exactly those this CPU (and FIRMNET_MAX_ISA)
// allows, as tests/support/cpu.hpp decides on its own; so on a CPU without AVX-512, or with
// FIRMNET_MAX_ISA=avx2 on one with it, no AVX-512 code can ever run.
TEST_CASE("gemm dispatch never picks an instruction set the CPU rules out", "[kernels][dispatch]") {
  for (const auto& v : kernels::gemm_variants()) {
    const std::string name = v.name;
    const bool allowed = name == "avx512bw" ? test::cpu_allows("avx512") : name == "fma3+avx2" ? test::cpu_allows("avx2") : true;
    CAPTURE(name);
    REQUIRE(v.supported == allowed);
  }
  const std::string active = kernels::gemm_active().name;
  if (!test::cpu_allows("avx512")) REQUIRE(active != "avx512bw");
  if (!test::cpu_allows("avx2")) REQUIRE(active != "fma3+avx2");
  if (test::cpu_allows("avx512") && !std::getenv("FIRMNET_KERNELS")) REQUIRE(active == "avx512bw");
}
#endif
#endif
