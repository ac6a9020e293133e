// expect: quant::calibrate and quant::quantize read every layer's output, which only a Train network keeps
// A network loaded for inference (Infer mode keeps no activations) given to the quantizer.
#include "firmnet/layers/fc.hpp"
#include "firmnet/layers/relu.hpp"
#include "firmnet/models/network.hpp"
#include "firmnet/quant/qlayers.hpp"
#include "firmnet/quant/quantize.hpp"

using namespace firmnet;
using Net = Network<Infer<float, 1>, Input<16>, Fc<8>, Relu, Fc<2>>;
std::size_t layers(Net& net, const Normalizer<16>& norm, const ImageSet& images, Matrix<float, 1, 16>& scratch) {
  return quant::quantize(net, norm, images, scratch).layers.size();
}
