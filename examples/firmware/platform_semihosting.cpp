// The smoke test's platform on bare metal: ARM semihosting (the debugger or QEMU services the
// "bkpt 0xAB" trap). SYS_WRITE0 prints a string; SYS_EXIT_EXTENDED ends the program with an exit
// code that qemu-system-arm returns as its own exit status.
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
