// embed: the README's batch-1 embedding example, compiled as it is printed there, so its memory
// can be measured (tests: `size` shows .bss within 10 % of the weights plus the workspace).
// A float classifier in static storage: the inference-only form of the two-layer net keeps no
// gradients and no backward caches, and its workspace is two activation buffers.
#include <cstdio>

#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"

// --- as in README.md -------------------------------------------------------------------------
using Net = firmnet::Network<firmnet::Infer<float, 1>, firmnet::Input<784>, firmnet::Fc<128>, firmnet::Relu,
                             firmnet::Fc<10>>;
static Net net;            // 407,080 bytes of weights (load a checkpoint into it, or copy arrays in)
static Net::Workspace ws;  // 1,536 bytes: two activation buffers of 128 floats, 128 partial sums
static_assert(Net::kWeightBytes == 407080 && Net::kWorkingBytes == 1536);

int classify(const float (&pixels)[784]) {  // already normalised: pixel/255 - mean
  firmnet::Label label;
  net.predict(firmnet::ConstView<float, 784>(pixels, 1), &label, ws);
  return label;
}
// ---------------------------------------------------------------------------------------------

int main() {
  static float image[784];  // an all-zero (mean) image, through zero weights: class 0
  const int label = classify(image);
  std::printf("embed: %s, %zu bytes of weights, %zu bytes of workspace, sizeof(net) %zu: class %d\n", Net::kSpec.c_str(),
              Net::kWeightBytes, Net::kWorkingBytes, sizeof(net), label);
  return label == 0 ? 0 : 1;
}
