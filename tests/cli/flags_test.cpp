// cli/flags.hpp: values in both spellings, and every bad value named with its flag.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "firmnet/cli/flags.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;

namespace {
struct Parsed {
  std::string dataset = "fashion-mnist";
  std::size_t hidden = 128;
  double lr = 0.1;
  double reg = 0.001;
  std::uint64_t seed = 0;
  bool keep = false;
};

bool parse(Parsed& p, std::vector<std::string> args) {
  cli::Flags flags("prog", "test");
  flags.add_string("dataset", &p.dataset, "dataset", {"fashion-mnist", "cifar10"});
  flags.add_size("hidden", &p.hidden, "hidden", 1, 4096);
  flags.add_double("lr", &p.lr, "learning rate", 0, 10, true);
  flags.add_double("reg", &p.reg, "reg", 0, 10);
  flags.add_u64("seed", &p.seed, "seed");
  flags.add_bool("keep", &p.keep, "keep");
  return flags.parse(args);
}
}  // namespace

TEST_CASE("flags: both spellings, booleans, help", "[cli]") {
  Parsed p;
  REQUIRE(parse(p, {"--dataset", "cifar10", "--hidden=256", "--lr", "1e-2", "--reg=0", "--seed", "18446744073709551615",
                    "--keep"}));
  REQUIRE(p.dataset == "cifar10");
  REQUIRE(p.hidden == 256);
  REQUIRE(p.lr == 0.01);
  REQUIRE(p.reg == 0.0);
  REQUIRE(p.seed == 18446744073709551615ull);
  REQUIRE(p.keep);
  Parsed q;
  REQUIRE(parse(q, {"--keep=false"}));
  REQUIRE_FALSE(q.keep);
  REQUIRE_FALSE(parse(q, {"--lr", "1", "--help"}));
}

TEST_CASE("flags: bad values name the flag and the problem", "[cli]") {
  Parsed p;
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "-0.1"}), Contains("--lr") && Contains("must be > 0"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "0"}), Contains("--lr") && Contains("must be > 0"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "abc"}), Contains("--lr: 'abc' is not a number"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "0.1x"}), Contains("--lr: '0.1x' is not a number"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "nan"}), Contains("--lr") && Contains("not a finite number"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "inf"}), Contains("not a finite number"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", ""}), Contains("--lr: '' is not a number"));
  REQUIRE_THROWS_WITH(parse(p, {"--reg", "-1"}), Contains("--reg") && Contains("must be >= 0"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "11"}), Contains("must be <= 10"));
  REQUIRE_THROWS_WITH(parse(p, {"--hidden", "-5"}), Contains("--hidden: '-5' is negative"));
  REQUIRE_THROWS_WITH(parse(p, {"--hidden", "5000"}), Contains("--hidden: 5000 is out of range [1, 4096]"));
  REQUIRE_THROWS_WITH(parse(p, {"--hidden", "12.5"}), Contains("--hidden: '12.5' is not a non-negative whole number"));
  REQUIRE_THROWS_WITH(parse(p, {"--seed", "99999999999999999999999"}), Contains("--seed") && Contains("too large"));
  REQUIRE_THROWS_WITH(parse(p, {"--dataset", "mnist"}), Contains("--dataset: 'mnist' is not supported") &&
                                                              Contains("fashion-mnist, cifar10"));
  REQUIRE_THROWS_WITH(parse(p, {"--epochs", "3"}), Contains("unknown flag --epochs"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr"}), Contains("--lr needs a value"));
  REQUIRE_THROWS_WITH(parse(p, {"--lr", "1", "--lr", "2"}), Contains("--lr is given twice"));
  REQUIRE_THROWS_WITH(parse(p, {"lr", "1"}), Contains("unexpected argument 'lr'"));
  REQUIRE_THROWS_WITH(parse(p, {"--keep=maybe"}), Contains("--keep: 'maybe' is not true or false"));
}
