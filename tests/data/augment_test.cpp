// data/augment.hpp and the augmented ImageBatches: each transform against a hand-written
// expectation, the draws' distribution, and the batch source's determinism.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "firmnet/data/augment.hpp"
#include "firmnet/train/batches.hpp"

using namespace firmnet;

namespace {

// A 3x4 image of 2 channels whose bytes say where they came from: 10*y + x, and +100 in channel 1.
std::array<std::uint8_t, 24> numbered_image() {
  std::array<std::uint8_t, 24> img{};
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 2; ++c) img[static_cast<std::size_t>((y * 4 + x) * 2 + c)] = static_cast<std::uint8_t>(10 * y + x + 100 * c + 1);
  return img;
}

std::uint8_t at(const std::array<std::uint8_t, 24>& img, int y, int x, int c) {
  return img[static_cast<std::size_t>((y * 4 + x) * 2 + c)];
}

constexpr ImageShape kShape{3, 4, 2};

}  // namespace

TEST_CASE("augment_image: no draw copies the image", "[data][augment]") {
  const auto in = numbered_image();
  std::array<std::uint8_t, 24> out{};
  augment_image(in.data(), out.data(), kShape, AugmentDraw{});
  REQUIRE(out == in);
}

TEST_CASE("augment_image: a flip mirrors each row, channels kept together", "[data][augment]") {
  const auto in = numbered_image();
  std::array<std::uint8_t, 24> out{};
  augment_image(in.data(), out.data(), kShape, AugmentDraw{true, 0, 0});
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 2; ++c) REQUIRE(at(out, y, x, c) == at(in, y, 3 - x, c));
  REQUIRE(at(out, 0, 0, 0) == 4);  // the top row's last pixel (10*0 + 3 + 1)
}

TEST_CASE("augment_image: a shift moves the content and blackens the uncovered border", "[data][augment]") {
  const auto in = numbered_image();
  std::array<std::uint8_t, 24> out{};
  augment_image(in.data(), out.data(), kShape, AugmentDraw{false, 1, -2});  // down 1, left 2
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 2; ++c) {
        const int sy = y - 1, sx = x + 2;
        const bool inside = sy >= 0 && sx < 4;
        CAPTURE(y, x, c);
        REQUIRE(at(out, y, x, c) == (inside ? at(in, sy, sx, c) : 0));
      }
  REQUIRE(at(out, 1, 0, 1) == 100 + 2 + 1);  // came from (0, 2), channel 1
  REQUIRE(at(out, 0, 0, 0) == 0);
  REQUIRE(at(out, 2, 3, 0) == 0);
}

TEST_CASE("augment_image: flip and shift together flip first, then move", "[data][augment]") {
  const auto in = numbered_image();
  std::array<std::uint8_t, 24> out{};
  augment_image(in.data(), out.data(), kShape, AugmentDraw{true, -1, 1});  // up 1, right 1
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      const int sy = y + 1, sx = x - 1;
      const bool inside = sy < 3 && sx >= 0;
      CAPTURE(y, x);
      REQUIRE(at(out, y, x, 0) == (inside ? at(in, sy, 3 - sx, 0) : 0));
    }
  REQUIRE(at(out, 0, 1, 0) == 10 + 3 + 1);  // the mirrored row 1's first pixel, moved up and right
}

TEST_CASE("augment_image: every flip and every shift up to past the edges, pixel by pixel", "[data][augment]") {
  // The row-wise copies against the definition, one pixel at a time, on the 3x4x2 image: shifts
  // of -5..5 each way (whole rows or the whole image uncovered), with and without the flip.
  const auto in = numbered_image();
  for (const bool flip : {false, true})
    for (int dy = -5; dy <= 5; ++dy)
      for (int dx = -5; dx <= 5; ++dx) {
        std::array<std::uint8_t, 24> out;
        out.fill(0xEE);  // every byte must be written
        augment_image(in.data(), out.data(), kShape, AugmentDraw{flip, dy, dx});
        for (int y = 0; y < 3; ++y)
          for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 2; ++c) {
              const int sy = y - dy, sx = x - dx;
              const bool inside = sy >= 0 && sy < 3 && sx >= 0 && sx < 4;
              CAPTURE(flip, dy, dx, y, x, c);
              REQUIRE(at(out, y, x, c) == (inside ? at(in, sy, flip ? 3 - sx : sx, c) : 0));
            }
      }
}

TEST_CASE("draw_augmentation: flips half the images, offsets uniform over -shift..shift", "[data][augment]") {
  const Augmentation a{true, 2};
  std::array<int, 5> dy{}, dx{};
  int flips = 0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const AugmentDraw d = draw_augmentation(a, 0x1234, static_cast<std::uint64_t>(i));
    REQUIRE(d.dy >= -2);
    REQUIRE(d.dy <= 2);
    REQUIRE(d.dx >= -2);
    REQUIRE(d.dx <= 2);
    flips += d.flip;
    ++dy[static_cast<std::size_t>(d.dy + 2)];
    ++dx[static_cast<std::size_t>(d.dx + 2)];
  }
  // Binomial: n/2 +- 4 standard deviations (112), n/5 +- 4 (358).
  REQUIRE(std::abs(flips - n / 2) < 450);
  for (int k = 0; k < 5; ++k) {
    REQUIRE(std::abs(dy[static_cast<std::size_t>(k)] - n / 5) < 360);
    REQUIRE(std::abs(dx[static_cast<std::size_t>(k)] - n / 5) < 360);
  }
  // The offsets of one image are not tied together: all 25 pairs occur.
  std::array<bool, 25> seen{};
  for (int i = 0; i < 1000; ++i) {
    const AugmentDraw d = draw_augmentation(a, 99, static_cast<std::uint64_t>(i));
    seen[static_cast<std::size_t>((d.dy + 2) * 5 + d.dx + 2)] = true;
  }
  for (const bool s : seen) REQUIRE(s);
  // Only what was asked for is drawn.
  for (int i = 0; i < 100; ++i) {
    const AugmentDraw flip_only = draw_augmentation({true, 0}, 7, static_cast<std::uint64_t>(i));
    REQUIRE(flip_only.dy == 0);
    REQUIRE(flip_only.dx == 0);
    REQUIRE_FALSE(draw_augmentation({false, 3}, 7, static_cast<std::uint64_t>(i)).flip);
  }
}

TEST_CASE("ImageBatches: augmented batches are each image's transform, reproducible, new every epoch",
          "[data][augment][train]") {
  constexpr ImageShape shape{4, 4, 1};
  constexpr std::size_t kCount = 40, kDim = 16;
  std::vector<std::uint8_t> pixels(kCount * kDim);
  std::vector<Label> labels(kCount);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(1 + (i * 37) % 251);
  for (std::size_t i = 0; i < kCount; ++i) labels[i] = static_cast<Label>(i % 10);
  const ImageSet set{pixels.data(), labels.data(), kCount, kDim};
  Normalizer<kDim> norm;
  norm.fit(set);
  const Augmentation aug{true, 1};

  // One epoch of batches of 8 as (images, labels); also checks every row against the transform
  // of the image the sampler put there.
  auto epoch = [&](ShufflingSampler& sampler, ImageBatches<kDim>& batches) {
    batches.start_epoch();
    std::vector<float> all;
    Matrix<float, 8, kDim> x;
    Label got[8];
    for (std::size_t b = 0; b < batches.batches(); ++b) {
      REQUIRE(batches.fill(b, x.view(), got) == 8);
      const auto indices = sampler.batch(b);
      for (std::size_t r = 0; r < 8; ++r) {
        REQUIRE(got[r] == labels[indices[r]]);
        all.insert(all.end(), x.view().row(r), x.view().row(r) + kDim);
      }
    }
    return all;
  };
  std::vector<std::uint32_t> o1(kCount), o2(kCount), o3(kCount);
  ShufflingSampler s1(o1, 8, false, 3), s2(o2, 8, false, 3), s3(o3, 8, false, 3);
  ImageBatches<kDim> a(set, norm, s1, shape, aug), b(set, norm, s2, shape, aug), plain(set, norm, s3);
  const auto a1 = epoch(s1, a), b1 = epoch(s2, b);
  REQUIRE(a1 == b1);  // same seed, same draws
  const auto p1 = epoch(s3, plain);
  REQUIRE(a1 != p1);  // something was transformed

  // Row by row: the augmented batch holds the normalised transform of the sampled image, with the
  // transform its position in the epoch draws (the key: the sampler's next draw after shuffling).
  std::vector<std::uint32_t> o4(kCount);
  ShufflingSampler s4(o4, 8, false, 3);
  s4.start_epoch();
  const std::uint64_t key = s4.rng().next_u64();
  std::size_t transformed = 0;
  for (std::size_t pos = 0; pos < kCount; ++pos) {
    const AugmentDraw d = draw_augmentation(aug, key, pos);
    transformed += d.flip || d.dy != 0 || d.dx != 0;
    std::uint8_t moved[kDim];
    augment_image(set.image(o4[pos]), moved, shape, d);
    float want[kDim];
    norm.apply(moved, want);
    for (std::size_t j = 0; j < kDim; ++j) REQUIRE(a1[pos * kDim + j] == want[j]);
  }
  REQUIRE(transformed > kCount / 2);

  // The next epoch draws again: other transforms (and another order).
  const auto a2 = epoch(s1, a);
  REQUIRE(a2 != a1);
  // Without augmentation the sampler's generator is not drawn from: the plain source's second
  // epoch is the same order a fresh sampler gives after one shuffle more.
  const auto p2 = epoch(s3, plain);
  std::vector<std::uint32_t> o5(kCount);
  ShufflingSampler s5(o5, 8, false, 3);
  s5.start_epoch();
  s5.start_epoch();
  REQUIRE(o5 == o3);
  REQUIRE(p2 != p1);
}
