// examples/firmware/text.hpp: one line of text built without printf (newlib's printf would link
// its stdio and malloc into the firmware image), written through the platform.
#pragma once

#include <cstddef>

#include "platform.hpp"

class Line {
 public:
  Line& text(const char* s) {
    while (*s && n_ + 1 < sizeof buf_) buf_[n_++] = *s++;
    return *this;
  }
  Line& character(char c) {
    if (n_ + 1 < sizeof buf_) buf_[n_++] = c;
    return *this;
  }
  Line& integer(long v) {
    char digits[24];
    std::size_t d = 0;
    const bool negative = v < 0;
    unsigned long u = negative ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do digits[d++] = static_cast<char>('0' + u % 10); while ((u /= 10) != 0);
    if (negative) digits[d++] = '-';
    while (d > 0 && n_ + 1 < sizeof buf_) buf_[n_++] = digits[--d];
    return *this;
  }
  Line& fixed(float v, int decimals) {  // |v| < 2^31 / 10^decimals
    if (v != v) return text("nan");
    if (v < 0) {
      text("-");
      v = -v;
    }
    long scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const long scaled = static_cast<long>(static_cast<double>(v) * static_cast<double>(scale) + 0.5);
    integer(scaled / scale);
    text(".");
    for (long s = scale / 10, rest = scaled % scale; s > 0; s /= 10) integer(rest / s % 10);
    return *this;
  }
  void print() {
    buf_[n_] = '\n';
    buf_[n_ + 1] = '\0';
    platform::write(buf_);
    n_ = 0;
  }

 private:
  char buf_[160];
  std::size_t n_ = 0;
};


