// io/report.hpp: the CSV has a row per iteration with accuracies at epoch ends; the SVG is a
// complete document with both panels.
#include <catch2/catch.hpp>

#include <string>

#include "firmnet/io/report.hpp"

using namespace firmnet;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::StartsWith;

TEST_CASE("history as CSV and SVG", "[io][report]") {
  io::TrainingHistory h;
  h.title = "toy <run> & co";
  h.iterations_per_epoch = 3;
  h.loss = {2.3, 1.5, 1.0, 0.9, 0.8, 0.7};
  h.epochs = {{1, 0.5, 0.4, 1.0, 100}, {2, 0.75, 0.6, 1.0, 100}};
  const std::string csv = io::history_csv(h);
  REQUIRE_THAT(csv, StartsWith("iteration,epoch,loss,train_acc,val_acc\n0,1,2.3,,\n"));
  REQUIRE_THAT(csv, Contains("2,1,1,0.500000,0.400000\n"));
  REQUIRE_THAT(csv, EndsWith("5,2,0.7,0.750000,0.600000\n"));
  const std::string svg = io::history_svg(h);
  REQUIRE_THAT(svg, StartsWith("<?xml"));
  REQUIRE_THAT(svg, EndsWith("</svg>\n"));
  REQUIRE_THAT(svg, Contains("Training loss") && Contains("Classification accuracy"));
  REQUIRE_THAT(svg, Contains("toy &lt;run&gt; &amp; co"));
  REQUIRE_THAT(svg, Contains("val epoch 2: 60.00%"));
}
