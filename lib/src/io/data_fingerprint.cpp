// See io/data_fingerprint.hpp.
#include "firmnet/io/data_fingerprint.hpp"

#include <cstdio>
#include <sstream>
#include <vector>

#include "firmnet/data/normalizer.hpp"
#include "firmnet/io/crc32.hpp"

namespace firmnet::io {

namespace {
std::string split_text(const char* name, const ImageSet& set) {
  std::uint32_t crc = crc32_update(0, set.pixels, set.count * set.dim);
  crc = crc32_update(crc, set.labels, set.count);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s=%zu:%08x", name, set.count, static_cast<unsigned>(crc));
  return buf;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// "train=50000:9f3c2a11" -> "50000 images with CRC 9f3c2a11"
std::string describe(const std::string& word) {
  const auto eq = word.find('='), colon = word.find(':');
  if (eq == std::string::npos || colon == std::string::npos || colon < eq) return "'" + word + "'";
  return word.substr(eq + 1, colon - eq - 1) + " images with CRC " + word.substr(colon + 1);
}
}  // namespace

std::string data_fingerprint(const std::string& dataset, const Splits& splits) {
  return dataset + " " + split_text("train", splits.train) + " " + split_text("val", splits.val) + " " +
         split_text("test", splits.test);
}

std::string fingerprint_difference(const std::string& recorded, const std::string& now) {
  const auto a = words(recorded), b = words(now);
  if (a.empty() || b.empty() || a.size() != b.size()) return "'" + recorded + "' then, '" + now + "' now";
  if (a[0] != b[0]) return "dataset " + a[0] + " then, " + b[0] + " now";
  std::string diff;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    const std::string name = a[i].substr(0, a[i].find('='));
    if (!diff.empty()) diff += "; ";
    diff += name + " split: " + describe(a[i]) + " then, " + describe(b[i]) + " now";
  }
  return diff;
}

std::string data_mismatch(const Checkpoint& checkpoint, const std::string& dataset, const Splits& splits) {
  if (const std::string* recorded = checkpoint.find_metadata(kDataFingerprintKey))
    return fingerprint_difference(*recorded, data_fingerprint(dataset, splits));
  const CheckpointTensor* mean = checkpoint.find_tensor("input_mean");
  if (!mean || mean->values.size() != splits.train.dim || splits.train.count == 0) return "";  // the loader reports it
  std::vector<double> sum(splits.train.dim);
  std::vector<float> now(splits.train.dim);
  pixel_mean(splits.train, sum.data(), now.data());
  std::size_t differ = 0;
  for (std::size_t j = 0; j < now.size(); ++j) differ += now[j] != mean->values[j];
  if (differ == 0) return "";
  return "the mean of the " + std::to_string(splits.train.count) + " training images differs from the checkpoint's "
         "input_mean at " + std::to_string(differ) + " of " + std::to_string(now.size()) + " pixels";
}

}  // namespace firmnet::io
