// io/data_fingerprint.hpp: a checkpoint tells the data it was trained on from other data of the
// same shape, by its fingerprint or, for a checkpoint without one, by its input_mean.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "firmnet/data/normalizer.hpp"
#include "firmnet/io/data_fingerprint.hpp"
#include "firmnet/io/file.hpp"
#include "firmnet/io/quantized_model_file.hpp"
#include "support/datasets.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;

namespace {
struct Data {
  test::GeneratedImages train, test;
  io::Splits splits() const {
    const ImageSet all{train.pixels.data(), train.labels.data(), train.labels.size(), 16};
    return {all.slice(0, 30), all.slice(30, 10), {test.pixels.data(), test.labels.data(), test.labels.size(), 16}};
  }
};
Data make(std::uint64_t seed) { return {test::generate_images(40, 16, seed), test::generate_images(12, 16, seed + 1)}; }

io::Checkpoint checkpoint_with_mean(const io::Splits& s) {
  io::Checkpoint c;
  Normalizer<16> norm;
  norm.fit(s.train);
  c.tensors.push_back({"input_mean", 1, 16, std::vector<float>(norm.mean.data(), norm.mean.data() + 16)});
  return c;
}
}  // namespace

TEST_CASE("the same data has the same fingerprint, other data another", "[io][fingerprint]") {
  const Data a = make(1), b = make(1), other = make(7);
  const std::string fa = io::data_fingerprint("fashion-mnist", a.splits());
  REQUIRE(fa == io::data_fingerprint("fashion-mnist", b.splits()));
  REQUIRE(fa.rfind("fashion-mnist train=30:", 0) == 0);
  REQUIRE(io::fingerprint_difference(fa, fa).empty());
  const std::string diff = io::fingerprint_difference(fa, io::data_fingerprint("fashion-mnist", other.splits()));
  REQUIRE(diff.find("train split: 30 images with CRC") != std::string::npos);
  REQUIRE(diff.find("test split") != std::string::npos);
  REQUIRE(io::fingerprint_difference(fa, io::data_fingerprint("cifar10", a.splits())) == "dataset fashion-mnist then, cifar10 now");
  // One changed label is other data too.
  Data relabelled = make(1);
  relabelled.train.labels[3] = static_cast<Label>((relabelled.train.labels[3] + 1) % 10);
  REQUIRE(!io::fingerprint_difference(fa, io::data_fingerprint("fashion-mnist", relabelled.splits())).empty());
}

TEST_CASE("data_mismatch uses the fingerprint, else the input mean", "[io][fingerprint]") {
  const Data a = make(1), other = make(7);
  io::Checkpoint c = checkpoint_with_mean(a.splits());
  // No fingerprint (a checkpoint from before them): the mean of the rebuilt split decides.
  REQUIRE(io::data_mismatch(c, "fashion-mnist", a.splits()).empty());
  const std::string by_mean = io::data_mismatch(c, "fashion-mnist", other.splits());
  REQUIRE(by_mean.find("differs from the checkpoint's input_mean") != std::string::npos);
  // With one, the fingerprint decides.
  c.set_metadata(io::kDataFingerprintKey, io::data_fingerprint("fashion-mnist", a.splits()));
  REQUIRE(io::data_mismatch(c, "fashion-mnist", a.splits()).empty());
  REQUIRE(io::data_mismatch(c, "fashion-mnist", other.splits()).find("train split") != std::string::npos);
}

TEST_CASE("output paths are checked before any work", "[io][file]") {
  test::TempDir dir;
  REQUIRE(io::output_path_problem(dir.file("fine.fnck")).empty());
  REQUIRE(io::output_path_problem(dir.file("missing/x.fnck")).find("does not exist") != std::string::npos);
  REQUIRE(io::output_path_problem(dir.path().string()) == "is a directory, not a file");
  REQUIRE(io::output_path_problem("") == "the path is empty");
  test::write_bytes(dir.file("file"), {1});
  REQUIRE(io::output_path_problem(dir.file("file/x.fnck")).find("is not a directory") != std::string::npos);
}

TEST_CASE("header namespaces must be C++ namespace names", "[io][quant]") {
  for (const char* ok : {"firmnet_model", "m", "_x", "a::b", "my_models::linear_v1"}) REQUIRE(io::is_cpp_namespace_name(ok));
  for (const char* bad : {"", "my-model", "9lives", "class", "a::", "::a", "a::::b", "a b", "__x", "_X", "int"})
    REQUIRE_FALSE(io::is_cpp_namespace_name(bad));
}
