# Reports, at configure time, which kernel architecture this build compiles in (the same name
# every test binary prints on its first line): compiles cmake/kernel_arch_probe.cpp with the
# build's flags and reads the name back from the object file.
set(_probe_defs "")
if(NOT FIRMNET_HOSTED)
  set(_probe_defs -DFIRMNET_NO_XSIMD)
endif()
set(_probe_includes "${PROJECT_SOURCE_DIR}/lib/include")
if(FIRMNET_XSIMD_INCLUDE_DIR)
  list(APPEND _probe_includes "${FIRMNET_XSIMD_INCLUDE_DIR}")
endif()
set(_saved_type ${CMAKE_TRY_COMPILE_TARGET_TYPE})
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
try_compile(_probe_ok ${CMAKE_BINARY_DIR}/_kernel_arch_probe
  SOURCES ${PROJECT_SOURCE_DIR}/cmake/kernel_arch_probe.cpp
  CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${_probe_includes}"
  COMPILE_DEFINITIONS ${_probe_defs}
  CXX_STANDARD 20
  OUTPUT_VARIABLE _probe_log
  COPY_FILE ${CMAKE_BINARY_DIR}/_kernel_arch_probe.a)
set(CMAKE_TRY_COMPILE_TARGET_TYPE ${_saved_type})
if(NOT _probe_ok)
  message(FATAL_ERROR "firmnet: the kernel architecture probe does not compile:\n${_probe_log}")
endif()
file(STRINGS ${CMAKE_BINARY_DIR}/_kernel_arch_probe.a _tag REGEX "FIRMNET_KERNEL_ARCH:")
string(REGEX REPLACE ".*FIRMNET_KERNEL_ARCH:([^\n]*).*" "\\1" FIRMNET_KERNEL_ARCH "${_tag}")
message(STATUS "firmnet kernels: ${FIRMNET_KERNEL_ARCH}")
