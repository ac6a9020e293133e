# x86-64-v2: SSE4.2 (xsimd sse4_2), with the native g++.
#   cmake -S . -B build/x86-64-v2 -DCMAKE_TOOLCHAIN_FILE=$PWD/toolchains/x86-64-v2.cmake
# CMAKE_SYSTEM_NAME is deliberately not set: it would make CMake treat this host build as a
# cross build. Binaries run only on CPUs of this level or newer.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_C_FLAGS_INIT "-march=x86-64-v2")
set(CMAKE_CXX_FLAGS_INIT "-march=x86-64-v2")
