// libFuzzer: train's command line. The input is split at NUL bytes into arguments; parsing must
// accept them or throw cli::UsageError, and accepted values must lie in the flags' ranges.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/train_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"train"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(current);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  firmnet::examples::Options o;
  try {
    if (firmnet::examples::parse_options(static_cast<int>(argv.size()), argv.data(), o)) {
      bool compiled = o.resume;  // a resumed run takes its network from the checkpoint
      for (const auto spec : firmnet::examples::compiled_specs()) compiled = compiled || spec == o.spec;
      if (!(o.lr > 0) || !(o.reg >= 0) || o.batch_size < 1 || o.batch_size > firmnet::examples::kMaxBatch ||
          o.epochs < 1 || o.shift > firmnet::examples::kMaxShift || !compiled || (o.optimizer != "sgd" && o.momentum != 0))
        __builtin_trap();
    }
  } catch (const firmnet::cli::UsageError&) {
  }
  return 0;
}
