// Architecture specs at run time; see io/architecture.hpp.
#include "firmnet/io/architecture.hpp"

#include <cstdint>

#include <string_view>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

// Large enough for any layer a microcontroller runs, small enough that no product of a few of
// them overflows 64 bits.
constexpr std::size_t kMaxSpecNumber = 1u << 24;
// Values per sample of any layer's input or output: every size product then fits 64 bits.
constexpr std::size_t kMaxLayerValues = std::size_t(1) << 31;

// A decimal number without sign or leading zero, in [1, kMaxSpecNumber]; 0 when `text` is not one.
std::size_t spec_number(std::string_view text) {
  if (text.empty() || text.size() > 8 || text[0] == '0') return 0;
  std::size_t v = 0;
  for (const char ch : text) {
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + static_cast<std::size_t>(ch - '0');
  }
  return v <= kMaxSpecNumber ? v : 0;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

// "HxW" -> (H, W); false if it is not two numbers.
bool window(std::string_view text, std::size_t& h, std::size_t& w) {
  const auto parts = split(text, 'x');
  if (parts.size() != 2) return false;
  h = spec_number(parts[0]);
  w = spec_number(parts[1]);
  return h && w;
}

// One token without its "+relu"; false if it is none of the grammar's forms.
bool parse_token(std::string_view token, LayerSpec& l) {
  const auto parts = split(token, ':');
  const std::string_view op = parts[0];
  if (parts.size() == 1) {
    if (op == "relu") l.kind = LayerKind::relu;
    else if (op == "flatten") l.kind = LayerKind::flatten;
    else if (op == "gap") l.kind = LayerKind::gap;
    else return false;
    return true;
  }
  if (op == "fc") {
    l.kind = LayerKind::fc;
    l.units = spec_number(parts[1]);
    return parts.size() == 2 && l.units;
  }
  // Options after the fixed fields: ":sS" and, for conv, ":pP".
  auto options = [&](std::size_t first, bool padding) {
    for (std::size_t i = first; i < parts.size(); ++i) {
      const std::string_view o = parts[i];
      if (o.size() < 2) return false;
      const std::size_t v = spec_number(o.substr(1));
      if (o[0] == 's' && v) l.stride = v;
      else if (o[0] == 'p' && padding && v) l.pad = v;
      else return false;
    }
    return true;
  };
  if (op == "conv") {
    l.kind = LayerKind::conv;
    l.units = parts.size() >= 3 ? spec_number(parts[1]) : 0;
    return l.units && window(parts[2], l.kh, l.kw) && options(3, true);
  }
  if (op == "maxpool") {
    l.kind = LayerKind::maxpool;
    l.kh = l.kw = spec_number(parts[1]);
    l.stride = l.kh;
    return l.kh && options(2, false);
  }
  return false;
}

std::string n(std::size_t v) { return std::to_string(v); }

}  // namespace

std::string ImageShape::text() const { return is_vector() ? n(c) : n(h) + "x" + n(w) + "x" + n(c); }

std::size_t LayerSpec::fan_in() const noexcept {
  if (kind == LayerKind::conv) return kh * kw * in.c;
  return in.size();
}

std::string LayerSpec::token() const {
  const std::string act = relu ? "+relu" : "";
  switch (kind) {
    case LayerKind::fc: return "fc:" + n(units) + act;
    case LayerKind::conv:
      return "conv:" + n(units) + ":" + n(kh) + "x" + n(kw) + (stride != 1 ? ":s" + n(stride) : "") +
             (pad != 0 ? ":p" + n(pad) : "") + act;
    case LayerKind::maxpool: return "maxpool:" + n(kh) + (stride != kh ? ":s" + n(stride) : "");
    case LayerKind::relu: return "relu";
    case LayerKind::flatten: return "flatten";
    case LayerKind::gap: return "gap";
  }
  return "";
}

std::string Architecture::spec() const {
  std::string s = "in:" + input.text();
  for (const auto& l : layers) {
    s += '|';
    s += l.token();
  }
  return s;
}

std::string Architecture::stack_declaration() const {
  const std::size_t size = input.size();
  const bool dataset_shape = (input.h == 28 && input.w == 28 && input.c == 1) || (input.h == 32 && input.w == 32 && input.c == 3);
  std::string s = "Stack<";
  if (input.is_vector() && (size == 784 || size == 3072)) s += "Flat";
  else if (dataset_shape) s += "Image";
  else s += input.is_vector() ? "Input<" + n(size) + ">" : "Input<" + n(input.h) + ", " + n(input.w) + ", " + n(input.c) + ">";
  for (const auto& l : layers) {
    switch (l.kind) {
      case LayerKind::fc: s += ", Fc<" + n(l.units) + ">"; break;
      case LayerKind::conv:
        s += ", Conv2d<" + n(l.units) + ", " + n(l.kh) + ", " + n(l.kw) + (l.stride != 1 ? ", Stride<" + n(l.stride) + ">" : "") +
             (l.pad != 0 ? ", Pad<" + n(l.pad) + ">" : "") + ">";
        break;
      case LayerKind::maxpool: s += ", MaxPool<" + n(l.kh) + (l.stride != l.kh ? ", " + n(l.stride) : "") + ">"; break;
      case LayerKind::relu: s += ", Relu"; break;
      case LayerKind::flatten: s += ", Flatten"; break;
      case LayerKind::gap: s += ", GlobalAvgPool"; break;
    }
    if (l.relu) s += ", Relu";
  }
  return s + ">,";
}

void append_layer(Architecture& a, LayerSpec l, const std::string& context) {
  if (l.kind == LayerKind::relu && !a.layers.empty()) {
    LayerSpec& last = a.layers.back();
    if (last.has_params() && !last.relu) {
      last.relu = true;
      return;
    }
  }
  const ImageShape in = a.layers.empty() ? a.input : a.layers.back().out;
  l.in = in;
  l.out = in;
  const std::string token = l.token();
  const bool windowed = l.kind == LayerKind::conv || l.kind == LayerKind::maxpool;
  if (in.h == 0 || in.w == 0 || in.c == 0 || (l.has_params() && l.units == 0) ||
      (windowed && (l.kh == 0 || l.kw == 0 || l.stride == 0)))
    throw Error(context + token + ": a size is zero (on a " + in.text() + " input)");
  if (std::uint64_t(in.h) * in.w > kMaxLayerValues / in.c)
    throw Error(context + token + ": its input of " + in.text() + " values is larger than firmnet's layers take (2^31 values)");
  switch (l.kind) {
    case LayerKind::fc: l.out = {1, 1, l.units}; break;
    case LayerKind::conv:
      if (std::uint64_t(l.kh) * l.kw > kMaxLayerValues / in.c)  // the fan-in, each weight tensor's row count
        throw Error(context + token + ": its " + n(l.kh) + "x" + n(l.kw) + " window over " + n(in.c) +
                    " channels is larger than firmnet's layers take (2^31 values)");
      if (in.h + 2 * std::uint64_t(l.pad) < l.kh || in.w + 2 * std::uint64_t(l.pad) < l.kw)
        throw Error(context + token + ": the " + n(l.kh) + "x" + n(l.kw) + " window is larger than the padded " + in.text() +
                    " input");
      if (l.pad >= l.kh || l.pad >= l.kw)
        throw Error(context + token + ": padding " + n(l.pad) + " is as wide as the window (firmnet needs it narrower)");
      l.out = {(in.h + 2 * l.pad - l.kh) / l.stride + 1, (in.w + 2 * l.pad - l.kw) / l.stride + 1, l.units};
      break;
    case LayerKind::maxpool:
      if (in.h < l.kh || in.w < l.kw)
        throw Error(context + token + ": the " + n(l.kh) + "x" + n(l.kw) + " window is larger than the " + in.text() + " input");
      l.out = {(in.h - l.kh) / l.stride + 1, (in.w - l.kw) / l.stride + 1, in.c};
      break;
    case LayerKind::relu: break;
    case LayerKind::flatten: l.out = {1, 1, in.size()}; break;
    case LayerKind::gap: l.out = {1, 1, in.c}; break;
  }
  if (std::uint64_t(l.out.h) * l.out.w > kMaxLayerValues / l.out.c)
    throw Error(context + token + ": its output of " + l.out.text() + " values is larger than firmnet's layers take (2^31 values)");
  a.layers.push_back(l);
}

Architecture parse_architecture(const std::string& spec, const std::string& source) {
  const std::string context = source + ": architecture '" + spec + "': ";
  const auto tokens = split(spec, '|');
  if (tokens.size() < 2 || tokens[0].substr(0, 3) != "in:")
    throw Error(context + "a spec is in:<shape>|<layer>|..., e.g. in:784|fc:128+relu|fc:10");
  Architecture a;
  const auto dims = split(tokens[0].substr(3), 'x');
  if (dims.size() == 1) {
    a.input.c = spec_number(dims[0]);
  } else if (dims.size() == 3) {
    a.input = {spec_number(dims[0]), spec_number(dims[1]), spec_number(dims[2])};
  }
  if ((dims.size() != 1 && dims.size() != 3) || a.input.h == 0 || a.input.w == 0 || a.input.c == 0)
    throw Error(context + "the input '" + std::string(tokens[0]) + "' is not in:N or in:HxWxC");
  if (std::uint64_t(a.input.h) * a.input.w > kMaxLayerValues / a.input.c)
    throw Error(context + "the input " + a.input.text() + " is larger than firmnet's layers take (2^31 values)");
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    std::string_view token = tokens[i];
    LayerSpec l;
    const bool relu = token.ends_with("+relu");
    if (relu) token.remove_suffix(5);
    if (!parse_token(token, l) || (relu && !l.has_params()))
      throw Error(context + "layer " + n(i) + " '" + std::string(tokens[i]) +
                  "' is not fc:N, conv:K:KHxKW[:sS][:pP], maxpool:Z[:sS], relu, flatten or gap (+relu after fc and conv)");
    l.relu = relu;
    append_layer(a, l, context + "layer " + n(i) + " ");
  }
  // The programs match specs as exact strings, so only the form the networks write is one.
  if (a.spec() != spec) throw Error(context + "write it as " + a.spec() + " (the form firmnet's networks write)");
  return a;
}

}  // namespace firmnet::io
