// io/data_fingerprint.hpp: what a run was trained on, recorded in its checkpoint so that resuming
// and evaluating can tell the same data from other data of the same shape. The fingerprint
// names the dataset and, per split, its image count and the CRC-32 of its pixels and labels:
//   "fashion-mnist train=50000:9f3c2a11 val=10000:0b5e77d0 test=10000:5d1c8e42"
// Computing it reads every byte of the three splits once (about 0.1 s for Fashion-MNIST).
#pragma once

#include <string>

#include "firmnet/io/checkpoint.hpp"
#include "firmnet/io/datasets.hpp"

namespace firmnet::io {

std::string data_fingerprint(const std::string& dataset, const Splits& splits);

// "" when the two fingerprints agree, else what differs, e.g.
// "train split: 50000 images with CRC 9f3c2a11 then, 50000 with CRC 1e2d3c4b now".
std::string fingerprint_difference(const std::string& recorded, const std::string& now);

// The checkpoint metadata key holding the fingerprint.
inline constexpr const char* kDataFingerprintKey = "data_fingerprint";

// "" when `splits` are the data `checkpoint` was trained on, else what differs: by the recorded
// fingerprint, or, for a checkpoint without one (written before fingerprints), by comparing its
// input_mean with the mean of the training split rebuilt now.
std::string data_mismatch(const Checkpoint& checkpoint, const std::string& dataset, const Splits& splits);

}  // namespace firmnet::io
