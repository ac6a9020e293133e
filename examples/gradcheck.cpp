// gradcheck: numeric gradient checks of every layer, loss and model in double precision, printed
// as the assignment prints them ("grad_x difference: 1.03e-10"). Exit status 1 if any relative
// error reaches 1e-7 (the definition is in firmnet/check/gradcheck.hpp).
#include <cstdio>

#include "firmnet/check/gradcheck.hpp"
#include "firmnet/layers/fc.hpp"
#include "firmnet/models/linear_classifier.hpp"
#include "firmnet/models/two_layer_net.hpp"

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

}  // namespace

int main() {
  Printer report;
  std::printf("Numeric gradient checks, double precision, centred differences h = %g, pass below %g\n\n", check::kStep,
              check::kTolerance);
  std::printf("fc: 13 -> 5, batch 7\n");
  check::fc<Fc<double, 13, 5, 8>>(7, 1, report);
  std::printf("fc: 65 -> 10, batch 1\n");
  check::fc<Fc<double, 65, 10, 8>>(1, 2, report);
  std::printf("fc + fused relu: 31 -> 17, batch 9\n");
  check::fc<Fc<double, 31, 17, 9, Activation::relu>>(9, 3, report);
  std::printf("relu: 13 units, batch 8\n");
  check::relu<13, 8>(8, 4, report);
  std::printf("softmax cross-entropy: 10 classes, batch 16\n");
  check::softmax_loss<10>(16, 5, report);
  std::printf("mse: 5 outputs, batch 7\n");
  check::mse_loss<5>(7, 6, report);
  std::printf("l2 regularisation: 37 weights, reg 0.3\n");
  check::l2_loss(37, 0.3, 7, report);
  std::printf("LinearClassifier 13 -> 5, batch 9, reg 0.1 (softmax + L2)\n");
  check::model<LinearClassifier<13, 5, 9, double>>(9, 0.1, 8, report);
  std::printf("TwoLayerNet 13 -> 7 -> 5, batch 1, reg 0.1 (softmax + L2)\n");
  check::model<TwoLayerNet<13, 7, 5, 9, double>>(1, 0.1, 9, report);
  std::printf("TwoLayerNet 31 -> 17 -> 10, batch 9, reg 0.05 (softmax + L2)\n");
  check::model<TwoLayerNet<31, 17, 10, 9, double>>(9, 0.05, 10, report);

  std::printf("\n%s: worst relative error %.2e, %d check(s) failed\n", report.failures ? "FAILED" : "PASSED", report.worst,
              report.failures);
  return report.failures ? 1 : 0;
}
