// cli/flags.hpp: the command-line parser of firmnet's programs. Flags are "--name value" or
// "--name=value"; every value is parsed strictly (the whole text, finite numbers, inside the
// flag's range or choices) and any problem throws UsageError naming the flag, the value and
// what would be accepted, e.g. "--lr: '-0.1' is out of range: must be > 0".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace firmnet::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Flags {
 public:
  Flags(std::string program, std::string description);

  void add_string(const std::string& name, std::string* out, const std::string& help,
                  std::vector<std::string> choices = {});
  // Integer in [min, max].
  void add_size(const std::string& name, std::size_t* out, const std::string& help, std::size_t min, std::size_t max);
  void add_u64(const std::string& name, std::uint64_t* out, const std::string& help);
  // Finite number with min < value (min_exclusive) or min <= value, and value <= max.
  void add_double(const std::string& name, double* out, const std::string& help, double min, double max,
                  bool min_exclusive = false);
  // "--name" sets true; "--name=true|false|1|0" sets either.
  void add_bool(const std::string& name, bool* out, const std::string& help);

  // Parses args (without the program name). Returns false if --help was asked for.
  bool parse(std::span<const std::string> args);
  bool parse(int argc, char** argv);
  bool was_set(const std::string& name) const;
  std::vector<std::string> given() const;  // names of the flags that were set
  std::string help() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    bool set = false;
    std::function<void(const std::string&)> assign;  // throws UsageError
  };
  Flag& add(const std::string& name, const std::string& help, std::string default_text);
  Flag* find(const std::string& name);

  std::string program_;
  std::string description_;
  std::vector<Flag> flags_;
};

// Strict number parsing used by Flags, exposed for tests and fuzzing. `what` names the flag.
double parse_double(const std::string& what, const std::string& text);
std::uint64_t parse_u64(const std::string& what, const std::string& text);

}  // namespace firmnet::cli
