// Chooses among the compiled GEMM variants and owns the per-thread pack buffers; see
// kernels/gemm_dispatch.hpp. Compiled for the build's baseline ISA.
#include "firmnet/kernels/gemm_dispatch.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gemm_variants.hpp"

namespace firmnet::kernels {

namespace {

// 1.1 MiB per thread, zero-filled .tbss: no heap, no initialisation cost.
struct Workspace {
  alignas(64) float pack_a[kMaxPackA];
  alignas(64) float pack_b[kMaxPackB];
};
thread_local Workspace tls_workspace;

#if FIRMNET_X86_DISPATCH
bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
}
bool has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

struct Table {
  GemmVariant variants[3];
  std::size_t count = 0;
  const GemmVariant* active = nullptr;
};

Table make_table() {
  Table t{};
#if FIRMNET_X86_DISPATCH
  __builtin_cpu_init();
  t.variants[t.count++] = {"avx512bw", variants::gemm_avx512, has_avx512()};
  t.variants[t.count++] = {"fma3+avx2", variants::gemm_avx2, has_avx2()};
#endif
  t.variants[t.count++] = {variants::baseline_name(), variants::gemm_baseline, true};
  for (std::size_t i = 0; i < t.count && !t.active; ++i)
    if (t.variants[i].supported) t.active = &t.variants[i];
  // FIRMNET_KERNELS=<name> picks a slower variant, e.g. to compare or to rule the fast one out.
  if (const char* wanted = std::getenv("FIRMNET_KERNELS"); wanted && *wanted) {
    const GemmVariant* chosen = nullptr;
    for (std::size_t i = 0; i < t.count; ++i)
      if (std::strcmp(t.variants[i].name, wanted) == 0 && t.variants[i].supported) chosen = &t.variants[i];
    if (chosen) t.active = chosen;
    else std::fprintf(stderr, "firmnet: FIRMNET_KERNELS=%s is not a supported kernel here; using %s\n", wanted, t.active->name);
  }
  return t;
}

const Table& table() {
  static const Table t = make_table();
  return t;
}

}  // namespace

std::span<const GemmVariant> gemm_variants() noexcept { return {table().variants, table().count}; }
const GemmVariant& gemm_active() noexcept { return *table().active; }

void gemm_f32_with(const GemmVariant& variant, const GemmProblem& p) noexcept {
  variant.run(p, tls_workspace.pack_a, tls_workspace.pack_b);
}

void gemm_f32(const GemmProblem& p) noexcept { gemm_f32_with(*table().active, p); }

}  // namespace firmnet::kernels
