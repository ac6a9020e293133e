# aarch64 Linux (NEON64) with Debian's g++-aarch64-linux-gnu; ctest runs the binaries under qemu-aarch64.
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=$PWD/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(FIRMNET_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${FIRMNET_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FIRMNET_TRIPLE}-g++)

# Search only the target sysroot: a host library or header must never leak into the build.
set(CMAKE_FIND_ROOT_PATH /usr/${FIRMNET_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# No binfmt registration here: run target binaries (ctest, test discovery) through qemu-user.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${FIRMNET_TRIPLE})
