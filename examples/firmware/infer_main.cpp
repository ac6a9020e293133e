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

// The budget this firmware is built for: the model must fit, checked by the compiler.
constexpr std::size_t kFlashBudget = 256 * 1024, kRamBudget = 4 * 1024;
static_assert(Model::kWeightBytes <= kFlashBudget, "the model's weights do not fit the flash budget");
static_assert(Model::kWorkingBytes <= kRamBudget, "the model's working memory does not fit the RAM budget");

Model::Workspace g_workspace;  // .bss: the only working memory

// Power-on self-test of the int8 kernel this build runs (SMLAD on a Cortex-M4) against the plain
// loops over unpacked rows, on the shapes the model never has: odd lengths that leave every tail
// path something to do, two rows, and the extreme values. Returns the number of cases that differ.
std::size_t self_test_kernel(std::size_t* cases) {
  constexpr std::size_t kMaxIn = 67, kMaxOut = 5, kRows = 2, kStride = 68, kOut4 = 8;
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

int main() {
  Line line;
  line.text("firmnet firmware_infer: ").text(firmnet_model::kDescription).text(", int8 kernels ");
  line.text(firmnet::kernels::qgemm_name()).print();
  line.text("model: ").integer(long(Model::kWeightBytes)).text(" bytes of weights (flash), ");
  line.integer(long(Model::kWorkingBytes)).text(" bytes of working memory (RAM), no heap").print();

  std::size_t cases = 0;
  const std::size_t kernel_errors = self_test_kernel(&cases);
  line.text("self-test: int8 kernel vs reference on ").integer(long(cases)).text(" odd shapes: ");
  line.text(kernel_errors == 0 ? "equal" : "DIFFERENT").print();

  std::size_t mismatches = 0, correct = 0;
  std::uint8_t logits[Model::kClasses];
  if (firmnet_model::kTestImages == 0) {  // a header written with --test-vectors 0: run, nothing to compare
    static std::uint8_t blank[Model::kInputs];
    const firmnet::Label pred = firmnet_model::model.predict(blank, logits, g_workspace);
    line.text("no test vectors in the header: a blank image gives pred ").integer(pred).text(" logits");
    for (std::size_t c = 0; c < Model::kClasses; ++c) line.text(" ").integer(logits[c]);
    line.print();
  }
  for (std::size_t i = 0; i < firmnet_model::kTestImages; ++i) {
    const firmnet::Label pred =
        firmnet_model::model.predict(firmnet_model::test_images + i * Model::kInputs, logits, g_workspace);
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
  const bool pass = mismatches == 0 && kernel_errors == 0;
  line.text(pass ? "PASS" : "FAIL").text(": ");
  if (firmnet_model::kTestImages == 0) {
    line.text("the int8 kernel equals the reference; the header has no test vectors to compare logits with").print();
  } else {
    line.integer(long(firmnet_model::kTestImages - mismatches)).text(" of ").integer(long(firmnet_model::kTestImages));
    line.text(" images give the host's logits bit for bit; ").integer(long(correct)).text(" classified right").print();
  }
  platform::exit(pass ? 0 : 1);
}
