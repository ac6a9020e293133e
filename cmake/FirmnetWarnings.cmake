# Flags for firmnet's own targets (never exported to consumers, never applied to dependencies):
#  - warnings, as errors with FIRMNET_WERROR;
#  - -ffp-contract=off: the compiler may not fuse a*b+c on its own, so scalar float code gives the
#    same bits at every -march level (the SIMD kernels call fma explicitly where they want it).
add_library(firmnet_warnings INTERFACE)
target_compile_options(firmnet_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor -ffp-contract=off)
if(FIRMNET_WERROR)
  target_compile_options(firmnet_warnings INTERFACE -Werror)
endif()

# GCC 12 reports '__Y' as uninitialized inside its own avx512fintrin.h (_mm512_max_ps and others):
# a false positive. Translation units compiled for AVX-512 add these options; clang needs none.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(FIRMNET_AVX512_QUIET "-Wno-uninitialized;-Wno-maybe-uninitialized")
else()
  set(FIRMNET_AVX512_QUIET "")
endif()

# A whole build for AVX-512 (toolchains/x86-64-v4.cmake, or -march=native on such a CPU) meets the
# same false positive in every header kernel that xsimd lowers to AVX-512 (Adam's sqrt, say), so
# there the options apply to all of our targets.
include(CheckCXXSourceCompiles)
check_cxx_source_compiles("
#ifndef __AVX512F__
#error not an AVX-512 build
#endif
int main() { return 0; }" FIRMNET_BUILD_IS_AVX512)
if(FIRMNET_BUILD_IS_AVX512 AND FIRMNET_AVX512_QUIET)
  target_compile_options(firmnet_warnings INTERFACE ${FIRMNET_AVX512_QUIET})
endif()
