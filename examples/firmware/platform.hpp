// examples/firmware/platform.hpp: what the firmware apps need from their platform: text out, an
// exit code, and the measurements a firmware author wants, where the platform can take them.
// platform_host.cpp implements them with stdio (and measures nothing); platform_semihosting.cpp
// with ARM semihosting calls (no newlib stdio, so nothing pulls malloc into the image), SysTick
// and the linker script's symbols.
#pragma once

#include <cstddef>
#include <cstdint>

namespace platform {
void write(const char* text);
[[noreturn]] void exit(int code);

// Executed instructions. The Cortex-M4 build reads SysTick, which counts the core clock; under
// qemu-system-arm -icount shift=0 each instruction advances the virtual clock by 1 ns, so ticks
// convert to instructions by a factor that calibrate_instructions() measures on a loop of known
// length (40 on the MPS2's 25 MHz clock). counts_instructions() is false where nothing is counted
// (hosted builds, or a calibration that found no clock).
void calibrate_instructions();
bool counts_instructions();
std::uint32_t instructions();  // a running count; differences of under 400 M instructions are exact to one tick

// The stack's high-water mark: paint_stack() fills the unused stack below the caller with a
// pattern; stack_used() is how many bytes below the top of the stack were overwritten since.
// 0 where not measured (hosted builds).
void paint_stack();
std::size_t stack_used();
// The image: RAM for data + bss, flash for text + rodata + the initial values of data (0 hosted).
std::size_t static_ram();
std::size_t flash_used();
}  // namespace platform
