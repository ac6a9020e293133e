// examples/firmware/platform.hpp: the two things the smoke test needs from its platform, text
// out and an exit code. platform_host.cpp implements them with stdio, platform_semihosting.cpp
// with ARM semihosting calls (no newlib stdio, so nothing pulls malloc into the image).
#pragma once

namespace platform {
void write(const char* text);
[[noreturn]] void exit(int code);
}  // namespace platform
