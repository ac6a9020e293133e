// io/idx.hpp, io/cifar10.hpp, io/datasets.hpp: valid files load; every malformed one is rejected
// with a message that names the file and the problem.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "firmnet/io/cifar10.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/idx.hpp"
#include "support/datasets.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::vector<std::uint8_t> small_idx_images(std::size_t count = 3) {
  std::vector<std::uint8_t> pixels(count * 4 * 5);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i);
  return io::encode_idx_images(pixels, count, 4, 5);
}
}  // namespace

TEST_CASE("idx images and labels round-trip, plain and gzip", "[io][idx]") {
  test::TempDir dir;
  const auto bytes = small_idx_images();
  test::write_bytes(dir.file("plain"), bytes);
  std::vector<std::string> paths{dir.file("plain")};
  if (test::kHaveGzip) {
    test::write_gzip(dir.file("packed.gz"), bytes);
    paths.push_back(dir.file("packed.gz"));
  }
  for (const auto& path : paths) {
    const auto images = io::read_idx_images(path);
    REQUIRE(images.count == 3);
    REQUIRE(images.rows == 4);
    REQUIRE(images.cols == 5);
    REQUIRE(images.pixels.size() == 60);
    REQUIRE(images.pixels[59] == 59);
  }
  const std::vector<Label> labels = {0, 9, 3};
  test::write_bytes(dir.file("labels"), io::encode_idx_labels(labels));
  REQUIRE(io::read_idx_labels(dir.file("labels"), 10) == labels);
}

TEST_CASE("idx: malformed headers are rejected with the file name", "[io][idx]") {
  const std::string src = "f.idx";
  auto bytes = small_idx_images();
  SECTION("too short") {
    REQUIRE_THROWS_WITH(io::parse_idx_images({0, 0, 8}, src), Contains("f.idx") && Contains("too short"));
  }
  SECTION("wrong magic") {
    bytes[0] = 0x1f;
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("f.idx") && Contains("not an IDX file"));
  }
  SECTION("wrong element type") {
    bytes[2] = 0x0D;
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("0x0d") && Contains("unsigned byte"));
  }
  SECTION("a label file given as images") {
    REQUIRE_THROWS_WITH(io::parse_idx_images(io::encode_idx_labels(std::vector<Label>{1, 2}), src),
                        Contains("image file with 3 dimension(s), found 1"));
  }
  SECTION("truncated header") {
    bytes.resize(10);
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("truncated IDX header"));
  }
  SECTION("truncated pixels") {
    bytes.resize(bytes.size() - 1);
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("truncated") && Contains("3 images of 4x5"));
  }
  SECTION("trailing bytes") {
    bytes.push_back(0);
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("1 unexpected bytes"));
  }
  SECTION("zero images") {
    REQUIRE_THROWS_WITH(io::parse_idx_images(io::encode_idx_images({}, 0, 28, 28), src), Contains("zero dimension"));
  }
  SECTION("a header claiming 4 billion images is rejected before allocating") {
    bytes[4] = bytes[5] = bytes[6] = bytes[7] = 0xFF;  // count = 2^32 - 1
    bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0xFF;  // rows = 2^32 - 1
    REQUIRE_THROWS_WITH(io::parse_idx_images(bytes, src), Contains("truncated: header says 4294967295 images"));
  }
}

TEST_CASE("idx labels: truncation, trailing bytes and out-of-range labels", "[io][idx]") {
  const std::string src = "labels.idx";
  auto bytes = io::encode_idx_labels(std::vector<Label>{1, 2, 3});
  auto truncated = bytes;
  truncated.pop_back();
  REQUIRE_THROWS_WITH(io::parse_idx_labels(truncated, src, 10), Contains("labels.idx") && Contains("says 3 labels"));
  auto trailing = bytes;
  trailing.push_back(1);
  REQUIRE_THROWS_WITH(io::parse_idx_labels(trailing, src, 10), Contains("unexpected bytes"));
  bytes[9] = 12;
  REQUIRE_THROWS_WITH(io::parse_idx_labels(bytes, src, 10),
                      Contains("label 12 at index 1 is out of range (classes 0..9)"));
}

TEST_CASE("files: missing files and directories", "[io][file]") {
  test::TempDir dir;
  REQUIRE_THROWS_WITH(io::read_file(dir.file("nope.gz")), Contains("nope.gz") && Contains("No such file"));
  REQUIRE_THROWS_WITH(io::read_file(dir.path().string()), Contains("is a directory"));
  test::write_bytes(dir.file("big"), std::vector<std::uint8_t>(1000, 7));
  REQUIRE(io::read_file(dir.file("big")).size() == 1000);
  REQUIRE_THROWS_WITH(io::read_file(dir.file("big"), 100), Contains("big") && Contains("larger than the limit"));
}

#if FIRMNET_HAVE_ZLIB
TEST_CASE("files: truncated and corrupt gzip", "[io][file]") {
  test::TempDir dir;
  const auto bytes = small_idx_images(200);
  test::write_gzip(dir.file("whole.gz"), bytes);
  auto packed = test::read_bytes(dir.file("whole.gz"));
  auto cut = packed;
  cut.resize(packed.size() / 2);
  test::write_bytes(dir.file("cut.gz"), cut);
  REQUIRE_THROWS_WITH(io::read_file(dir.file("cut.gz")), Contains("cut.gz") && Contains("corrupt or truncated gzip"));
  auto flipped = packed;
  flipped[packed.size() - 6] ^= 0x55;  // inside the CRC-32 trailer
  test::write_bytes(dir.file("flipped.gz"), flipped);
  REQUIRE_THROWS_WITH(io::read_file(dir.file("flipped.gz")), Contains("flipped.gz") && Contains("gzip"));
  REQUIRE_THROWS_WITH(io::read_file(dir.file("whole.gz"), 100), Contains("larger than the limit"));
}
#else
TEST_CASE("files: without zlib a gzip file gets a clear error", "[io][file]") {
  test::TempDir dir;
  test::write_bytes(dir.file("x.gz"), {0x1f, 0x8b, 8, 0, 0, 0, 0, 0});
  REQUIRE_THROWS_WITH(io::read_file(dir.file("x.gz")), Contains("x.gz: is gzip-compressed") && Contains("without zlib"));
}
#endif

TEST_CASE("fashion-mnist directory: gzip or plain files, count mismatch, missing files", "[io][datasets]") {
  test::TempDir gz, plain, empty;
  test::write_fashion_mnist(gz.path().string(), 30, 10, true);  // plain files when built without zlib
  test::write_fashion_mnist(plain.path().string(), 30, 10, false);
  for (const auto* d : {&gz, &plain}) {
    const io::Dataset data = io::load_fashion_mnist(d->path().string());
    REQUIRE(data.train.count() == 30);
    REQUIRE(data.test.count() == 10);
    REQUIRE(data.train.dim == 784);
  }
  REQUIRE_THROWS_WITH(io::load_fashion_mnist(empty.path().string()),
                      Contains("train-images-idx3-ubyte") && Contains("dataset-fashion-mnist"));
  // 29 labels for 30 images.
  test::write_bytes(plain.file("train-labels-idx1-ubyte"), io::encode_idx_labels(std::vector<Label>(29, 1)));
  REQUIRE_THROWS_WITH(io::load_fashion_mnist(plain.path().string()),
                      Contains("holds 30 images but") && Contains("holds 29 labels"));
}

TEST_CASE("cifar-10: valid files, truncated records, bad labels, missing batches", "[io][cifar10]") {
  test::TempDir dir;
  test::write_cifar10(dir.path().string(), 7);
  const io::Dataset data = io::load_cifar10(dir.path().string());
  REQUIRE(data.train.count() == 35);
  REQUIRE(data.test.count() == 7);
  REQUIRE(data.train.dim == 3072);

  auto bytes = test::read_bytes(dir.file("data_batch_2.bin"));
  auto cut = bytes;
  cut.resize(bytes.size() - 100);
  test::write_bytes(dir.file("data_batch_2.bin"), cut);
  REQUIRE_THROWS_WITH(io::load_cifar10(dir.path().string()),
                      Contains("data_batch_2.bin") && Contains("not a whole number of 3073-byte records"));
  bytes[3073] = 10;  // second record's label
  test::write_bytes(dir.file("data_batch_2.bin"), bytes);
  REQUIRE_THROWS_WITH(io::load_cifar10(dir.path().string()), Contains("label 10 of record 1 is out of range"));
  test::write_bytes(dir.file("data_batch_2.bin"), {});
  REQUIRE_THROWS_WITH(io::load_cifar10(dir.path().string()), Contains("empty file"));
  std::filesystem::remove(dir.file("data_batch_2.bin"));
  REQUIRE_THROWS_WITH(io::load_cifar10(dir.path().string()), Contains("data_batch_2.bin: not found"));
}

TEST_CASE("split: val is the tail of the training file, bad sizes name the flag", "[io][datasets]") {
  io::Dataset data;
  data.name = "toy";
  data.train.dim = 2;
  data.train.labels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  data.train.pixels.resize(20);
  data.test = data.train;
  const auto s = io::split(data, 0, 3);
  REQUIRE(s.train.count == 7);
  REQUIRE(s.val.count == 3);
  REQUIRE(s.val.labels[0] == 7);
  REQUIRE(io::split(data, 4, 3).train.count == 4);
  REQUIRE_THROWS_WITH(io::split(data, 8, 3), Contains("--num-train 8"));
  REQUIRE_THROWS_WITH(io::split(data, 0, 10), Contains("--num-val 10"));
}

TEST_CASE("dataset names", "[io][datasets]") {
  REQUIRE(io::input_dim("fashion-mnist") == 784);
  REQUIRE(io::input_dim("cifar10") == 3072);
  REQUIRE_THROWS_WITH(io::load_dataset("mnist", ""), Contains("unknown dataset 'mnist'"));
}
