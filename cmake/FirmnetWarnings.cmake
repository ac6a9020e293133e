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
