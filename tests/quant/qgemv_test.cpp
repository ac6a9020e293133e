// kernels/qgemv.hpp: every compiled int8 variant equals the scalar reference bit for bit, on tails
// around every vector width and on the extreme values that would saturate an int16 pair sum.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "firmnet/core/rng.hpp"
#include "firmnet/kernels/qgemv.hpp"
#include "firmnet/kernels/requantize.hpp"
#include "firmnet/quant/fixed_point.hpp"
#include "support/cpu.hpp"

using namespace firmnet;

namespace {
struct Case {
  std::size_t in, out;
};

void check(const char* name, void (*run)(const std::uint8_t*, const std::int8_t*, std::size_t, std::size_t, std::int32_t*) noexcept) {
  Rng rng(7);
  for (const std::size_t in : {1, 7, 8, 13, 15, 16, 17, 63, 64, 65, 127, 128, 129, 784, 3072})
    for (const std::size_t out : {1, 3, 4, 5, 10, 128}) {
      CAPTURE(name, in, out);
      std::vector<std::uint8_t> x(in);
      std::vector<std::int8_t> w(in * out);
      for (int pattern = 0; pattern < 3; ++pattern) {
        for (auto& v : x) v = pattern == 1 ? 255 : static_cast<std::uint8_t>(rng.below(256));
        for (auto& v : w) v = pattern == 1 ? std::int8_t(127) : pattern == 2 ? std::int8_t(-127) : static_cast<std::int8_t>(int(rng.below(255)) - 127);
        std::vector<std::int32_t> want(out), got(out, -1);
        kernels::qgemv_u8s8_s32_ref(x.data(), w.data(), in, out, want.data());
        run(x.data(), w.data(), in, out, got.data());
        REQUIRE(got == want);
      }
    }
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
}  // namespace

TEST_CASE("the requantization equals the fixed-point specification bit for bit", "[quant][qgemv]") {
  check_requantize("active", kernels::requantize_s32);
  check_requantize("loop", kernels::requant::loop);
}

TEST_CASE("qgemv equals the reference bit for bit", "[quant][qgemv]") {
  check("active", kernels::qgemv_u8s8_s32);
}

#if defined(__ARM_FEATURE_DSP)
// The Cortex-M4 path (kernels/qgemv_dsp.hpp): armv7-a has the same DSP instructions, so the
// armv7 build checks it here under qemu-arm; the firmware checks it again on the emulated M4.
TEST_CASE("the SMLAD int8 product equals the reference bit for bit", "[quant][qgemv]") {
  check("dsp", kernels::qgemv::dsp);
}
#endif

#if FIRMNET_HAVE_XSIMD
// Run under an emulated CPU with FIRMNET_EXPECT_QGEMV=<variant> (tests/CMakeLists.txt): the
// dispatcher must pick the best int8 variant that CPU has.
TEST_CASE("int8 dispatch picks the variant the CPU supports", "[quant][dispatch]") {
  const char* expected = std::getenv("FIRMNET_EXPECT_QGEMV");
  std::printf("active int8 variant: %s\n", kernels::qgemv_active().name);
  if (expected) REQUIRE(std::string(kernels::qgemv_active().name) == expected);
  check("active", kernels::qgemv_u8s8_s32);
}

// FIRMNET_TEST_VARIANT=<name>: that variant only (one ctest per x86 variant, skipped where the
// CPU lacks it).
TEST_CASE("every compiled int8 variant equals the reference bit for bit", "[quant][qgemv][variants]") {
  std::size_t count = 0;
  const kernels::QgemvVariant* variants = kernels::qgemv_variants(&count);
  std::size_t ran = 0;
  const char* only = std::getenv("FIRMNET_TEST_VARIANT");
  for (std::size_t i = 0; i < count; ++i) {
    if (only && std::string(only) != variants[i].name) continue;
    std::printf("int8 variant %s: %s\n", variants[i].name, variants[i].supported ? "testing" : "not supported by this CPU");
    if (!variants[i].supported) continue;
    check(variants[i].name, variants[i].run);
    check_requantize(variants[i].name, variants[i].requantize);
    ++ran;
  }
  REQUIRE(ran >= 1);
}

#if FIRMNET_X86_DISPATCH_TESTS
TEST_CASE("int8 dispatch never picks an instruction set the CPU rules out", "[quant][dispatch]") {
  std::size_t count = 0;
  const kernels::QgemvVariant* variants = kernels::qgemv_variants(&count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = variants[i].name;
    const bool allowed = name == "avx512vnni" ? test::cpu_allows("avx512vnni") : name == "avx2" ? test::cpu_allows("avx2") : true;
    CAPTURE(name);
    REQUIRE(variants[i].supported == allowed);
  }
  const std::string active = kernels::qgemv_active().name;
  if (!test::cpu_allows("avx512vnni")) REQUIRE(active != "avx512vnni");
}
#endif
#endif
