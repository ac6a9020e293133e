// io/architecture.hpp: an architecture spec ("in:28x28x1|conv:16:3x3:p1+relu|maxpool:2|fc:10",
// docs/checkpoint-format.md section 4) as run-time data: the layers with their options and the
// shape each one sees. The compile-time networks (models/network.hpp) write the spec; hosted
// tools that meet a spec without its type read it here: import derives one from a PyTorch model,
// export walks a checkpoint's layers to lay its tensors out for PyTorch, and both print the
// Stack<...> line that compiles a network in (examples/common/model_zoo.hpp).
// Shapes are H x W x C (NHWC); a vector of N values is 1 x 1 x N, as the spec's "in:N".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace firmnet::io {

struct ImageShape {
  std::size_t h = 1, w = 1, c = 1;
  std::size_t size() const noexcept { return h * w * c; }
  bool is_vector() const noexcept { return h == 1 && w == 1; }
  std::string text() const;  // "28x28x1", or "784" for a vector
};

enum class LayerKind { fc, conv, maxpool, relu, flatten, gap };

struct LayerSpec {
  LayerKind kind = LayerKind::fc;
  std::size_t units = 0;               // fc: outputs N; conv: output channels K
  std::size_t kh = 0, kw = 0;          // conv: the window; maxpool: the window kh = kw = Z
  std::size_t stride = 1, pad = 0;     // conv (stride 1 unless given); maxpool (stride Z unless given)
  bool relu = false;                   // fc, conv: a fused ReLU ("+relu")
  ImageShape in, out;                  // what the layer sees and gives

  bool has_params() const noexcept { return kind == LayerKind::fc || kind == LayerKind::conv; }
  std::size_t fan_in() const noexcept;  // rows of the weight tensor: in.size() (fc), kh·kw·in.c (conv)
  std::string token() const;            // "conv:16:3x3:p1+relu"
};

struct Architecture {
  ImageShape input;
  std::vector<LayerSpec> layers;

  std::string spec() const;  // "in:" input "|" tokens, the exact string a compiled network has
  // The stack's C++ type as model_zoo.hpp lists it, e.g.
  //   Stack<Image, Conv2d<16, 3, 3, Pad<1>>, Relu, MaxPool<2>, Fc<10>>
  // with `Flat` or `Image` for an input of the dataset's shape (784, 28x28x1; 3072, 32x32x3).
  std::string stack_declaration() const;
};

// Appends a layer to `a` after the last one (or the input), computing its shapes, and fuses a
// ReLU into an fc or conv right before it (as the spec grammar writes it). Throws io::Error,
// prefixed with `context`, for a layer that does not fit its input (a window larger than the
// padded image, padding as wide as the window, a zero size).
void append_layer(Architecture& a, LayerSpec layer, const std::string& context);

// Parses and checks a spec. Throws io::Error naming `source` and what is wrong.
Architecture parse_architecture(const std::string& spec, const std::string& source);

}  // namespace firmnet::io
