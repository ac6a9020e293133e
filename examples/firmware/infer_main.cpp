// examples/firmware/infer_main.cpp: firmware-like int8 inference. The quantized model and a few
// test images are compiled in (FIRMNET_FIRMWARE_MODEL_HEADER, written by examples/quantize: a
// constexpr model whose arrays sit in flash), the working memory is one static Workspace, and
// there is no heap, no exceptions, no RTTI. Prints one line per image and checks that every int8
// logit equals the one the host computed, bit for bit. Runs natively and on a Cortex-M4 under
// qemu-system-arm; exit status 0 when every logit matches.
#include <cstddef>
#include <cstdint>

#include FIRMNET_FIRMWARE_MODEL_HEADER
#include "firmnet/kernels/qgemv.hpp"
#include "platform.hpp"
#include "text.hpp"

namespace {

using Model = std::remove_const_t<decltype(firmnet_model::model)>;

// The budget this firmware is built for: the model must fit, checked by the compiler.
constexpr std::size_t kFlashBudget = 256 * 1024, kRamBudget = 4 * 1024;
static_assert(Model::kWeightBytes <= kFlashBudget, "the model's weights do not fit the flash budget");
static_assert(Model::kWorkingBytes <= kRamBudget, "the model's working memory does not fit the RAM budget");
static_assert(firmnet_model::model.shapes_match(), "the header's arrays do not match the model's shape");

Model::Workspace g_workspace;  // .bss: the only working memory

}  // namespace

int main() {
  Line line;
  line.text("firmnet firmware_infer: int8 two-layer net ").integer(long(Model::kInputs)).text("-");
  line.integer(long(Model::kHidden)).text("-").integer(long(Model::kClasses)).text(", int8 kernels ");
  line.text(firmnet::kernels::qgemv_name()).print();
  line.text("model: ").integer(long(Model::kWeightBytes)).text(" bytes of weights (flash), ");
  line.integer(long(Model::kWorkingBytes)).text(" bytes of working memory (RAM), no heap").print();

  std::size_t mismatches = 0, correct = 0;
  std::int8_t logits[Model::kClasses];
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
  line.text(mismatches == 0 ? "PASS" : "FAIL").text(": ").integer(long(firmnet_model::kTestImages - mismatches));
  line.text(" of ").integer(long(firmnet_model::kTestImages)).text(" images give the host's logits bit for bit; ");
  line.integer(long(correct)).text(" classified right").print();
  platform::exit(mismatches == 0 ? 0 : 1);
}
