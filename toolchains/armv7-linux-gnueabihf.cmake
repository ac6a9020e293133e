# 32-bit ARMv7-A Linux, hard-float ABI with NEON, Debian's g++-arm-linux-gnueabihf; tests under qemu-arm.
#   cmake -S . -B build/armv7 -DCMAKE_TOOLCHAIN_FILE=$PWD/toolchains/armv7-linux-gnueabihf.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(FIRMNET_TRIPLE arm-linux-gnueabihf)
set(CMAKE_C_COMPILER ${FIRMNET_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FIRMNET_TRIPLE}-g++)
# Debian's default for this triple has no NEON (VFPv3-D16): ask for it, or xsimd finds no SIMD.
# -mfpu=neon-vfpv4 (Cortex-A7/A15 and later) would add fused multiply-add.
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")

set(CMAKE_FIND_ROOT_PATH /usr/${FIRMNET_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm -L /usr/${FIRMNET_TRIPLE})
