// The per-ISA int8 entry points, each defined in its own translation unit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace firmnet::kernels::qvariants {

using Fn = void (*)(const std::uint8_t*, const std::int8_t*, std::size_t, std::size_t, std::int32_t*) noexcept;
Fn baseline() noexcept;            // SSE2 on x86-64, NEON on ARM, the reference elsewhere
const char* baseline_name() noexcept;
#if FIRMNET_X86_DISPATCH
Fn avx2() noexcept;
Fn avx512vnni() noexcept;
#endif
#if FIRMNET_ARM64_DISPATCH
Fn dotprod() noexcept;
#endif

}  // namespace firmnet::kernels::qvariants
