# Header-only dependencies. Debian's imported `xsimd` target carries INTERFACE_LINK_LIBRARIES
# "xtl" without a find_dependency, so linking it fails with "cannot find -lxtl": firmnet uses
# the headers through its own INTERFACE targets instead. Cross builds never search the host's
# /usr/include (it would silently mix host glibc headers into the target build), so for them
# only the xsimd/ and catch2/ header directories are symlinked into <build>/_stage/include.

# A hosted build has a file system, stdio and threads (io/, examples); bare metal does not.
if(CMAKE_SYSTEM_NAME STREQUAL "Generic")
  set(FIRMNET_HOSTED OFF)
else()
  set(FIRMNET_HOSTED ON)
endif()

# zlib reads the gzip-compressed datasets. The ARM cross sysroots have none, so it is optional:
# without it, plain (uncompressed) files still load and a .gz file gets a clear error.
if(FIRMNET_HOSTED)
  find_package(ZLIB QUIET)
  set(FIRMNET_HAVE_ZLIB ${ZLIB_FOUND})
  message(STATUS "firmnet: gzip support ${FIRMNET_HAVE_ZLIB}")
endif()

set(FIRMNET_HOST_INCLUDE_DIR "/usr/include" CACHE PATH "Build-host include dir holding header-only deps (xsimd, catch2)")
set(FIRMNET_STAGE_INCLUDE_DIR "${CMAKE_BINARY_DIR}/_stage/include")

# firmnet_stage_headers(<subdir> <marker file> <out var>): the include dir to use for <subdir>.
function(firmnet_stage_headers subdir marker_file out_var)
  if(NOT CMAKE_CROSSCOMPILING)
    find_path(_firmnet_dir ${marker_file})
    if(NOT _firmnet_dir)
      message(FATAL_ERROR "${marker_file} not found: install its Debian -dev package (scripts/deps installs all)")
    endif()
    set(${out_var} "${_firmnet_dir}" PARENT_SCOPE)
    unset(_firmnet_dir CACHE)
    return()
  endif()
  if(NOT EXISTS "${FIRMNET_HOST_INCLUDE_DIR}/${marker_file}")
    message(FATAL_ERROR "${FIRMNET_HOST_INCLUDE_DIR}/${marker_file} not found: install its Debian -dev package")
  endif()
  file(MAKE_DIRECTORY "${FIRMNET_STAGE_INCLUDE_DIR}")
  if(NOT EXISTS "${FIRMNET_STAGE_INCLUDE_DIR}/${subdir}")
    file(CREATE_LINK "${FIRMNET_HOST_INCLUDE_DIR}/${subdir}" "${FIRMNET_STAGE_INCLUDE_DIR}/${subdir}" SYMBOLIC)
  endif()
  set(${out_var} "${FIRMNET_STAGE_INCLUDE_DIR}" PARENT_SCOPE)
endfunction()

# xsimd: the SIMD kernels' headers. Bare metal has no SIMD unit xsimd knows: no xsimd at all there.
add_library(firmnet_xsimd INTERFACE)
if(FIRMNET_HOSTED)
  firmnet_stage_headers(xsimd xsimd/xsimd.hpp FIRMNET_XSIMD_INCLUDE_DIR)
  if(NOT FIRMNET_XSIMD_INCLUDE_DIR STREQUAL "/usr/include")
    target_include_directories(firmnet_xsimd SYSTEM INTERFACE "${FIRMNET_XSIMD_INCLUDE_DIR}")
  endif()
else()
  target_compile_definitions(firmnet_xsimd INTERFACE FIRMNET_NO_XSIMD)
endif()
