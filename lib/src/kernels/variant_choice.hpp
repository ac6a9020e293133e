// Picks the kernel variant a process uses: the first supported one in the table (tables list
// the fastest first), unless the environment variable `env` names another supported one, e.g.
// FIRMNET_KERNELS=sse2 to compare against or rule out the fast path. An unknown or unsupported
// name is reported on stderr and ignored, never fatal: the library must still run.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace firmnet::kernels {

template <class Variant>
const Variant* choose_variant(const Variant* variants, std::size_t count, const char* env) noexcept {
  const Variant* best = nullptr;
  for (std::size_t i = 0; i < count && !best; ++i)
    if (variants[i].supported) best = &variants[i];
  const char* wanted = std::getenv(env);
  if (!wanted || !*wanted) return best;
  for (std::size_t i = 0; i < count; ++i)
    if (variants[i].supported && std::strcmp(variants[i].name, wanted) == 0) return &variants[i];
  std::fprintf(stderr, "firmnet: %s=%s is not a supported kernel here; using %s\n", env, wanted, best->name);
  return best;
}

}  // namespace firmnet::kernels
