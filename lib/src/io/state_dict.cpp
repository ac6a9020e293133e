// PyTorch state_dict names; see io/state_dict.hpp.
#include "firmnet/io/state_dict.hpp"

#include <algorithm>

#include "firmnet/io/error.hpp"

namespace firmnet::io {

namespace {

std::string n(std::size_t v) { return std::to_string(v); }

// The Sequential's modules; `owner` gets, per layer with parameters, its module's index.
std::vector<std::string> modules(const Architecture& a, std::vector<std::size_t>* owner) {
  std::vector<std::string> m;
  bool flat = false;  // the tensor is (batch, features); before the first layer it may be an image
  for (const auto& l : a.layers) {
    switch (l.kind) {
      case LayerKind::fc:
        if (!flat) m.push_back("torch.nn.Flatten()");
        if (owner) owner->push_back(m.size());
        m.push_back("torch.nn.Linear(" + n(l.in.size()) + ", " + n(l.units) + ")");
        flat = true;
        break;
      case LayerKind::conv:
        if (owner) owner->push_back(m.size());
        {
          std::string conv = "torch.nn.Conv2d(" + n(l.in.c) + ", " + n(l.units) + ", ";
          conv += l.kh == l.kw ? n(l.kh) : std::string("(") + n(l.kh) + ", " + n(l.kw) + ")";
          if (l.stride != 1) conv += ", stride=" + n(l.stride);
          if (l.pad != 0) conv += ", padding=" + n(l.pad);
          m.push_back(conv + ")");
        }
        flat = false;
        break;
      case LayerKind::maxpool:
        m.push_back("torch.nn.MaxPool2d(" + n(l.kh) + (l.stride != l.kh ? ", stride=" + n(l.stride) : "") + ")");
        flat = false;
        break;
      case LayerKind::relu: break;  // below
      case LayerKind::flatten:
        m.push_back("torch.nn.Flatten()");
        flat = true;
        break;
      case LayerKind::gap:
        m.push_back("torch.nn.AdaptiveAvgPool2d(1)");
        m.push_back("torch.nn.Flatten()");
        flat = true;
        break;
    }
    if (l.relu || l.kind == LayerKind::relu) m.push_back("torch.nn.ReLU()");
  }
  return m;
}

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t at; (at = s.find('.', start)) != std::string::npos; start = at + 1) parts.push_back(s.substr(start, at - start));
  parts.push_back(s.substr(start));
  return parts;
}

bool is_number(const std::string& s) {
  return !s.empty() && s.size() < 19 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool natural_less(const std::string& a, const std::string& b) {
  const auto pa = split_dots(a), pb = split_dots(b);
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
    if (pa[i] == pb[i]) continue;
    if (is_number(pa[i]) && is_number(pb[i])) return std::stoull(pa[i]) < std::stoull(pb[i]);
    return pa[i] < pb[i];
  }
  return pa.size() < pb.size();
}

const NdArray* find(const std::vector<NamedArray>& entries, const std::string& name) {
  for (const auto& e : entries)
    if (e.name == name) return e.array;
  return nullptr;
}

}  // namespace

std::vector<std::string> torch_modules(const Architecture& a) { return modules(a, nullptr); }

std::vector<std::string> torch_param_prefixes(const Architecture& a) {
  std::vector<std::size_t> owner;
  modules(a, &owner);
  std::vector<std::string> prefixes;
  for (const auto i : owner) prefixes.push_back(n(i));
  return prefixes;
}

std::string torch_sequential(const Architecture& a) {
  std::string s = "torch.nn.Sequential(";
  const auto m = torch_modules(a);
  for (std::size_t i = 0; i < m.size(); ++i) s += (i ? ", " : "") + m[i];
  return s + ")";
}

std::vector<std::string> weight_prefixes(const std::vector<NamedArray>& entries) {
  const std::string suffix = ".weight";
  std::vector<std::string> prefixes;
  for (const auto& e : entries) {
    if (e.name.size() <= suffix.size() || !e.name.ends_with(suffix)) continue;
    const std::string prefix = e.name.substr(0, e.name.size() - suffix.size());
    if (!find(entries, prefix + ".running_mean")) prefixes.push_back(prefix);  // a batch norm is no layer of firmnet's
  }
  std::stable_sort(prefixes.begin(), prefixes.end(), natural_less);
  return prefixes;
}

std::vector<TorchParam> pick_params(const std::vector<NamedArray>& entries, const std::vector<std::string>& prefixes,
                                    const std::string& source) {
  std::vector<TorchParam> params;
  std::vector<std::string> used;
  for (const auto& p : prefixes) {
    const NdArray* w = find(entries, p + ".weight");
    if (!w) throw Error(source + ": no tensor '" + p + ".weight'");
    params.push_back({p + ".weight", *w});
    used.push_back(p + ".weight");
    if (const NdArray* b = find(entries, p + ".bias")) {
      params.push_back({p + ".bias", *b});
      used.push_back(p + ".bias");
    } else {
      NdArray zeros;  // a layer built with bias=False
      zeros.shape = {w->shape.empty() ? 0 : w->shape[0]};
      zeros.values.assign(zeros.shape[0], 0.0f);
      params.push_back({p + ".bias (absent: zeros)", std::move(zeros)});
    }
  }
  std::string unused;
  for (const auto& e : entries)
    if (std::find(used.begin(), used.end(), e.name) == used.end()) unused += (unused.empty() ? "'" : ", '") + e.name + "'";
  if (!unused.empty())
    throw Error(source + ": " + unused + " belong to no layer of the network (firmnet has fc, conv, maxpool, relu, flatten "
                "and gap layers: fold a batch norm into the layer before it and save without it; --names picks the layers' "
                "prefixes)");
  return params;
}

}  // namespace firmnet::io
