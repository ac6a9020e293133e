// The firmware apps' platform on bare metal: ARM semihosting (the debugger or QEMU services the
// "bkpt 0xAB" trap). SYS_WRITE0 prints a string; SYS_EXIT_EXTENDED ends the program with an exit
// code that qemu-system-arm returns as its own exit status. SysTick counts instructions (see
// platform.hpp); the linker script (mps2_an386.ld) gives the stack's and the image's bounds.
#include <cstddef>
#include <cstdint>

#include "platform.hpp"

namespace {
constexpr int kSysWrite0 = 0x04;
constexpr int kSysExitExtended = 0x20;
constexpr std::uint32_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit

int semihost(int op, const void* arg) {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
}  // namespace

void platform::write(const char* text) { semihost(kSysWrite0, text); }

void platform::exit(int code) {
  const std::uint32_t block[2] = {kApplicationExit, static_cast<std::uint32_t>(code)};
  semihost(kSysExitExtended, block);
  for (;;) asm volatile("bkpt 0");  // not reached under a semihosting host
}

// --- instructions: SysTick, a 24-bit down-counter of the core clock ---------------------------
namespace {
volatile std::uint32_t* const kSysTickCtrl = reinterpret_cast<volatile std::uint32_t*>(0xE000E010);
volatile std::uint32_t* const kSysTickLoad = reinterpret_cast<volatile std::uint32_t*>(0xE000E014);
volatile std::uint32_t* const kSysTickValue = reinterpret_cast<volatile std::uint32_t*>(0xE000E018);
constexpr std::uint32_t kMask = 0xFFFFFF;
std::uint32_t g_last = 0, g_ticks = 0;            // the 24-bit counter extended to 32 bits
std::uint32_t g_per_tick_x256 = 0;                 // instructions per tick, in 1/256ths

std::uint32_t ticks() {  // must be read at least once per 2^24 ticks (every ~670 M instructions)
  const std::uint32_t now = *kSysTickValue & kMask;
  g_ticks += (g_last - now) & kMask;  // it counts down
  g_last = now;
  return g_ticks;
}
}  // namespace

void platform::calibrate_instructions() {
  *kSysTickLoad = kMask;
  *kSysTickValue = 0;
  *kSysTickCtrl = 0x5;  // enabled, core clock, no interrupt
  g_last = *kSysTickValue & kMask;
  // 2 instructions per round: 2 x 200000 = 400000 instructions, plus a handful around them.
  std::uint32_t rounds = 200000;
  const std::uint32_t t0 = ticks();
  asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(rounds) : : "cc");
  const std::uint32_t spent = ticks() - t0;
  g_per_tick_x256 = spent == 0 ? 0 : static_cast<std::uint32_t>((std::uint64_t(400000) * 256 + spent / 2) / spent);
}
bool platform::counts_instructions() { return g_per_tick_x256 != 0; }
std::uint32_t platform::instructions() {
  return static_cast<std::uint32_t>((std::uint64_t(ticks()) * g_per_tick_x256) >> 8);
}

// --- memory: the stack's high-water mark, and the image --------------------------------------
extern "C" {
extern std::uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern char _stack_size[];  // an absolute symbol: its address is the value
}
namespace {
constexpr std::uint32_t kPaint = 0xC0FFEE42u;
std::uint32_t* stack_bottom() {
  return reinterpret_cast<std::uint32_t*>(reinterpret_cast<std::uintptr_t>(&_estack) -
                                          reinterpret_cast<std::uintptr_t>(_stack_size));
}
}  // namespace

void platform::paint_stack() {
  volatile std::uint32_t here = 0;
  const std::uintptr_t below = reinterpret_cast<std::uintptr_t>(&here) - 256;  // this frame and the next calls
  for (volatile std::uint32_t* p = stack_bottom(); reinterpret_cast<std::uintptr_t>(p) < below; ++p) *p = kPaint;
}
std::size_t platform::stack_used() {
  const std::uint32_t* p = stack_bottom();
  while (p < &_estack && *p == kPaint) ++p;
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(&_estack) - reinterpret_cast<std::uintptr_t>(p));
}
std::size_t platform::static_ram() {
  return static_cast<std::size_t>((&_edata - &_sdata) + (&_ebss - &_sbss)) * 4;
}
std::size_t platform::flash_used() {  // the image ends with the initial values of .data
  return reinterpret_cast<std::uintptr_t>(&_sidata) + static_cast<std::size_t>(&_edata - &_sdata) * 4;
}
