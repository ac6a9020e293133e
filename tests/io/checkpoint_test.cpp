// io/checkpoint.hpp and io/model_checkpoint.hpp: round trip; every single-byte flip and every
// truncation is rejected; wrong model, shape, tensors or values are named; a failed write keeps
// the previous file.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <bit>
#include <limits>
#include <string>
#include <vector>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/crc32.hpp"
#include "firmnet/io/error.hpp"
#include "firmnet/io/model_checkpoint.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
using SmallNet = TwoLayerNet<6, 4, 3, 2>;

io::Checkpoint small_checkpoint(std::uint64_t seed) {
  static SmallNet net;
  static Normalizer<6> norm;
  Rng rng(seed);
  net.init(rng, InitRule::gaussian(0.5));
  for (std::size_t i = 0; i < 6; ++i) norm.mean.storage[i] = 0.1f * float(i);
  io::Checkpoint c = io::make_checkpoint(net, norm);
  c.set_metadata("dataset", "toy");
  return c;
}
}  // namespace

TEST_CASE("checkpoint round trip restores the model bit for bit", "[io][checkpoint]") {
  test::TempDir dir;
  static SmallNet a, b;
  static Normalizer<6> na, nb;
  Rng rng(3);
  a.init(rng, InitRule::gaussian(0.5));
  a.layer<0>().b.storage[2] = -0.25f;
  na.mean.storage[5] = 0.75f;
  io::Checkpoint c = io::make_checkpoint(a, na);
  c.set_metadata("epochs_done", "15");
  io::write_checkpoint(dir.file("m.fnck"), c);
  const io::Checkpoint back = io::read_checkpoint(dir.file("m.fnck"));
  REQUIRE(back.spec == "in:6|fc:4+relu|fc:3");
  REQUIRE(back.file_version == 2);
  REQUIRE(*back.find_metadata("epochs_done") == "15");
  io::load_checkpoint_into(back, "m.fnck", b, nb);
  REQUIRE(std::memcmp(&a.layer<0>().w, &b.layer<0>().w, sizeof a.layer<0>().w) == 0);
  REQUIRE(std::memcmp(&a.layer<1>().w, &b.layer<1>().w, sizeof a.layer<1>().w) == 0);
  REQUIRE(b.layer<0>().b.storage[2] == -0.25f);
  REQUIRE(nb.mean.storage[5] == 0.75f);
  // No temporary file is left behind.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  REQUIRE(files == 1);
}

TEST_CASE("checkpoint: every flipped byte and every truncation is rejected", "[io][checkpoint]") {
  const auto bytes = io::encode_checkpoint(small_checkpoint(1));
  REQUIRE(bytes.size() > 100);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0x01;
    CAPTURE(i);
    REQUIRE_THROWS_AS(io::decode_checkpoint(bad, "c.fnck"), io::Error);
  }
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    CAPTURE(len);
    REQUIRE_THROWS_AS(io::decode_checkpoint(std::span(bytes).first(len), "c.fnck"), io::Error);
  }
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  REQUIRE_THROWS_WITH(io::decode_checkpoint(flipped, "c.fnck"), Contains("c.fnck") && Contains("checksum mismatch"));
  auto other = bytes;
  other[0] = 'P';
  REQUIRE_THROWS_WITH(io::decode_checkpoint(other, "c.fnck"), Contains("not a firmnet checkpoint"));
  auto newer = bytes;
  newer[8] = 3;
  REQUIRE_THROWS_WITH(io::decode_checkpoint(newer, "c.fnck"), Contains("format version 3 is not supported"));
}

TEST_CASE("checkpoint of another model, shape or content is named", "[io][checkpoint]") {
  const io::Checkpoint c = small_checkpoint(2);
  static TwoLayerNet<6, 5, 3, 2> wider;
  static LinearClassifier<6, 3, 2> linear;
  static SmallNet net;
  static Normalizer<6> norm;
  REQUIRE_THROWS_WITH(io::load_checkpoint_into(c, "c.fnck", wider, norm),
                      Contains("c.fnck: checkpoint holds the network in:6|fc:4+relu|fc:3, expected in:6|fc:5+relu|fc:3"));
  REQUIRE_THROWS_WITH(io::load_checkpoint_into(c, "c.fnck", linear, norm), Contains("expected in:6|fc:3"));
  io::Checkpoint missing = c;
  missing.tensors.erase(missing.tensors.begin() + 2);
  REQUIRE_THROWS_WITH(io::load_checkpoint_into(missing, "c.fnck", net, norm), Contains("no tensor 'w2'"));
  io::Checkpoint bad_dims = c;
  bad_dims.tensors[0].rows = 4;
  bad_dims.tensors[0].cols = 6;
  REQUIRE_THROWS_WITH(io::load_checkpoint_into(bad_dims, "c.fnck", net, norm),
                      Contains("'w1' is 4x6, the model expects 6x4"));
  io::Checkpoint nan = c;
  nan.tensors[2].values[5] = std::numeric_limits<float>::quiet_NaN();
  REQUIRE_THROWS_WITH(io::load_checkpoint_into(nan, "c.fnck", net, norm),
                      Contains("'w2' holds a non-finite value") && Contains("index 5"));
  // Encoded and decoded again, a duplicate tensor is rejected too.
  io::Checkpoint dup = c;
  dup.tensors.push_back(dup.tensors[0]);
  REQUIRE_THROWS_WITH(io::decode_checkpoint(io::encode_checkpoint(dup), "c.fnck"), Contains("appears twice"));
}

namespace {
// A version-1 checkpoint as the firmnet of before wrote it: kind and shape instead of a spec.
std::vector<std::uint8_t> encode_v1(const std::string& kind, const std::vector<std::uint32_t>& shape,
                                    const std::vector<io::CheckpointTensor>& tensors) {
  std::vector<std::uint8_t> out = {0x89, 'F', 'N', 'C', 'K', 0x0D, 0x0A, 0x1A};
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  auto str = [&](const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  };
  u32(1);
  u32(1);
  str(kind);
  u32(static_cast<std::uint32_t>(shape.size()));
  for (const auto d : shape) u32(d);
  u32(1);
  str("dataset");
  str("toy");
  u32(static_cast<std::uint32_t>(tensors.size()));
  for (const auto& t : tensors) {
    str(t.name);
    u32(t.rows);
    u32(t.cols);
    for (const float v : t.values) u32(std::bit_cast<std::uint32_t>(v));
  }
  u32(io::crc32(out.data(), out.size()));
  return out;
}
}  // namespace

TEST_CASE("version-1 checkpoints load as the networks they hold", "[io][checkpoint]") {
  const io::Checkpoint c = small_checkpoint(7);  // in:6|fc:4+relu|fc:3: w1 b1 w2 b2 input_mean
  const io::Checkpoint two = io::decode_checkpoint(encode_v1("two-layer", {6, 4, 3}, c.tensors), "old.fnck");
  REQUIRE(two.spec == "in:6|fc:4+relu|fc:3");
  REQUIRE(two.file_version == 1);
  static SmallNet net;
  static Normalizer<6> norm;
  io::load_checkpoint_into(two, "old.fnck", net, norm);
  REQUIRE(net.layer<1>().w.storage[3] == c.tensors[2].values[3]);
  // The linear model named its tensors w and b.
  std::vector<io::CheckpointTensor> lin = {{"w", 6, 3, std::vector<float>(18, 0.5f)}, {"b", 1, 3, {1, 2, 3}},
                                           {"input_mean", 1, 6, std::vector<float>(6, 0.f)}};
  const io::Checkpoint one = io::decode_checkpoint(encode_v1("linear", {6, 3}, lin), "old.fnck");
  REQUIRE(one.spec == "in:6|fc:3");
  static LinearClassifier<6, 3, 2> linear;
  io::load_checkpoint_into(one, "old.fnck", linear, norm);
  REQUIRE(linear.layer<0>().b.storage[2] == 3.f);
  REQUIRE_THROWS_WITH(io::decode_checkpoint(encode_v1("conv", {6, 3}, lin), "old.fnck"),
                      Contains("version-1 model kind 'conv'"));
  REQUIRE_THROWS_WITH(io::decode_checkpoint(encode_v1("two-layer", {6, 3}, lin), "old.fnck"),
                      Contains("two-layer: 3, linear: 2"));
}

TEST_CASE("a failed checkpoint write leaves the previous checkpoint intact", "[io][checkpoint]") {
  test::TempDir dir;
  const std::string path = dir.file("keep.fnck");
  io::write_checkpoint(path, small_checkpoint(4));
  const auto before = test::read_bytes(path);
  // A child process with a file-size limit smaller than a checkpoint: its write fails midway
  // with EFBIG (even as root, unlike permission tricks).
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{64, 64};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      io::write_checkpoint(path, small_checkpoint(5));
      _exit(0);  // unexpected success
    } catch (const io::Error& e) {
      const std::string what = e.what();
      _exit(what.find("keep.fnck") != std::string::npos && what.find("unchanged") != std::string::npos ? 3 : 4);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 3);
  REQUIRE(test::read_bytes(path) == before);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
  REQUIRE(files == 1);  // the temporary file was removed
  REQUIRE_THROWS_WITH(io::write_checkpoint(dir.file("no/such/dir.fnck"), small_checkpoint(6)),
                      Contains("cannot create temporary file"));
}
