// examples/firmware/main.cpp: firmnet on a microcontroller. A statically allocated TwoLayerNet
// (64 -> 32 -> 4) with baked-in weights classifies baked-in 8x8 images, then trains: 40 SGD steps
// from baked-in initial weights on baked-in samples, on the device itself, with no heap. Every
// score and loss must equal the host's (firmware_data.hpp) within kTolerance, and the loss must
// fall. Exit status 0 on success. Runs natively and on a Cortex-M4 under qemu-system-arm.
#include <cstddef>
#include <cstdint>

#include "firmnet/core/arch.hpp"
#include "firmware_data.hpp"
#include "platform.hpp"
#include "smoke.hpp"
#include "text.hpp"

namespace {

// Relative to max(1, |host|): float ops run in the same order everywhere, only libm's expf/logf
// (newlib vs glibc) and FMA contraction may differ in the last bits, and training compounds them.
constexpr float kTolerance = 1e-4f;

smoke::State g_state;
smoke::Results g_results;

float fabs(float v) { return v < 0 ? -v : v; }
bool close_to_host(float got, float host) { return fabs(got - host) <= kTolerance * (fabs(host) > 1 ? fabs(host) : 1); }

smoke::Weights trained() {
  using namespace smoke::data;
  return {trained_w1, trained_b1, trained_w2, trained_b2};
}
smoke::Weights initial() {
  using namespace smoke::data;
  return {initial_w1, initial_b1, initial_w2, initial_b2};
}

}  // namespace

int main() {
  Line line;
  line.text("firmnet firmware smoke test: TwoLayerNet 64-32-4, kernels ").text(firmnet::kernel_arch_name()).print();
  line.text("static state ").integer(static_cast<long>(sizeof g_state)).text(" bytes, no heap").print();
  int failures = 0;

  smoke::classify(g_state, trained(), smoke::data::mean, smoke::data::test_images, g_results);
  for (std::size_t i = 0; i < smoke::kTestImages; ++i) {
    line.text("image ").integer(static_cast<long>(i)).text(": label ").integer(smoke::data::test_labels[i]);
    line.text(" pred ").integer(g_results.predicted[i]).text(" scores");
    for (std::size_t c = 0; c < smoke::kClasses; ++c) {
      const float host = smoke::data::host_scores[i * smoke::kClasses + c];
      line.text(" ").fixed(g_results.scores[i][c], 5);
      if (!close_to_host(g_results.scores[i][c], host)) {
        line.text(" (host ").fixed(host, 5).text(")");
        ++failures;
      }
    }
    if (g_results.predicted[i] != smoke::data::host_predicted[i]) ++failures;
    line.print();
  }

  firmnet::ImageSet samples{smoke::data::train_images, smoke::data::train_labels, smoke::kTrainImages, smoke::kInputs};
  smoke::train(g_state, initial(), smoke::data::mean, samples, g_results);
  for (std::size_t s = 0; s < smoke::kTrainSteps; ++s) {
    const float host = smoke::data::host_losses[s];
    const bool ok = close_to_host(g_results.losses[s], host);
    failures += ok ? 0 : 1;
    if (s % 5 == 0 || s + 1 == smoke::kTrainSteps || !ok) {
      line.text("step ").integer(static_cast<long>(s)).text(": loss ").fixed(g_results.losses[s], 6);
      line.text(" (host ").fixed(host, 6).text(ok ? ")" : ") MISMATCH");
      line.print();
    }
  }
  const float first = g_results.losses[0];
  float last = 0;
  for (std::size_t s = smoke::kTrainSteps - 5; s < smoke::kTrainSteps; ++s) last += g_results.losses[s] / 5;
  const bool fell = last < 0.5f * first;
  if (!fell) ++failures;
  line.text("loss ").fixed(first, 4).text(" -> ").fixed(last, 4).text(fell ? " (fell)" : " (did NOT fall)").print();
  line.text(failures == 0 ? "PASS" : "FAIL").text(": scores and losses vs host within 1e-4, ");
  line.integer(failures).text(" failure(s)").print();
  platform::exit(failures == 0 ? 0 : 1);
}
