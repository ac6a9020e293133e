// Strict command-line flag parsing; see cli/flags.hpp.
#include "firmnet/cli/flags.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace firmnet::cli {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

}  // namespace

double parse_double(const std::string& what, const std::string& text) {
  double v = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || end != last)
    throw UsageError(what + ": '" + text + "' is not a number");
  if (!std::isfinite(v)) throw UsageError(what + ": '" + text + "' is not a finite number");
  return v;
}

std::uint64_t parse_u64(const std::string& what, const std::string& text) {
  std::uint64_t v = 0;
  const char* first = text.data();
  const char* last = first + text.size();
  const auto [end, ec] = std::from_chars(first, last, v);
  if (ec == std::errc::result_out_of_range) throw UsageError(what + ": '" + text + "' is too large");
  if (text.empty() || ec != std::errc() || end != last)
    throw UsageError(what + ": '" + text + "' is not a non-negative whole number");
  return v;
}

Flags::Flags(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

Flags::Flag& Flags::add(const std::string& name, const std::string& help, std::string default_text) {
  flags_.push_back({name, help, std::move(default_text), false, false, {}});
  return flags_.back();
}

Flags::Flag* Flags::find(const std::string& name) {
  for (auto& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

void Flags::add_string(const std::string& name, std::string* out, const std::string& help,
                       std::vector<std::string> choices) {
  std::string text = help;
  if (!choices.empty()) text += " (one of: " + join(choices) + ")";
  add(name, text, out->empty() ? "" : *out).assign = [name, out, choices](const std::string& v) {
    if (!choices.empty()) {
      bool ok = false;
      for (const auto& c : choices) ok = ok || c == v;
      if (!ok) throw UsageError("--" + name + ": '" + v + "' is not supported (one of: " + join(choices) + ")");
    }
    if (v.empty()) throw UsageError("--" + name + ": the value must not be empty");
    *out = v;
  };
}

void Flags::add_size(const std::string& name, std::size_t* out, const std::string& help, std::size_t min,
                     std::size_t max) {
  add(name, help, std::to_string(*out)).assign = [name, out, min, max](const std::string& v) {
    if (!v.empty() && v[0] == '-') throw UsageError("--" + name + ": '" + v + "' is negative");
    const std::uint64_t x = parse_u64("--" + name, v);
    if (x < min || x > max)
      throw UsageError("--" + name + ": " + v + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    *out = static_cast<std::size_t>(x);
  };
}

void Flags::add_u64(const std::string& name, std::uint64_t* out, const std::string& help) {
  add(name, help, std::to_string(*out)).assign = [name, out](const std::string& v) {
    if (!v.empty() && v[0] == '-') throw UsageError("--" + name + ": '" + v + "' is negative");
    *out = parse_u64("--" + name, v);
  };
}

void Flags::add_double(const std::string& name, double* out, const std::string& help, double min, double max,
                       bool min_exclusive) {
  add(name, help, number_text(*out)).assign = [name, out, min, max, min_exclusive](const std::string& v) {
    const double x = parse_double("--" + name, v);
    if (min_exclusive ? !(x > min) : !(x >= min))
      throw UsageError("--" + name + ": '" + v + "' is out of range: must be " + (min_exclusive ? "> " : ">= ") +
                       number_text(min));
    if (x > max) throw UsageError("--" + name + ": '" + v + "' is out of range: must be <= " + number_text(max));
    *out = x;
  };
}

void Flags::add_bool(const std::string& name, bool* out, const std::string& help) {
  Flag& f = add(name, help, *out ? "true" : "false");
  f.is_bool = true;
  f.assign = [name, out](const std::string& v) {
    if (v == "true" || v == "1") *out = true;
    else if (v == "false" || v == "0") *out = false;
    else throw UsageError("--" + name + ": '" + v + "' is not true or false");
  };
}

bool Flags::parse(std::span<const std::string> args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return false;
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
      throw UsageError("unexpected argument '" + arg + "' (flags look like --name value; see --help)");
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    Flag* f = find(name);
    if (!f) throw UsageError("unknown flag --" + name + " (see --help)");
    if (f->set) throw UsageError("--" + name + " is given twice");
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (f->is_bool) {
      value = "true";
    } else {
      if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      value = args[++i];
    }
    f->assign(value);
    f->set = true;
  }
  return true;
}

bool Flags::parse(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return parse(args);
}

bool Flags::was_set(const std::string& name) const {
  for (const auto& f : flags_)
    if (f.name == name) return f.set;
  return false;
}

std::vector<std::string> Flags::given() const {
  std::vector<std::string> names;
  for (const auto& f : flags_)
    if (f.set) names.push_back(f.name);
  return names;
}

std::string Flags::help() const {
  std::string s = "Usage: " + program_ + " [flags]\n\n" + description_ + "\n\nFlags:\n";
  for (const auto& f : flags_) {
    std::string head = "  --" + f.name + (f.is_bool ? "" : " VALUE");
    s += head + "\n      " + f.help;
    if (!f.default_text.empty()) s += " [default: " + f.default_text + "]";
    s += "\n";
  }
  s += "  --help\n      Show this help and exit.\n";
  return s;
}

}  // namespace firmnet::cli
