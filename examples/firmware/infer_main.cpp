// examples/firmware/infer_main.cpp: firmware-like int8 inference. The quantized model and a few
// test images are compiled in (FIRMNET_FIRMWARE_MODEL_HEADER, written by examples/quantize: a
// constexpr model whose arrays sit in flash), the working memory is one static Workspace, and
// there is no heap, no exceptions, no RTTI. Prints one line per image and checks that every int8
// logit equals the one the host computed, bit for bit. Runs natively and on a Cortex-M4 under
// qemu-system-arm; exit status 0 when every logit matches.
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include FIRMNET_FIRMWARE_MODEL_HEADER
#include "firmnet/kernels/qgemm.hpp"
#include "platform.hpp"
#include "text.hpp"

namespace {

using Model = firmnet_model::Model;

// The budgets this firmware is built for: the model must fit, checked by the compiler; the whole
// image and the measured stack are checked at run time where the platform measures them (the
// Cortex-M4 build). By default, the board's memories (MPS2 AN386: 4 MiB of each); the build sets
// tighter ones for its own models (examples/firmware/CMakeLists.txt: the MLP 4 KB of RAM, the CNN
// 110 KB of flash and 20 KB of RAM).
#ifndef FIRMNET_FLASH_BUDGET
#define FIRMNET_FLASH_BUDGET (4 * 1024 * 1024)
#endif
#ifndef FIRMNET_RAM_BUDGET
#define FIRMNET_RAM_BUDGET (4 * 1024 * 1024)
#endif
// Every convolution stage must do at least this many multiply-adds per 100 executed instructions
// (a first layer of one input channel, 9 products per output, included: kernels/qgemm_pool.hpp).
#ifndef FIRMNET_MIN_CONV_MACS_PER_100
#define FIRMNET_MIN_CONV_MACS_PER_100 40
#endif
constexpr std::size_t kFlashBudget = FIRMNET_FLASH_BUDGET, kRamBudget = FIRMNET_RAM_BUDGET;
static_assert(Model::kWeightBytes <= kFlashBudget, "the model's weights do not fit the flash budget");
static_assert(Model::kWorkingBytes <= kRamBudget, "the model's working memory does not fit the RAM budget");

Model::Workspace g_workspace;  // .bss: the only working memory

// Power-on self-test of the int8 kernel this build runs (SMLAD on a Cortex-M4) against the plain
// loops over unpacked rows, on the shapes the model never has: odd lengths that leave every tail
// path something to do, three rows (a pair and a single), and the extreme values. Returns the
// number of cases that differ.
std::size_t self_test_kernel(std::size_t* cases) {
  constexpr std::size_t kMaxIn = 67, kMaxOut = 5, kRows = 3, kStride = 68, kOut4 = 8;
  std::uint8_t x[kRows * kStride];  // on the stack: the test must not cost the firmware RAM for good
  std::int8_t w[kMaxIn * kMaxOut], packed[kStride * kOut4];
  std::int32_t got[kRows * kOut4], want[kRows * kOut4];
  std::uint32_t state = 12345;
  auto next = [&state] { return (state = state * 1664525u + 1013904223u) >> 24; };  // 0..255
  std::size_t bad = 0;
  *cases = 0;
  for (const std::size_t in : {1, 2, 3, 4, 5, 7, 8, 13, 16, 65, 67})
    for (const std::size_t out : {1, 2, 3, 5})
      for (int pattern = 0; pattern < 3; ++pattern) {
        for (std::size_t i = 0; i < kRows * kStride; ++i) x[i] = pattern == 0 ? std::uint8_t(next()) : std::uint8_t(255);
        for (std::size_t i = 0; i < in * out; ++i)
          w[i] = pattern == 0 ? std::int8_t(int(next()) - 128) : pattern == 1 ? std::int8_t(127) : std::int8_t(-128);
        firmnet::kernels::qpack_weights(w, in, out, packed);
        firmnet::kernels::qgemm_u8s8_s32(x, kStride, kRows, packed, in, out, got, kOut4);
        firmnet::kernels::qgemm_rows_ref(x, kStride, kRows, w, in, out, want, kOut4);
        for (std::size_t r = 0; r < kRows; ++r)
          for (std::size_t o = 0; o < out; ++o) bad += got[r * kOut4 + o] == want[r * kOut4 + o] ? 0 : 1;
        ++*cases;
      }
  return bad;
}

}  // namespace

// "12.34" for a ratio num / den given to two decimals.
Line& ratio(Line& line, std::uint64_t num, std::uint64_t den) {
  const std::uint64_t hundredths = den == 0 ? 0 : (num * 100 + den / 2) / den;
  line.integer(long(hundredths / 100)).text(".");
  return line.integer(long(hundredths / 10 % 10)).integer(long(hundredths % 10));
}

int main() {
  platform::paint_stack();
  platform::calibrate_instructions();
  Line line;
  line.text("firmnet firmware_infer: ").text(firmnet_model::kDescription).text(", int8 kernels ");
  line.text(firmnet::kernels::qgemm_name()).print();
  line.text("model: ").integer(long(Model::kWeightBytes)).text(" bytes of weights (flash), ");
  line.integer(long(Model::kWorkingBytes)).text(" bytes of working memory (RAM), no heap").print();

  std::size_t cases = 0;
  const std::size_t kernel_errors = self_test_kernel(&cases);
  line.text("self-test: int8 kernel vs reference on ").integer(long(cases)).text(" odd shapes: ");
  line.text(kernel_errors == 0 ? "equal" : "DIFFERENT").print();

  // Every image runs with a timer after each stage: instructions per stage, summed over images.
  std::uint32_t stage_instructions[Model::kStages] = {};
  std::uint32_t total_instructions = 0, runs = 0;
  auto classify = [&](const std::uint8_t* pixels, std::uint8_t* logits) {
    std::uint32_t last = platform::instructions();
    const std::uint32_t first = last;
    const std::uint8_t* out = firmnet_model::model.forward(pixels, g_workspace, [&](std::size_t stage) noexcept {
      const std::uint32_t now = platform::instructions();
      stage_instructions[stage] += now - last;
      last = now;
    });
    total_instructions += last - first;
    ++runs;
    for (std::size_t c = 0; c < Model::kClasses; ++c) logits[c] = out[c];
    return static_cast<firmnet::Label>(firmnet::quant::argmax_logits(out, Model::kClasses));
  };

  std::size_t mismatches = 0, correct = 0;
  std::uint8_t logits[Model::kClasses];
  if (firmnet_model::kTestImages == 0) {  // a header written with --test-vectors 0: run, nothing to compare
    static std::uint8_t blank[Model::kInputs];
    const firmnet::Label pred = classify(blank, logits);
    line.text("no test vectors in the header: a blank image gives pred ").integer(pred).text(" logits");
    for (std::size_t c = 0; c < Model::kClasses; ++c) line.text(" ").integer(logits[c]);
    line.print();
  }
  for (std::size_t i = 0; i < firmnet_model::kTestImages; ++i) {
    const firmnet::Label pred = classify(firmnet_model::test_images + i * Model::kInputs, logits);
    bool same = pred == firmnet_model::expected_predicted[i];
    line.text("image ").integer(long(i)).text(": pred ").integer(pred).text(" logits");
    for (std::size_t c = 0; c < Model::kClasses; ++c) {
      line.text(" ").integer(logits[c]);
      same = same && logits[c] == firmnet_model::expected_logits[i * Model::kClasses + c];
    }
    line.text(same ? "" : "  MISMATCH with the host").print();
    mismatches += same ? 0 : 1;
    correct += pred == firmnet_model::test_labels[i] ? 1 : 0;
  }

  // Speed: instructions per inference, per stage and in all, and multiply-adds per instruction,
  // each convolution stage's against the budget.
  bool slow_conv = false;
  if (platform::counts_instructions()) {
    std::uint64_t macs = 0, conv_macs = 0, conv_instructions = 0;
    std::size_t slowest = Model::kStages;  // the convolution stage with the fewest MAC per instruction
    std::uint32_t slowest_instructions = 0;
    for (std::size_t s = 0; s < Model::kStages; ++s) {
      const std::uint32_t per_run = stage_instructions[s] / runs;
      macs += Model::kStageMacs[s];
      line.text("  stage ").integer(long(s + 1)).text(" ");
      for (const char c : Model::kStageLabels[s]) line.character(c);
      line.text(": ").integer(long(per_run)).text(" instructions");
      if (Model::kStageMacs[s] > 0) {
        line.text(", ").integer(long(Model::kStageMacs[s])).text(" MAC, ");
        ratio(line, Model::kStageMacs[s], per_run).text(" MAC/instruction");
      }
      if (Model::kStageLabels[s].substr(0, 4) == "conv") {
        conv_macs += Model::kStageMacs[s], conv_instructions += per_run;
        // a/b < c/d as a·d < c·b
        if (slowest == Model::kStages ||
            Model::kStageMacs[s] * std::uint64_t(slowest_instructions) < Model::kStageMacs[slowest] * std::uint64_t(per_run))
          slowest = s, slowest_instructions = per_run;
      }
      line.print();
    }
    line.text("speed: ").integer(long(total_instructions / runs)).text(" instructions per inference (");
    line.integer(long(macs)).text(" MAC, ");
    ratio(line, macs, total_instructions / runs).text(" MAC/instruction; qemu -icount shift=0, SysTick)").print();
    if (conv_macs > 0) {
      const std::uint64_t slowest_macs = Model::kStageMacs[slowest];
      slow_conv = slowest_macs * 100 < std::uint64_t(FIRMNET_MIN_CONV_MACS_PER_100) * slowest_instructions;
      ratio(line.text("convolutions: "), conv_macs, conv_instructions).text(" MAC/instruction together, the slowest (stage ");
      line.integer(long(slowest + 1)).text(") ");
      ratio(line, slowest_macs, slowest_instructions).text(" (budget at least ");
      ratio(line, FIRMNET_MIN_CONV_MACS_PER_100, 100).text(" in every stage)").text(slow_conv ? ": BELOW the budget" : "").print();
    }
  } else {
    line.text("speed: not counted on this platform (the Cortex-M4 build under qemu -icount counts instructions)").print();
  }

  // Memory: the image and the deepest the stack went, against the budgets.
  bool over_budget = false;
  if (platform::flash_used() > 0) {
    const std::size_t flash = platform::flash_used(), ram = platform::static_ram() + platform::stack_used();
    line.text("memory: flash ").integer(long(flash)).text(" bytes (text + rodata + data; budget ");
    line.integer(long(kFlashBudget)).text("), RAM ").integer(long(ram)).text(" bytes = data + bss ");
    line.integer(long(platform::static_ram())).text(" + stack high-water mark ").integer(long(platform::stack_used()));
    line.text(" (budget ").integer(long(kRamBudget)).text(")").print();
    over_budget = flash > kFlashBudget || ram > kRamBudget;
    if (over_budget) line.text("OVER the memory budget").print();
  }

  const bool pass = mismatches == 0 && kernel_errors == 0 && !over_budget && !slow_conv;
  line.text(pass ? "PASS" : "FAIL").text(": ");
  if (firmnet_model::kTestImages == 0) {
    line.text("the int8 kernel equals the reference; the header has no test vectors to compare logits with").print();
  } else {
    line.integer(long(firmnet_model::kTestImages - mismatches)).text(" of ").integer(long(firmnet_model::kTestImages));
    line.text(" images give the host's logits bit for bit; ").integer(long(correct)).text(" classified right").print();
  }
  platform::exit(pass ? 0 : 1);
}
