// Minimal Cortex-M startup: vector table, FPU enable, .data copy, .bss zero, static constructors,
// main. Symbols come from mps2_an386.ld. No C library start-up code runs (-nostartfiles).
#include <cstdint>

extern "C" {
extern std::uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern void (*__preinit_array_start[])(), (*__preinit_array_end[])();
extern void (*__init_array_start[])(), (*__init_array_end[])();
int main();
[[noreturn]] void Reset_Handler();
[[noreturn]] void Default_Handler() {
  for (;;) asm volatile("bkpt #0");
}
}

extern "C" [[noreturn]] void Reset_Handler() {
#if defined(__ARM_FP)
  // CPACR: full access to CP10/CP11 (the FPU), else the first float instruction faults (NOCP).
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88) |= (0xFu << 20);
  asm volatile("dsb\n isb");
#endif
  const std::uint32_t* src = &_sidata;
  for (std::uint32_t* dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (std::uint32_t* dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  for (auto f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
  main();  // main ends the program through platform::exit
  Default_Handler();
}

using Handler = void (*)();
extern "C" __attribute__((section(".isr_vector"), used)) const Handler g_vectors[16] = {
    reinterpret_cast<Handler>(&_estack),  // initial stack pointer
    Reset_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,  // NMI .. UsageFault
    nullptr, nullptr, nullptr, nullptr,
    Default_Handler, Default_Handler, nullptr, Default_Handler, Default_Handler};  // SVC .. SysTick
