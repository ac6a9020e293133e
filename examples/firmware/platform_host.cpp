// The smoke test's platform on a hosted build: stdout and exit().
#include <cstdio>
#include <cstdlib>

#include "platform.hpp"

void platform::write(const char* text) { std::fputs(text, stdout); }
void platform::exit(int code) {
  std::fflush(stdout);
  std::exit(code);
}
