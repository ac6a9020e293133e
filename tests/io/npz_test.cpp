// io/npz.hpp: np.savez and np.savez_compressed files load; firmnet's own round-trip; members that
// are not arrays, bad arrays and a too-small limit are named. The ZIP layer: tests/io/zip_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "firmnet/io/error.hpp"
#include "firmnet/io/npy.hpp"
#include "firmnet/io/npz.hpp"
#include "firmnet/io/zip.hpp"
#include "support/temp_dir.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
std::string fixture(const char* name) { return std::string(FIRMNET_TEST_FIXTURES) + "/import/" + name; }

void check_savez_arrays(const io::Npz& npz) {
  REQUIRE(npz.arrays.size() == 5);
  REQUIRE(npz.arrays[0].name == "w");  // numpy writes the keyword arrays, then the positional ones
  REQUIRE(npz.arrays[4].name == "arr_0");
  const io::NdArray* w = npz.find("w");
  REQUIRE(w);
  REQUIRE(w->shape == std::vector<std::size_t>{3, 4});
  REQUIRE(w->values[11] == 3.5f);
  REQUIRE(npz.find("b")->stored == io::StoredType::f64);
  REQUIRE(npz.find("b")->values == std::vector<float>{0, 1, 2});
  REQUIRE(npz.find("steps")->shape.empty());
  REQUIRE(npz.find("steps")->ints == std::vector<std::int64_t>{7});
  REQUIRE(npz.find("zeros")->values == std::vector<float>(1000, 0.f));
  REQUIRE(npz.find("arr_0")->values == std::vector<float>{0, 1, 2, 3});
  REQUIRE(npz.find("nope") == nullptr);
}
}  // namespace

TEST_CASE("npz: np.savez files load", "[io][npz]") { check_savez_arrays(io::read_npz(fixture("savez.npz"))); }

#if FIRMNET_HAVE_ZLIB
TEST_CASE("npz: np.savez_compressed files load", "[io][npz]") {
  check_savez_arrays(io::read_npz(fixture("savez_compressed.npz")));
}
#else
TEST_CASE("npz: without zlib, a compressed .npz gets a clear error", "[io][npz]") {
  REQUIRE_THROWS_WITH(io::read_npz(fixture("savez_compressed.npz")),
                      Contains("savez_compressed.npz: member 'w.npy' is deflate-compressed (np.savez_compressed), but this "
                               "firmnet was built without zlib"));
}
#endif

TEST_CASE("npz: firmnet's own files round-trip", "[io][npz]") {
  test::TempDir dir;
  const io::Npz numpy = io::read_npz(fixture("savez.npz"));
  io::write_npz(dir.file("again.npz"), numpy);
  const io::Npz back = io::read_npz(dir.file("again.npz"));
  REQUIRE(back.arrays.size() == numpy.arrays.size());
  for (std::size_t i = 0; i < back.arrays.size(); ++i) {
    CAPTURE(i);
    REQUIRE(back.arrays[i].name == numpy.arrays[i].name);
    REQUIRE(back.arrays[i].array.shape == numpy.arrays[i].array.shape);
    REQUIRE(back.arrays[i].array.values == numpy.arrays[i].array.values);
    REQUIRE(back.arrays[i].array.ints == numpy.arrays[i].array.ints);
  }
  REQUIRE(io::encode_npz(back) == test::read_bytes(dir.file("again.npz")));
  io::Npz twice = numpy;
  twice.arrays.push_back(twice.arrays[0]);
  REQUIRE_THROWS_WITH(io::encode_npz(twice), Contains("member 'w.npy' appears twice"));
}

TEST_CASE("npz: members that are not arrays, bad arrays and the size limit are named", "[io][npz]") {
  io::NdArray a;
  a.shape = {2};
  a.values = {1, 2};
  const auto npy = io::encode_npy(a);
  REQUIRE_THROWS_WITH(io::decode_npz(io::encode_zip({{"w.npy", npy}, {"notes.txt", {'h', 'i'}}}), "m.npz"),
                      Contains("m.npz: member 'notes.txt' is not a .npy array"));
  REQUIRE_THROWS_WITH(io::decode_npz(io::encode_zip({{".npy", npy}}), "m.npz"), Contains("member '.npy' is not a .npy array"));
  auto cut = npy;
  cut.pop_back();
  REQUIRE_THROWS_WITH(io::decode_npz(io::encode_zip({{"w.npy", cut}}), "m.npz"),
                      Contains("m.npz: member 'w.npy': truncated: shape (2,)"));
  REQUIRE_THROWS_WITH(io::decode_npz(test::read_bytes(fixture("savez.npz")), "savez.npz", 1000),
                      Contains("savez.npz: member 'zeros.npy' of 4128 bytes takes the archive past the limit of 1000"));
  REQUIRE(io::decode_npz(io::encode_zip({}), "empty.npz").arrays.empty());
}
