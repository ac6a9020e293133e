// The network an ONNX graph stands for; see io/onnx_network.hpp.
#include "firmnet/io/onnx_network.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

const char* const kSupported =
    "firmnet imports Gemm, MatMul (+ Add), Conv, Relu, MaxPool, GlobalAveragePool, Flatten, Reshape to (batch, -1), "
    "Identity and Dropout";

// What to do about the ops people most often meet.
std::string advice(const std::string& op) {
  if (op == "BatchNormalization")
    return "firmnet has no batch normalisation: fold it into the layer before it (torch.nn.utils.fusion.fuse_conv_bn_eval "
           "for a Conv2d) and export again";
  if (op == "Softmax" || op == "LogSoftmax")
    return "firmnet's networks end with the raw scores (logits): export the model without its final softmax (the "
           "predicted class is the same)";
  if (op == "Pad")
    return "firmnet pads only inside a convolution (Conv2d(padding=P)); torch.onnx.export writes a Pad of its own before "
           "an AveragePool, which firmnet does not have either (it pools by maximum, or over the whole image)";
  if (op == "AveragePool")
    return "firmnet pools by maximum (MaxPool) or over the whole image (GlobalAveragePool): change the pooling and "
           "retrain, or add the layer to firmnet (lib/include/firmnet/layers)";
  return std::string("firmnet has no such layer (") + kSupported +
         "): change the model to use those, or add the layer to firmnet (lib/include/firmnet/layers)";
}

std::int64_t int_attribute(const OnnxNode& n, const char* name, std::int64_t fallback) {
  const OnnxAttribute* a = n.find_attribute(name);
  return a && a->type == OnnxAttributeType::i ? a->i : fallback;
}

std::vector<std::int64_t> ints_attribute(const OnnxNode& n, const char* name, std::vector<std::int64_t> fallback) {
  const OnnxAttribute* a = n.find_attribute(name);
  return a && a->type == OnnxAttributeType::ints ? a->ints : fallback;
}

float float_attribute(const OnnxNode& n, const char* name, float fallback) {
  const OnnxAttribute* a = n.find_attribute(name);
  return a && a->type == OnnxAttributeType::f ? a->f : fallback;
}

bool all_equal(const std::vector<std::int64_t>& v, std::int64_t value) {
  return std::all_of(v.begin(), v.end(), [value](std::int64_t x) { return x == value; });
}

std::string ints_text(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

LayerSpec layer_of(LayerKind kind) {
  LayerSpec l;
  l.kind = kind;
  return l;
}

class Importer {
 public:
  Importer(const OnnxModel& m, const std::string& source) : m_(m), source_(source) {}

  OnnxNetwork run() {
    for (const auto& t : m_.initializers) constants_[t.name] = &t.array;
    take_input();
    for (i_ = 0; i_ < m_.nodes.size(); ++i_) {
      const OnnxNode& n = m_.nodes[i_];
      if (done_.count(i_)) continue;
      if (!n.domain.empty() && n.domain != "ai.onnx")
        fail(n, "an operator of the custom domain '" + n.domain + "'; " + advice(n.op_type));
      if (shape_only(n)) continue;
      if (n.inputs.empty() || n.inputs[0] != current_)
        fail(n, "it does not take the output of the layer before it ('" + current_ +
                    "'): firmnet imports a chain of layers, each feeding the next (an nn.Sequential)");
      chain_from_.clear();
      layer(n);
      current_ = chain_from_.empty() ? n.outputs[0] : chain_from_;
    }
    if (m_.outputs.size() != 1)
      throw Error(source_ + ": the graph has " + std::to_string(m_.outputs.size()) + " outputs; firmnet imports one (the scores)");
    if (current_ != m_.outputs[0].name)
      throw Error(source_ + ": the graph's output '" + m_.outputs[0].name + "' is not the end of its chain of layers ('" +
                  current_ + "')");
    if (net_.architecture.layers.empty()) throw Error(source_ + ": the graph has no layer firmnet can import");
    if (!flat_)
      throw Error(source_ + ": the network ends with a " + shape_.text() +
                  " image; a classifier ends with a dense layer (Gemm) giving one score per class");
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const OnnxNode& n, const std::string& what) const {
    throw Error(source_ + ": node " + std::to_string(i_) + " '" + n.name + "' (" + n.op_type + "): " + what);
  }

  void take_input() {
    const OnnxValue* input = nullptr;
    for (const auto& v : m_.inputs) {
      if (constants_.count(v.name)) continue;  // IR < 4 lists the initializers as inputs too
      if (input)
        throw Error(source_ + ": the graph has inputs '" + input->name + "' and '" + v.name + "'; firmnet imports one (the image)");
      input = &v;
    }
    if (!input) throw Error(source_ + ": the graph has no input");
    if (input->elem_type != 1)
      throw Error(source_ + ": the input '" + input->name + "' is " + onnx_data_type_name(input->elem_type) + ", not FLOAT");
    const auto& d = input->dims;
    const bool known = input->has_shape && std::all_of(d.begin() + (d.empty() ? 0 : 1), d.end(), [](std::int64_t x) {
      return x > 0 && x <= (std::int64_t(1) << 24);
    });
    if (!known || (d.size() != 4 && d.size() != 2))
      throw Error(source_ + ": the input '" + input->name + "' has shape " + (input->has_shape ? ints_text(d) : "(unknown)") +
                  "; firmnet takes (batch, C, H, W) images or (batch, N) vectors, of known sizes");
    if (d.size() == 4) {
      shape_ = {std::size_t(d[2]), std::size_t(d[3]), std::size_t(d[1])};
      flat_ = false;
    } else {
      shape_ = {1, 1, std::size_t(d[1])};
      flat_ = true;
    }
    if (shape_.h * shape_.w > (std::size_t(1) << 31) / shape_.c)
      throw Error(source_ + ": the input '" + input->name + "' of " + ints_text(d) + " is larger than firmnet's layers take");
    net_.architecture.input = shape_;
    net_.torch_input = shape_;
    current_ = input->name;
  }

  // Constants, their aliases and the small integer computations of a shape (x.view(x.size(0), -1)):
  // not layers.
  bool shape_only(const OnnxNode& n) {
    static const std::set<std::string> arithmetic = {"Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast"};
    auto mark = [&](std::set<std::string>& into) {
      for (const auto& o : n.outputs) into.insert(o);
      return true;
    };
    if (n.op_type == "Constant") {
      const OnnxAttribute* v = n.find_attribute("value");
      if (!v || v->type != OnnxAttributeType::t || n.outputs.size() != 1) fail(n, "a Constant without a tensor 'value'");
      constants_[n.outputs[0]] = &v->t.array;
      return true;
    }
    if (n.op_type == "Identity" && n.inputs.size() == 1 && n.outputs.size() == 1 && constants_.count(n.inputs[0])) {
      constants_[n.outputs[0]] = constants_.at(n.inputs[0]);  // torch exports aliases of shared weights so
      return true;
    }
    if (n.op_type == "Shape") return mark(shape_values_);
    if (!arithmetic.count(n.op_type)) return false;
    for (const auto& in : n.inputs)
      if (!in.empty() && !shape_values_.count(in) && !constants_.count(in)) return false;
    return mark(shape_values_);
  }

  const NdArray& constant(const OnnxNode& n, std::size_t index, const char* role) const {
    if (index >= n.inputs.size() || n.inputs[index].empty()) fail(n, std::string("it has no ") + role);
    const auto it = constants_.find(n.inputs[index]);
    if (it == constants_.end())
      fail(n, std::string("its ") + role + " '" + n.inputs[index] +
                  "' is computed in the graph, not stored; export with do_constant_folding=True (the default)");
    if (!it->second->is_float())
      fail(n, std::string("its ") + role + " '" + n.inputs[index] + "' holds " + stored_type_name(it->second->stored) + " values");
    return *it->second;
  }

  void need_flat(const OnnxNode& n) const {
    if (!flat_)
      fail(n, "its input is a " + shape_.text() + " image (batch, C, H, W); flatten it first (nn.Flatten(), or x.view(x.size(0), -1))");
  }

  void add(const OnnxNode& n, LayerSpec l) {
    append_layer(net_.architecture, l, source_ + ": node " + std::to_string(i_) + " '" + n.name + "' (" + n.op_type + "): ");
    const LayerSpec& last = net_.architecture.layers.back();
    shape_ = last.out;
  }

  void dense(const OnnxNode& n, NdArray weight, const NdArray* bias, const std::string& bias_name) {
    const std::size_t out = weight.shape[0];
    if (weight.shape[1] != shape_.size())
      fail(n, "its weight " + shape_string(weight.shape) + " (out, in) does not take the " + std::to_string(shape_.size()) +
                  " values before it");
    NdArray b;
    if (bias) {
      if (bias->count() != out)
        fail(n, "its bias " + shape_string(bias->shape) + " does not have one value per output (" + std::to_string(out) + ")");
      b = *bias;
      b.shape = {out};
    } else {
      b.shape = {out};
      b.values.assign(out, 0.0f);
    }
    net_.params.push_back({n.inputs[1], std::move(weight)});
    net_.params.push_back({bias ? bias_name : n.name + " (no bias: zeros)", std::move(b)});
    LayerSpec l;
    l.kind = LayerKind::fc;
    l.units = out;
    add(n, l);
    flat_ = true;
  }

  // (In, N) -> PyTorch's Linear layout (N, In).
  static NdArray transposed(const NdArray& a) {
    NdArray t = a;
    const std::size_t rows = a.shape[0], cols = a.shape[1];
    t.shape = {cols, rows};
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) t.values[c * rows + r] = a.values[r * cols + c];
    return t;
  }

  void gemm(const OnnxNode& n) {
    need_flat(n);
    if (float_attribute(n, "alpha", 1.0f) != 1.0f || float_attribute(n, "beta", 1.0f) != 1.0f ||
        int_attribute(n, "transA", 0) != 0)
      fail(n, "alpha, beta and transA must be 1, 1 and 0 (what nn.Linear exports)");
    const NdArray& w = constant(n, 1, "weight");
    if (w.shape.size() != 2) fail(n, "its weight is " + shape_string(w.shape) + ", not a matrix");
    const bool trans_b = int_attribute(n, "transB", 0) != 0;
    const NdArray* bias = n.inputs.size() > 2 && !n.inputs[2].empty() ? &constant(n, 2, "bias") : nullptr;
    dense(n, trans_b ? w : transposed(w), bias, bias ? n.inputs[2] : "");
  }

  // MatMul by a constant (In, N) matrix, and the Add of a constant bias right after it, if any.
  void matmul(const OnnxNode& n) {
    need_flat(n);
    const NdArray& w = constant(n, 1, "weight");
    if (w.shape.size() != 2) fail(n, "its weight is " + shape_string(w.shape) + ", not a matrix");
    const NdArray* bias = nullptr;
    std::string bias_name;
    for (std::size_t j = i_ + 1; j < m_.nodes.size() && !bias; ++j) {
      const OnnxNode& next = m_.nodes[j];
      if (next.op_type != "Add" || next.inputs.size() != 2 || n.outputs.empty()) continue;
      const int other = next.inputs[0] == n.outputs[0] ? 1 : next.inputs[1] == n.outputs[0] ? 0 : -1;
      if (other < 0 || !constants_.count(next.inputs[other])) continue;
      bias = constants_.at(next.inputs[other]);
      bias_name = next.inputs[other];
      done_.insert(j);
      chain_from_ = next.outputs.empty() ? "" : next.outputs[0];  // the chain goes on from the Add
    }
    dense(n, transposed(w), bias, bias_name);
  }

  void conv(const OnnxNode& n) {
    if (flat_) fail(n, "its input is a vector, not an image (batch, C, H, W)");
    const NdArray& w = constant(n, 1, "weight");
    if (w.shape.size() != 4) fail(n, "its weight is " + shape_string(w.shape) + "; firmnet convolves images: (K, C, KH, KW)");
    if (int_attribute(n, "group", 1) != 1) fail(n, "grouped or depthwise convolution (group != 1) is not in firmnet; use group=1");
    if (!all_equal(ints_attribute(n, "dilations", {}), 1)) fail(n, "dilated convolution is not in firmnet; use dilation=1");
    const OnnxAttribute* auto_pad = n.find_attribute("auto_pad");
    if (auto_pad && auto_pad->s != "NOTSET" && auto_pad->s != "VALID")
      fail(n, "auto_pad " + auto_pad->s + " is not in firmnet; give the padding as numbers (padding=P)");
    const auto strides = ints_attribute(n, "strides", {1, 1});
    const auto pads = ints_attribute(n, "pads", {0, 0, 0, 0});
    if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1)
      fail(n, "strides " + ints_text(strides) + ": firmnet's convolutions take one stride for both directions");
    if (pads.size() != 4 || !all_equal(pads, pads[0]) || pads[0] < 0)
      fail(n, "pads " + ints_text(pads) + ": firmnet pads every side of the image by the same amount");
    const std::size_t channels = w.shape[1];
    if (channels != shape_.c)
      fail(n, "its weight " + shape_string(w.shape) + " takes " + std::to_string(channels) + " channels, the image before it has " +
                  std::to_string(shape_.c));
    const auto kernel = ints_attribute(n, "kernel_shape", {std::int64_t(w.shape[2]), std::int64_t(w.shape[3])});
    if (kernel.size() != 2 || std::size_t(kernel[0]) != w.shape[2] || std::size_t(kernel[1]) != w.shape[3])
      fail(n, "kernel_shape " + ints_text(kernel) + " is not its weight's " + shape_string(w.shape));
    const std::size_t k = w.shape[0];
    NdArray b;
    std::string bias_name = n.name + " (no bias: zeros)";
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      b = constant(n, 2, "bias");
      bias_name = n.inputs[2];
      if (b.count() != k) fail(n, "its bias " + shape_string(b.shape) + " does not have one value per output channel");
    } else {
      b.values.assign(k, 0.0f);
    }
    b.shape = {k};
    net_.params.push_back({n.inputs[1], w});
    net_.params.push_back({bias_name, std::move(b)});
    LayerSpec l;
    l.kind = LayerKind::conv;
    l.units = k;
    l.kh = w.shape[2];
    l.kw = w.shape[3];
    l.stride = std::size_t(strides[0]);
    l.pad = std::size_t(pads[0]);
    add(n, l);
  }

  void maxpool(const OnnxNode& n) {
    if (flat_) fail(n, "its input is a vector, not an image (batch, C, H, W)");
    const auto kernel = ints_attribute(n, "kernel_shape", {});
    const auto strides = ints_attribute(n, "strides", {1, 1});  // ONNX's default, unlike PyTorch's
    if (kernel.size() != 2 || kernel[0] != kernel[1] || kernel[0] < 1)
      fail(n, "kernel_shape " + ints_text(kernel) + ": firmnet pools square windows");
    if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1)
      fail(n, "strides " + ints_text(strides) + ": firmnet pools with one stride for both directions");
    if (!all_equal(ints_attribute(n, "pads", {}), 0)) fail(n, "padded max pooling is not in firmnet; use padding=0");
    if (!all_equal(ints_attribute(n, "dilations", {}), 1)) fail(n, "dilated max pooling is not in firmnet; use dilation=1");
    const std::int64_t z = kernel[0], s = strides[0];
    // ceil_mode only changes the output when the windows do not tile the image exactly.
    if (int_attribute(n, "ceil_mode", 0) != 0 && std::int64_t(shape_.h) >= z &&
        ((std::int64_t(shape_.h) - z) % s != 0 || (std::int64_t(shape_.w) - z) % s != 0))
      fail(n, "ceil_mode=True keeps partial windows, firmnet drops them; use ceil_mode=False");
    if (n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "its indices output is not in firmnet (return_indices=False)");
    LayerSpec l;
    l.kind = LayerKind::maxpool;
    l.kh = l.kw = std::size_t(z);
    l.stride = std::size_t(s);
    add(n, l);
  }

  // Flatten, or a Reshape to (batch, -1): nothing in firmnet, whose dense layers read any input flat.
  void flatten(const OnnxNode& n) {
    if (n.op_type == "Flatten" && int_attribute(n, "axis", 1) != 1)
      fail(n, "axis " + std::to_string(int_attribute(n, "axis", 1)) + ": firmnet flattens each sample whole (axis 1)");
    if (n.op_type == "Reshape") {
      if (n.inputs.size() < 2) fail(n, "it has no shape input");
      const std::string& shape = n.inputs[1];
      const auto it = constants_.find(shape);
      if (it != constants_.end()) {
        const auto& s = it->second->ints;
        const auto size = std::int64_t(shape_.size());
        const bool to_flat = s.size() == 2 && (s[1] == -1 ? s[0] != -1 : s[1] == size && (s[0] == -1 || s[0] >= 0));
        if (!to_flat) fail(n, "it reshapes to " + ints_text(s) + "; firmnet can only flatten each sample: (batch, -1)");
      } else if (!shape_values_.count(shape) || !next_is_dense()) {
        fail(n, "its shape '" + shape + "' is computed in the graph and no dense layer (Gemm, MatMul) follows; firmnet can "
                "only flatten each sample before a dense layer: x.view(x.size(0), -1)");
      }
    }
    if (net_.architecture.layers.empty()) {  // the input itself: the spec takes a vector
      net_.architecture.input = {1, 1, shape_.size()};
    }
    shape_ = {1, 1, shape_.size()};
    flat_ = true;
  }

  bool next_is_dense() const {
    for (std::size_t j = i_ + 1; j < m_.nodes.size(); ++j) {
      const std::string& op = m_.nodes[j].op_type;
      if (op == "Gemm" || op == "MatMul") return true;
      if (op != "Relu" && op != "Identity" && op != "Dropout" && op != "Flatten") return false;
    }
    return false;
  }

  void layer(const OnnxNode& n) {
    const std::string& op = n.op_type;
    if (n.outputs.empty()) fail(n, "it has no output");
    if (op == "Gemm") gemm(n);
    else if (op == "MatMul") matmul(n);
    else if (op == "Conv") conv(n);
    else if (op == "MaxPool") maxpool(n);
    else if (op == "Flatten" || op == "Reshape") flatten(n);
    else if (op == "Relu") add(n, layer_of(LayerKind::relu));
    else if (op == "GlobalAveragePool") {
      if (flat_) fail(n, "its input is a vector, not an image (batch, C, H, W)");
      add(n, layer_of(LayerKind::gap));
      shape_ = net_.architecture.layers.back().out;  // (batch, C, 1, 1): a Flatten usually follows
    } else if (op == "Identity" || op == "Dropout") {
      if (op == "Dropout" && n.outputs.size() > 1 && !n.outputs[1].empty()) fail(n, "its mask output is not in firmnet");
    } else {
      fail(n, advice(op));
    }
  }

  const OnnxModel& m_;
  const std::string& source_;
  std::map<std::string, const NdArray*> constants_;
  std::set<std::string> shape_values_;
  std::set<std::size_t> done_;  // nodes consumed with the one before them (MatMul's Add)
  std::string current_;         // the value the next layer must take
  std::string chain_from_;      // set by a MatMul that took the Add after it: that Add's output
  ImageShape shape_;            // the current value's shape per sample: (C, H, W) as H x W x C, or 1 x 1 x N
  bool flat_ = false;           // the current value is (batch, N)
  std::size_t i_ = 0;
  OnnxNetwork net_;
};

}  // namespace

OnnxNetwork onnx_network(const OnnxModel& model, const std::string& source) { return Importer(model, source).run(); }

}  // namespace firmnet::io
