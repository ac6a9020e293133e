// Compiled (never run) at configure time by FirmnetArch.cmake: embeds the kernel architecture's
// name as "FIRMNET_KERNEL_ARCH:<name>" in the object, where CMake reads it back. Works for cross
// targets, where nothing can run at configure time.
#include <cstddef>

#include "firmnet/core/arch.hpp"

struct ArchTag {
  char text[96];
};

constexpr ArchTag make_tag() {
  ArchTag tag{};
  const char* prefix = "FIRMNET_KERNEL_ARCH:";
  const char* name = firmnet::kernel_arch_name();
  std::size_t i = 0;
  for (std::size_t j = 0; prefix[j] != '\0'; ++j) tag.text[i++] = prefix[j];
  for (std::size_t j = 0; name[j] != '\0' && i + 1 < sizeof tag.text; ++j) tag.text[i++] = name[j];
  return tag;
}

extern const ArchTag firmnet_kernel_arch_tag;
[[gnu::used]] const ArchTag firmnet_kernel_arch_tag = make_tag();
