// Chooses the element-wise kernels of the active GEMM variant; see kernels/elementwise_dispatch.hpp.
#include "firmnet/kernels/elementwise_dispatch.hpp"

#include <cstring>

#include "elementwise_variants.hpp"
#include "firmnet/kernels/gemm_dispatch.hpp"
#include "gemm_variants.hpp"

namespace firmnet::kernels {

namespace {
struct Table {
  ElementwiseVariant variants[3];
  std::size_t count = 0;
  const ElementwiseVariant* active = nullptr;
};

Table make_table() {
  Table t{};
  auto add = [&](ElementwiseVariant v, const char* name) {
    v.name = name;
    for (const GemmVariant& g : gemm_variants())  // supported where the GEMM variant of that name is
      if (std::strcmp(g.name, name) == 0) v.supported = g.supported;
    t.variants[t.count++] = v;
  };
#if FIRMNET_X86_DISPATCH
  add(variants::kElementwiseAvx512, "avx512bw");
  add(variants::kElementwiseAvx2, "fma3+avx2");
#endif
  add(variants::kElementwiseBaseline, variants::baseline_name());
  t.active = &t.variants[t.count - 1];
  for (std::size_t i = 0; i < t.count; ++i)
    if (std::strcmp(t.variants[i].name, gemm_active().name) == 0) t.active = &t.variants[i];
  return t;
}

const Table& table() {
  static const Table t = make_table();
  return t;
}
}  // namespace

std::span<const ElementwiseVariant> elementwise_variants() noexcept { return {table().variants, table().count}; }
const ElementwiseVariant& elementwise_active() noexcept { return *table().active; }

}  // namespace firmnet::kernels
