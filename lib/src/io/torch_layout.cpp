// PyTorch's parameter layouts <-> firmnet's; see io/torch_layout.hpp.
#include "firmnet/io/torch_layout.hpp"

#include <cmath>
#include <cstdint>
#include <tuple>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

// firmnet row r of a dense layer on an image `s` (NHWC order) is PyTorch's column (NCHW order).
std::size_t torch_column(std::size_t r, const ImageShape& s) {
  const std::size_t c = r % s.c, pixel = r / s.c, y = pixel / s.w, x = pixel % s.w;
  return (c * s.h + y) * s.w + x;
}

std::string describe(const LayerSpec& l, std::size_t k) {
  return "layer " + std::to_string(k) + " (" + l.token() + " on " + l.in.text() + ")";
}

// PyTorch's shapes of a layer's weight and bias.
std::vector<std::size_t> torch_weight_shape(const LayerSpec& l) {
  if (l.kind == LayerKind::conv) return {l.units, l.in.c, l.kh, l.kw};
  return {l.units, l.in.size()};
}

}  // namespace

ImageShape torch_input_shape(const Architecture& a, std::size_t layer, const ImageShape& torch_input) {
  ImageShape s = torch_input;
  for (std::size_t i = 0; i < layer && i < a.layers.size(); ++i) {
    const LayerKind k = a.layers[i].kind;
    if (k != LayerKind::flatten && k != LayerKind::relu) s = a.layers[i].out;
  }
  return s;
}

std::vector<CheckpointTensor> firmnet_params_from_torch(const Architecture& a, const std::vector<TorchParam>& params,
                                                        const ImageShape& torch_input, const std::string& source) {
  if (torch_input.size() != a.input.size())
    throw Error(source + ": PyTorch's input " + torch_input.text() + " is not the network's " + a.input.text());
  std::vector<CheckpointTensor> out;
  std::size_t next = 0, k = 0;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerSpec& l = a.layers[i];
    if (!l.has_params()) continue;
    ++k;
    if (next + 2 > params.size())
      throw Error(source + ": " + std::to_string(params.size()) + " parameter tensors for a network whose " + describe(l, k) +
                  " needs a weight and a bias after them");
    const TorchParam& w = params[next++];
    const TorchParam& b = params[next++];
    const auto want_w = torch_weight_shape(l);
    const std::vector<std::size_t> want_b{l.units};
    const char* what = l.kind == LayerKind::conv ? "Conv2d weight (out, in, KH, KW)" : "Linear weight (out, in)";
    for (const auto& [p, want, kind] : {std::tuple{&w, &want_w, what}, std::tuple{&b, &want_b, "bias (out)"}}) {
      if (!p->array.is_float())
        throw Error(source + ": '" + p->name + "' holds " + stored_type_name(p->array.stored) + " values; " + describe(l, k) +
                    " needs floats");
      if (p->array.shape != *want)
        throw Error(source + ": '" + p->name + "' is " + shape_string(p->array.shape) + "; " + describe(l, k) + " needs " +
                    shape_string(*want) + ", PyTorch's " + kind);
      for (std::size_t j = 0; j < p->array.values.size(); ++j)
        if (!std::isfinite(p->array.values[j]))
          throw Error(source + ": '" + p->name + "' holds a value that is not finite at index " + std::to_string(j));
    }
    const std::string num = std::to_string(k);
    const std::size_t rows = l.fan_in(), cols = l.units;
    CheckpointTensor fw{"w" + num, static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(cols),
                        std::vector<float>(rows * cols)};
    const std::vector<float>& t = w.array.values;
    if (l.kind == LayerKind::conv) {
      const std::size_t C = l.in.c;
      for (std::size_t o = 0; o < cols; ++o)
        for (std::size_t c = 0; c < C; ++c)
          for (std::size_t ky = 0; ky < l.kh; ++ky)
            for (std::size_t kx = 0; kx < l.kw; ++kx)
              fw.values[((ky * l.kw + kx) * C + c) * cols + o] = t[((o * C + c) * l.kh + ky) * l.kw + kx];
    } else {
      const ImageShape s = torch_input_shape(a, i, torch_input);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t col = torch_column(r, s);
        for (std::size_t o = 0; o < cols; ++o) fw.values[r * cols + o] = t[o * rows + col];
      }
    }
    out.push_back(std::move(fw));
    out.push_back({"b" + num, 1, static_cast<std::uint32_t>(cols), b.array.values});
  }
  if (next != params.size())
    throw Error(source + ": " + std::to_string(params.size()) + " parameter tensors, the network " + a.spec() + " has " +
                std::to_string(next) + " (a weight and a bias for each of its " + std::to_string(k) + " fc and conv layers)");
  return out;
}

std::vector<NdArray> torch_params_from_firmnet(const Architecture& a, const Checkpoint& c, const ImageShape& torch_input,
                                               const std::string& source) {
  if (torch_input.size() != a.input.size())
    throw Error(source + ": PyTorch's input " + torch_input.text() + " is not the network's " + a.input.text());
  std::vector<NdArray> out;
  std::size_t k = 0;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const LayerSpec& l = a.layers[i];
    if (!l.has_params()) continue;
    const std::string num = std::to_string(++k);
    const std::size_t rows = l.fan_in(), cols = l.units;
    const CheckpointTensor* fw = c.find_tensor("w" + num);
    const CheckpointTensor* fb = c.find_tensor("b" + num);
    for (const auto& [t, name, r] : {std::tuple{fw, "w", rows}, std::tuple{fb, "b", std::size_t(1)}}) {
      if (!t) throw Error(source + ": checkpoint has no tensor '" + name + num + "' for " + describe(l, k));
      if (t->rows != r || t->cols != cols)
        throw Error(source + ": tensor '" + name + num + "' is " + std::to_string(t->rows) + "x" + std::to_string(t->cols) +
                    ", " + describe(l, k) + " needs " + std::to_string(r) + "x" + std::to_string(cols));
    }
    NdArray w;
    w.shape = torch_weight_shape(l);
    w.values.resize(rows * cols);
    const std::vector<float>& f = fw->values;
    if (l.kind == LayerKind::conv) {
      const std::size_t C = l.in.c;
      for (std::size_t o = 0; o < cols; ++o)
        for (std::size_t ch = 0; ch < C; ++ch)
          for (std::size_t ky = 0; ky < l.kh; ++ky)
            for (std::size_t kx = 0; kx < l.kw; ++kx)
              w.values[((o * C + ch) * l.kh + ky) * l.kw + kx] = f[((ky * l.kw + kx) * C + ch) * cols + o];
    } else {
      const ImageShape s = torch_input_shape(a, i, torch_input);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t col = torch_column(r, s);
        for (std::size_t o = 0; o < cols; ++o) w.values[o * rows + col] = f[r * cols + o];
      }
    }
    NdArray b;
    b.shape = {cols};
    b.values = fb->values;
    out.push_back(std::move(w));
    out.push_back(std::move(b));
  }
  return out;
}

NdArray torch_input_mean(const std::vector<float>& mean, const ImageShape& torch_input) {
  NdArray m;
  m.shape = torch_input.is_vector() ? std::vector<std::size_t>{torch_input.c}
                                    : std::vector<std::size_t>{torch_input.c, torch_input.h, torch_input.w};
  m.values.resize(torch_input.size());
  for (std::size_t r = 0; r < mean.size() && r < m.values.size(); ++r) m.values[torch_column(r, torch_input)] = mean[r];
  return m;
}

}  // namespace firmnet::io
