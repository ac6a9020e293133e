// gradcheck: numeric gradient checks in double precision, printed as the assignment prints them
// ("grad_x difference: 1.03e-10"): every layer, every loss, networks of depth 1 to 4 at batch 1
// and odd sizes, and, with --model, a compiled network of the zoo itself (its real shape, on
// random inputs, at 24 sampled entries of every tensor). Exit status 1 if any relative error
// reaches 1e-7 (the definition is in firmnet/check/gradcheck.hpp).
#include <cstdio>
#include <string>

#include "common/model_zoo.hpp"
#include "common/train_options.hpp"
#include "firmnet/check/gradcheck.hpp"
#include "firmnet/cli/flags.hpp"
#include "firmnet/io/datasets.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/flatten.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

namespace {

using namespace firmnet;

struct Printer {
  int failures = 0;
  double worst = 0;
  void operator()(const char* name, double error) {
    const bool ok = error < check::kTolerance;
    std::printf("  %s difference: %.2e%s\n", name, error, ok ? "" : "  <-- FAILED");
    failures += ok ? 0 : 1;
    worst = error > worst ? error : worst;
  }
};

// A spec bound alone, in double: Bound<Fc<5>, Flat<13>> is a 13 -> 5 dense layer with dL/dx.
template <class Spec, class InShape, bool Relu = false, bool GradInput = true>
using Bound = typename Spec::template Layer<Bind<Train<double, 9>, InShape, GradInput, Relu>>;
template <class... Specs>
using Net = Network<Train<double, 9>, Specs...>;

void builtin_checks(Printer& report) {
  std::printf("fc: 13 -> 5, batch 7\n");
  check::layer<Bound<Fc<5>, Flat<13>>>(7, 1, report);
  std::printf("fc: 65 -> 10, batch 1, first layer (no grad_x)\n");
  check::layer<Bound<Fc<10>, Flat<65>, false, false>>(1, 2, report);
  std::printf("fc + fused relu: 31 -> 17, batch 9\n");
  check::layer<Bound<Fc<17>, Flat<31>, true>>(9, 3, report);
  std::printf("fc on an image input: 3x5x2 -> 4, batch 3\n");
  check::layer<Bound<Fc<4>, Shape<3, 5, 2>>>(3, 11, report);
  std::printf("relu: 13 units, batch 8\n");
  check::layer<Bound<Relu, Flat<13>>>(8, 4, report);
  std::printf("softmax cross-entropy: 10 classes, batch 16\n");
  check::softmax_loss<10>(16, 5, report);
  std::printf("mse: 5 outputs, batch 7\n");
  check::mse_loss<5>(7, 6, report);
  std::printf("l2 regularisation: 37 weights, reg 0.3\n");
  check::l2_loss(37, 0.3, 7, report);
  std::printf("depth 1: in:13|fc:5, batch 9, reg 0.1 (softmax + L2)\n");
  check::model<Net<Input<13>, Fc<5>>>(9, 0.1, 8, report);
  std::printf("depth 2: in:13|fc:7+relu|fc:5, batch 1, reg 0.1\n");
  check::model<Net<Input<13>, Fc<7>, Relu, Fc<5>>>(1, 0.1, 9, report);
  std::printf("depth 2: in:31|fc:17+relu|fc:10, batch 9, reg 0.05, MSE on one-hot targets\n");
  check::model<Net<Input<31>, Fc<17>, Relu, Fc<10>>>(9, 0.05, 10, report, MeanSquaredError{});
  std::printf("depth 3: in:11|fc:9+relu|fc:7+relu|fc:3, batch 5, reg 0.01\n");
  check::model<Net<Input<11>, Fc<9>, Relu, Fc<7>, Relu, Fc<3>>>(5, 0.01, 12, report);
  std::printf("depth 4: in:2x3x2|flatten|fc:13+relu|relu|fc:7|fc:5+relu|fc:4, batch 1, reg 0.02\n");
  check::model<Net<Input<2, 3, 2>, Flatten, Fc<13>, Relu, Relu, Fc<7>, Fc<5>, Relu, Fc<4>>>(1, 0.02, 13, report);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string model, dataset = "fashion-mnist";
    std::size_t hidden = 128;
    cli::Flags flags("gradcheck",
                     "Numeric gradient checks in double precision of every layer, loss and small stacks;\n"
                     "with --model, of that compiled network at its real shape (sampled entries).");
    flags.add_string("model", &model, "A compiled network (as train --model takes it) to check as well");
    flags.add_size("hidden", &hidden, "Hidden units for --model two-layer", 1, 1 << 20);
    flags.add_string("dataset", &dataset, "The input shape of --model", {"fashion-mnist", "cifar10"});
    if (!flags.parse(argc, argv)) {
      std::fputs(flags.help().c_str(), stdout);
      return 0;
    }
    Printer report;
    std::printf("Numeric gradient checks, double precision, centred differences h = %g, pass below %g\n\n",
                check::kStep, check::kTolerance);
    builtin_checks(report);
    if (!model.empty()) {
      std::string problem;
      const std::string spec =
          examples::model_spec(model, io::input_dim(dataset), io::input_shape_text(dataset), hidden, problem);
      if (spec.empty()) throw cli::UsageError("--model: " + problem);
      const bool found = examples::visit_model(spec, [&](auto stack) {
        using M = typename decltype(stack)::type::template Bind<Train<double, 2>>;
        std::printf("%s, batch 2, reg 0.01, 24 sampled entries per tensor\n", M::kSpec.c_str());
        check::model<M>(2, 0.01, 14, report, SoftmaxCrossEntropy{}, 24);
      });
      if (!found) throw cli::UsageError("--model " + model + ": " + examples::how_to_compile(spec));
    }
    std::printf("\n%s: worst relative error %.2e, %d check(s) failed\n", report.failures ? "FAILED" : "PASSED",
                report.worst, report.failures);
    return report.failures ? 1 : 0;
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "gradcheck: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradcheck: error: %s\n", e.what());
    return 1;
  }
}
