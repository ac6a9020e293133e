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
  REQUIRE_THAT(svg, Contains("y='22' text-anchor='middle' font-size='15.0'>toy"));  // a short title: one line
  // A CNN's title (its spec) would run past both edges at 15 px: two lines, each within the width.
  h.title = "firmnet cnn:5x5 (in:28x28x1|conv:32:5x5:p2+relu|maxpool:2|conv:64:5x5:p2+relu|maxpool:2|fc:10) on "
            "fashion-mnist, adam lr 0.001, batch 64, reg 0.0001";
  const std::string wide = io::history_svg(h);
  REQUIRE_THAT(wide, Contains("y='18' text-anchor='middle' font-size='15.0'>firmnet cnn:5x5 (in:28x28x1|conv:32:5x5:p2+relu|maxpool:2|conv:64:5x5:p2+relu|maxpool:2|fc:10)</text>"));
  REQUIRE_THAT(wide, Contains("y='34' text-anchor='middle' font-size='15.0'>on fashion-mnist, adam lr 0.001, batch 64, reg 0.0001</text>"));
}
