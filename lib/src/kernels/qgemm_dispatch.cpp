// Chooses among the compiled int8 variants; see kernels/qgemm.hpp.
#include "cpu_features.hpp"
#include "firmnet/kernels/qgemm.hpp"
#include "qgemm_variants.hpp"
#include "variant_choice.hpp"

#if FIRMNET_ARM64_DISPATCH
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace firmnet::kernels {

namespace {
struct Table {
  QgemmVariant variants[3];
  std::size_t count = 0;
  const QgemmVariant* active = nullptr;
};

QgemmVariant make(const char* name, const qvariants::Kernels& k, bool supported) {
  return {name, k.qgemm, k.requantize, k.finish, supported};
}

Table make_table() {
  Table t{};
#if FIRMNET_X86_DISPATCH
  // Every flag its translation unit is compiled with: the vectorised requantization may use
  // 256-bit EVEX (AVX-512VL) forms, not only the product's vpdpbusd.
  const X86Features cpu = x86_features();
  t.variants[t.count++] = make("avx512vnni", qvariants::kAvx512Vnni, cpu.avx512_vnni);
  t.variants[t.count++] = make("avx2", qvariants::kAvx2, cpu.avx2_fma);
#endif
#if FIRMNET_ARM64_DISPATCH
  t.variants[t.count++] = make("dotprod", qvariants::kDotprod, (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0);
#endif
  t.variants[t.count++] = make(qvariants::kBaselineName, qvariants::kBaseline, true);
  t.active = choose_variant(t.variants, t.count, "FIRMNET_QKERNELS");
  return t;
}

const Table& table() {
  static const Table t = make_table();
  return t;
}
}  // namespace

const QgemmVariant* qgemm_variants(std::size_t* count) noexcept {
  *count = table().count;
  return table().variants;
}
const QgemmVariant& qgemm_active() noexcept { return *table().active; }

}  // namespace firmnet::kernels
