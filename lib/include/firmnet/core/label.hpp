// core/label.hpp: class labels are bytes, as in the IDX and CIFAR-10 files; so at most 256 classes.
#pragma once

#include <cstdint>

namespace firmnet {
using Label = std::uint8_t;
inline constexpr std::size_t kMaxClasses = 256;
}  // namespace firmnet
