# Bare-metal Cortex-M4F (arm-none-eabi-gcc, newlib), hard-float FPU, no NEON: firmnet's scalar
# kernels. Binaries run under qemu-system-arm on the MPS2 AN386 board with semihosting for I/O.
#   cmake -S . -B build/cortex-m4 -DCMAKE_TOOLCHAIN_FILE=$PWD/toolchains/cortex-m4.cmake
# Builds firmnet's core (no exceptions, no RTTI, no heap, no xsimd) and examples/firmware.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compiler checks must not need a linker script

set(FIRMNET_MCU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${FIRMNET_MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${FIRMNET_MCU_FLAGS} -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
# nano + nosys: newlib's small variant and stub syscalls; firmnet's firmware uses none of them
# for I/O (semihosting calls of its own), and links with the C driver: no libstdc++.a needed.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${FIRMNET_MCU_FLAGS} --specs=nano.specs --specs=nosys.specs -nostartfiles -Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs: qemu-system-arm ... -kernel <elf>; the firmware's exit code comes back through
# semihosting as qemu's exit status.
set(CMAKE_CROSSCOMPILING_EMULATOR
    qemu-system-arm -M mps2-an386 -cpu cortex-m4 -icount shift=0 -nographic -monitor none -serial none
    -semihosting-config enable=on,target=native -kernel)
set(FIRMNET_SIZE_TOOL arm-none-eabi-size)
