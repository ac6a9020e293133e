// kernels/qgemm.hpp: every compiled int8 variant equals the scalar reference bit for bit, on tails
// around every vector width and on the extreme values that would saturate an int16 pair sum.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "firmnet/kernels/qgemm_pool.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/quant/fixed_point.hpp"
#include "support/cpu.hpp"

using namespace firmnet;

namespace {
// Every kernel against the definition over rows (qgemm_rows_ref), through the packing: odd input
// counts (a partial last quad), output counts around every block width, 1 to 9 rows (every row
// block and its remainder), a row stride wider than the row, and the bytes past each row's end
// set to 255 (they must meet zero weights). The padded outputs must come out 0.
void check(const char* name, kernels::QgemmFn run) {
  Rng rng(7);
  for (const std::size_t in : {1, 3, 4, 7, 9, 13, 16, 17, 63, 64, 65, 127, 129, 288, 784})
    for (const std::size_t out : {1, 3, 4, 5, 10, 16, 17, 32, 63, 64, 65, 130})
      for (const std::size_t rows : {1, 2, 3, 4, 5, 9}) {
        // Of the long rows 1, 2 and 9: nine are two of the AVX2 kernel's groups of eight rows, each
        // over two of its chunks of 128 quads (784 inputs).
        if (in > 300 && rows > 2 && rows != 9) continue;
        CAPTURE(name, in, out, rows);
        const std::size_t in4 = kernels::qpad4(in), out4 = kernels::qpad4(out), stride = in4 + 4 * (rows % 2);
        std::vector<std::uint8_t> x(rows * stride + 4);
        std::vector<std::int8_t> w(in * out), packed(kernels::qpacked_size(in, out));
        for (int pattern = 0; pattern < 3; ++pattern) {
          for (auto& v : x) v = pattern == 1 ? 255 : static_cast<std::uint8_t>(rng.below(256));
          for (auto& v : w) v = pattern == 1 ? std::int8_t(127) : pattern == 2 ? std::int8_t(-127) : static_cast<std::int8_t>(int(rng.below(255)) - 127);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t i = in; i < stride; ++i) x[r * stride + i] = 255;
          kernels::qpack_weights(w.data(), in, out, packed.data());
          std::vector<std::int32_t> want(rows * (out4 + 3), 0), got(rows * (out4 + 3), -1);
          kernels::qgemm_rows_ref(x.data(), stride, rows, w.data(), in, out, want.data(), out4 + 3);
          run(x.data(), stride, rows, packed.data(), in, out, got.data(), out4 + 3);
          for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t o = 0; o < out4 + 3; ++o) {
              const std::int32_t expect = o < out ? want[r * (out4 + 3) + o] : o < out4 ? 0 : -1;  // past out4: untouched
              if (got[r * (out4 + 3) + o] != expect) {
                CAPTURE(r, o, got[r * (out4 + 3) + o], expect);
                FAIL("the int8 product differs from the reference");
              }
            }
        }
      }
}

TEST_CASE("packing keeps every weight and pads with zeros", "[quant][qgemm]") {
  std::vector<std::int8_t> w(7 * 5), packed(kernels::qpacked_size(7, 5));
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<std::int8_t>(i + 1);
  kernels::qpack_weights(w.data(), 7, 5, packed.data());
  REQUIRE(packed.size() == 8 * 8);
  for (std::size_t o = 0; o < 8; ++o)
    for (std::size_t i = 0; i < 8; ++i)
      REQUIRE(packed[((i / 4) * 8 + o) * 4 + i % 4] == (o < 5 && i < 7 ? w[o * 7 + i] : 0));
}

using RequantizeFn = void (*)(const std::int32_t*, const std::int32_t*, const std::int32_t*, std::int32_t, std::int32_t,
                              std::int32_t, std::size_t, std::int32_t*) noexcept;

// The vectorised requantization against the specification (quant/fixed_point.hpp), output by
// output: every shift, multipliers at both ends of their range and zero, accumulators at the int32
// extremes and around every rounding tie, lengths around every vector width.
void check_requantize(const char* name, RequantizeFn run) {
  Rng rng(11);
  constexpr std::int32_t kMin = -2147483647 - 1, kMax = 2147483647;
  for (const std::size_t n : {1, 3, 8, 15, 16, 17, 64, 130}) {
    std::vector<std::int32_t> acc(n), mult(n), shift(n), got(n);
    for (int trial = 0; trial < 200; ++trial) {
      for (std::size_t o = 0; o < n; ++o) {
        shift[o] = static_cast<std::int32_t>(rng.below(62)) - 31;  // -31..30
        const std::uint64_t pick = rng.below(8);
        mult[o] = pick == 0 ? 0 : pick == 1 ? (1 << 30) : pick == 2 ? kMax : static_cast<std::int32_t>((1u << 30) + rng.below(1u << 30));
        const std::uint64_t kind = rng.below(6);
        if (kind == 0) acc[o] = rng.below(2) ? kMin : kMax;
        else if (kind == 1) acc[o] = static_cast<std::int32_t>(rng.below(2001)) - 1000;
        else if (kind == 2) acc[o] = static_cast<std::int32_t>((rng.below(2) ? 1 : -1) * ((std::int64_t(1) << rng.below(31)) + rng.below(3) - 1));
        else acc[o] = static_cast<std::int32_t>(static_cast<std::uint32_t>(rng.below(1ull << 32)));
      }
      const std::int32_t zp = static_cast<std::int32_t>(rng.below(256)) - 128;
      const bool relu = rng.below(2) == 0;
      const std::int32_t lo = relu ? 0 : -128, hi = relu ? 255 : 127;
      run(acc.data(), mult.data(), shift.data(), zp, lo, hi, n, got.data());
      for (std::size_t o = 0; o < n; ++o) {
        const std::int64_t q = std::int64_t(zp) + quant::multiply_by_quantized_multiplier(acc[o], {mult[o], shift[o]});
        const std::int32_t want = static_cast<std::int32_t>(q < lo ? lo : (q > hi ? hi : q));
        if (got[o] != want) {
          CAPTURE(name, n, o, acc[o], mult[o], shift[o], zp, got[o], want);
          FAIL("requantization differs from the specification");
        }
      }
    }
  }
}

using FinishFn = void (*)(const std::int32_t*, std::size_t, std::size_t, const std::int32_t*, const std::int32_t*,
                          const std::int32_t*, std::int32_t, std::int32_t, std::int32_t, std::size_t, std::uint8_t*) noexcept;

// A layer's end (max over 1-4 rows, + bias with int32 wraparound, requantize, uint8) against the
// specification, on the same kinds of values as above and uint8 bounds.
void check_finish(const char* name, FinishFn run) {
  Rng rng(13);
  constexpr std::int32_t kMin = -2147483647 - 1, kMax = 2147483647;
  for (const std::size_t n : {1, 7, 8, 9, 16, 31, 64, 65})
    for (const std::size_t rows : {1, 2, 4}) {
      const std::size_t stride = n + 3;
      std::vector<std::int32_t> acc(rows * stride), bias(n), mult(n), shift(n);
      std::vector<std::uint8_t> got(n + 1, 0xA5);
      for (int trial = 0; trial < 60; ++trial) {
        for (std::size_t o = 0; o < n; ++o) {
          shift[o] = static_cast<std::int32_t>(rng.below(62)) - 31;
          mult[o] = rng.below(6) == 0 ? 0 : static_cast<std::int32_t>((1u << 30) + rng.below(1u << 30));
          bias[o] = rng.below(5) == 0 ? (rng.below(2) ? kMax : kMin) : static_cast<std::int32_t>(rng.below(200001)) - 100000;
        }
        for (auto& a : acc) {
          const std::uint64_t kind = rng.below(4);
          a = kind == 0 ? (rng.below(2) ? kMin : kMax) : kind == 1 ? static_cast<std::int32_t>(rng.below(2001)) - 1000
                                                                  : static_cast<std::int32_t>(static_cast<std::uint32_t>(rng.below(1ull << 32)));
        }
        const auto zp = static_cast<std::int32_t>(rng.below(256));
        const auto lo = rng.below(2) ? zp : std::int32_t(0), hi = std::int32_t(255);
        run(acc.data(), rows, stride, bias.data(), mult.data(), shift.data(), zp, lo, hi, n, got.data());
        REQUIRE(got[n] == 0xA5);  // nothing past n written
        for (std::size_t o = 0; o < n; ++o) {
          std::int32_t best = acc[o];
          for (std::size_t r = 1; r < rows; ++r) best = std::max(best, acc[r * stride + o]);
          const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(best) + static_cast<std::uint32_t>(bias[o]));
          const std::int64_t q = std::int64_t(zp) + quant::multiply_by_quantized_multiplier(x, {mult[o], shift[o]});
          const auto want = static_cast<std::uint8_t>(q < lo ? lo : (q > hi ? hi : q));
          if (got[o] != want) {
            CAPTURE(name, n, rows, o, best, bias[o], mult[o], shift[o], zp, lo, int(got[o]), int(want));
            FAIL("the layer's requantization differs from the specification");
          }
        }
      }
    }
}
using PoolFn = void (*)(const std::uint8_t*, std::size_t, std::size_t, std::size_t, const std::int8_t*, std::size_t,
                        std::size_t, const kernels::RequantArgs&, std::int32_t*, std::size_t, std::uint8_t*,
                        std::size_t) noexcept;

// The fused product-pool-requantization (kernels/qgemm_pool.hpp) against the unfused definition:
// the product by rows (qgemm_rows_ref), the maximum over each group of rows, the specification.
// Short and long rows, groups of 1 to 9 rows, more groups than the Cortex-M kernel's stack array
// holds, channels whose bias or shift sends them the long way, and clamps below 255.
void check_pool(const char* name, PoolFn run) {
  Rng rng(17);
  constexpr std::int32_t kMin = -2147483647 - 1;
  for (const std::size_t in : {1, 2, 5, 8, 9, 12, 13, 27})
    for (const std::size_t out : {1, 5, 32, 33})
      for (const std::size_t group : {1, 4, 9})
        for (const std::size_t groups : {1, 3, 14, 17}) {
          CAPTURE(name, in, out, group, groups);
          const std::size_t rows = group * groups, stride = kernels::qpad4(in), out4 = kernels::qpad4(out);
          std::vector<std::uint8_t> x(rows * stride);
          std::vector<std::int8_t> w(in * out), packed(kernels::qpacked_size(in, out));
          std::vector<std::int32_t> bias(out), mult(out), shift(out), acc(group * out4), want_acc(rows * out4);
          for (int trial = 0; trial < 4; ++trial) {
            for (std::size_t r = 0; r < rows; ++r)
              for (std::size_t i = 0; i < stride; ++i)
                x[r * stride + i] = i >= in ? 0 : trial == 1 ? 255 : static_cast<std::uint8_t>(rng.below(256));
            for (auto& v : w) v = trial == 1 ? std::int8_t(rng.below(2) ? 127 : -127) : static_cast<std::int8_t>(int(rng.below(255)) - 127);
            for (std::size_t o = 0; o < out; ++o) {
              const std::uint64_t kind = rng.below(8);
              shift[o] = kind == 0 ? static_cast<std::int32_t>(rng.below(31)) : -static_cast<std::int32_t>(rng.below(32));
              mult[o] = rng.below(8) == 0 ? 0 : static_cast<std::int32_t>((1u << 30) + rng.below(1u << 30));
              bias[o] = kind == 1 ? (rng.below(2) ? kMin : (1 << 29) + 7) : static_cast<std::int32_t>(rng.below(400001)) - 200000;
            }
            kernels::qpack_weights(w.data(), in, out, packed.data());
            const std::int32_t zp = static_cast<std::int32_t>(rng.below(256));
            const std::int32_t lo = rng.below(2) ? zp : 0, hi = rng.below(4) == 0 ? 200 : 255;
            const kernels::RequantArgs rq{bias.data(), mult.data(), shift.data(), zp, std::min(lo, hi), hi};
            std::vector<std::uint8_t> got(groups * (out + 2), 0xA5);
            run(x.data(), stride, groups, group, packed.data(), in, out, rq, acc.data(), out4, got.data(), out + 2);
            kernels::qgemm_rows_ref(x.data(), stride, rows, w.data(), in, out, want_acc.data(), out4);
            for (std::size_t g = 0; g < groups; ++g) {
              for (std::size_t o = 0; o < out; ++o) {
                std::int32_t best = want_acc[g * group * out4 + o];
                for (std::size_t r = 1; r < group; ++r) best = std::max(best, want_acc[(g * group + r) * out4 + o]);
                const auto v = static_cast<std::int32_t>(static_cast<std::uint32_t>(best) + static_cast<std::uint32_t>(bias[o]));
                const std::int64_t q = std::int64_t(zp) + quant::multiply_by_quantized_multiplier(v, {mult[o], shift[o]});
                const auto want = static_cast<std::uint8_t>(q < rq.lo ? rq.lo : (q > rq.hi ? rq.hi : q));
                if (got[g * (out + 2) + o] != want) {
                  CAPTURE(g, o, best, bias[o], mult[o], shift[o], zp, rq.lo, rq.hi, int(got[g * (out + 2) + o]), int(want));
                  FAIL("the fused pooling product differs from the unfused layers");
                }
              }
              REQUIRE(got[g * (out + 2) + out] == 0xA5);  // nothing between the groups' rows written
              REQUIRE(got[g * (out + 2) + out + 1] == 0xA5);
            }
          }
        }
}
}  // namespace

// The short requantization (requant::ShortRequant, Cortex-M's SMMULR way; here its portable
// definition) equals the specification wherever fits() admits it: every shift in [-30, -1],
// multipliers from 0 to 2^31 - 1, values up to ±(2^30 - 1) and around every rounding tie.
TEST_CASE("the short requantization equals the specification where it applies", "[quant][qgemm]") {
  Rng rng(19);
  constexpr std::int32_t kMax = 2147483647, kBound = (1 << 30) - 1;
  std::size_t checked = 0;
  for (std::int32_t shift = -30; shift <= -1; ++shift)
    for (int trial = 0; trial < 3000; ++trial) {
      const std::uint64_t pick = rng.below(6);
      const std::int32_t m = pick == 0 ? 0 : pick == 1 ? kMax : pick == 2 ? (1 << 30) : static_cast<std::int32_t>((1u << 30) + rng.below(1u << 30));
      const std::uint64_t kind = rng.below(4);
      std::int32_t x = kind == 0 ? (rng.below(2) ? kBound : -kBound)
                     : kind == 1 ? static_cast<std::int32_t>(rng.below(2001)) - 1000
                     : kind == 2 ? static_cast<std::int32_t>((rng.below(2) ? 1 : -1) * ((std::int64_t(1) << rng.below(30)) + rng.below(3) - 1))
                                 : static_cast<std::int32_t>(rng.below(2ull * kBound + 1)) - kBound;
      x = std::max(-kBound, std::min(kBound, x));
      const std::int32_t zp = static_cast<std::int32_t>(rng.below(256)), lo = rng.below(2) ? zp : 0, hi = 255;
      REQUIRE(kernels::requant::ShortRequant::fits(shift, zp, x < 0 ? -std::int64_t(x) : x));
      const kernels::requant::ShortRequant requantize(m, shift, zp, lo, hi);
      const std::int64_t q = std::int64_t(zp) + quant::multiply_by_quantized_multiplier(x, {m, shift});
      const auto want = static_cast<std::uint8_t>(q < lo ? lo : (q > hi ? hi : q));
      if (requantize(x) != want) {
        CAPTURE(x, m, shift, zp, lo, int(requantize(x)), int(want));
        FAIL("the short requantization differs from the specification");
      }
      ++checked;
    }
  REQUIRE_FALSE(kernels::requant::ShortRequant::fits(1, 0, 100));          // a multiplier of 1 or more
  REQUIRE_FALSE(kernels::requant::ShortRequant::fits(0, 0, 100));          // or of 1/2 or more
  REQUIRE_FALSE(kernels::requant::ShortRequant::fits(-3, 0, 1 << 30));     // values that could overflow 2x
  REQUIRE_FALSE(kernels::requant::ShortRequant::fits(-31, 0, 100));        // a shift past the short rounding
  REQUIRE(checked == 30 * 3000);
}

TEST_CASE("the fused product, pooling and requantization equal the unfused layers", "[quant][qgemm]") {
  check_pool("active", kernels::qgemm_pool_u8);
  check_pool("reference", kernels::qgemm_pool_u8_ref);
}

TEST_CASE("the requantization equals the fixed-point specification bit for bit", "[quant][qgemm]") {
  check_requantize("active", kernels::requantize_s32);
  check_requantize("loop", kernels::requant::loop);
  check_finish("active", kernels::requantize_u8);
  check_finish("loop", kernels::requant::finish_loop);
  check_finish("scalar", kernels::requant::finish_scalar);
}

TEST_CASE("the int8 product equals the reference bit for bit", "[quant][qgemm]") {
  check("reference", kernels::qgemm_u8s8_s32_ref);
  check("active", kernels::qgemm_u8s8_s32);
}

#if defined(__ARM_FEATURE_DSP)
// The Cortex-M4 path (kernels/qgemm_dsp.hpp): armv7-a has the same DSP instructions, so the
// armv7 build checks it here under qemu-arm; the firmware checks it again on the emulated M4.
TEST_CASE("the SMLAD int8 product equals the reference bit for bit", "[quant][qgemm]") {
  check("dsp", kernels::qgemm::dsp);
}

// What a Cortex-M build's qgemm_pool_u8 runs (the fused kernel for short rows and 2x2 windows).
void dsp_pool(const std::uint8_t* x, std::size_t x_stride, std::size_t groups, std::size_t group, const std::int8_t* w,
              std::size_t in, std::size_t out, const kernels::RequantArgs& rq, std::int32_t* acc, std::size_t acc_stride,
              std::uint8_t* y, std::size_t y_stride) noexcept {
  if (group == 4 && kernels::qgemm::dsp_short_pool<4>(x, x_stride, groups, w, in, out, rq, y, y_stride)) return;
  kernels::qgemm_pool_u8_ref(x, x_stride, groups, group, w, in, out, rq, acc, acc_stride, y, y_stride);
}

TEST_CASE("the SMLAD fused pooling product equals the unfused layers", "[quant][qgemm]") {
  check_pool("dsp", dsp_pool);
}
#endif

#if FIRMNET_HAVE_XSIMD
// Run under an emulated CPU with FIRMNET_EXPECT_QGEMM=<variant> (tests/CMakeLists.txt): the
// dispatcher must pick the best int8 variant that CPU has.
TEST_CASE("int8 dispatch picks the variant the CPU supports", "[quant][dispatch]") {
  const char* expected = std::getenv("FIRMNET_EXPECT_QGEMM");
  std::printf("active int8 variant: %s\n", kernels::qgemm_active().name);
  if (expected) REQUIRE(std::string(kernels::qgemm_active().name) == expected);
  check("active", kernels::qgemm_u8s8_s32);
}

// FIRMNET_TEST_VARIANT=<name>: that variant only (one ctest per x86 variant, skipped where the
// CPU lacks it).
TEST_CASE("every compiled int8 variant equals the reference bit for bit", "[quant][qgemm][variants]") {
  std::size_t count = 0;
  const kernels::QgemmVariant* variants = kernels::qgemm_variants(&count);
  std::size_t ran = 0;
  const char* only = std::getenv("FIRMNET_TEST_VARIANT");
  for (std::size_t i = 0; i < count; ++i) {
    if (only && std::string(only) != variants[i].name) continue;
    std::printf("int8 variant %s: %s\n", variants[i].name, variants[i].supported ? "testing" : "not supported by this CPU");
    if (!variants[i].supported) continue;
    check(variants[i].name, variants[i].run);
    check_requantize(variants[i].name, variants[i].requantize);
    check_finish(variants[i].name, variants[i].finish);
    ++ran;
  }
  REQUIRE(ran >= 1);
}

#if FIRMNET_X86_DISPATCH_TESTS
TEST_CASE("int8 dispatch never picks an instruction set the CPU rules out", "[quant][dispatch]") {
  std::size_t count = 0;
  const kernels::QgemmVariant* variants = kernels::qgemm_variants(&count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = variants[i].name;
    const bool allowed = name == "avx512vnni" ? test::cpu_allows("avx512vnni") : name == "avx2" ? test::cpu_allows("avx2") : true;
    CAPTURE(name);
    REQUIRE(variants[i].supported == allowed);
  }
  const std::string active = kernels::qgemm_active().name;
  if (!test::cpu_allows("avx512vnni")) REQUIRE(active != "avx512vnni");
}
#endif
#endif
