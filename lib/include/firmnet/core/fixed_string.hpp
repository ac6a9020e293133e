// core/fixed_string.hpp: strings built at compile time, for the architecture spec a network type
// derives from its layers ("in:784|fc:128+relu|fc:10") and the parameter names ("w1", "b1").
// FixedString<N> holds N characters and a terminator; + concatenates, number<V>() spells V in
// decimal. Everything is constexpr: a spec costs .rodata, never a constructor.
#pragma once

#include <cstddef>
#include <string_view>

namespace firmnet {

template <std::size_t N>
struct FixedString {
  char chars[N + 1] = {};

  constexpr FixedString() = default;
  constexpr FixedString(const char (&s)[N + 1]) noexcept {  // from a literal, e.g. FixedString("fc:")
    for (std::size_t i = 0; i <= N; ++i) chars[i] = s[i];
  }
  static constexpr std::size_t size() noexcept { return N; }
  constexpr const char* c_str() const noexcept { return chars; }
  constexpr std::string_view view() const noexcept { return {chars, N}; }
  constexpr operator std::string_view() const noexcept { return view(); }
};
template <std::size_t M>
FixedString(const char (&)[M]) -> FixedString<M - 1>;

template <std::size_t A, std::size_t B>
constexpr FixedString<A + B> operator+(const FixedString<A>& a, const FixedString<B>& b) noexcept {
  FixedString<A + B> out;
  for (std::size_t i = 0; i < A; ++i) out.chars[i] = a.chars[i];
  for (std::size_t i = 0; i < B; ++i) out.chars[A + i] = b.chars[i];
  return out;
}
template <std::size_t A, std::size_t M>
constexpr auto operator+(const FixedString<A>& a, const char (&b)[M]) noexcept {
  return a + FixedString<M - 1>(b);
}
template <std::size_t M, std::size_t B>
constexpr auto operator+(const char (&a)[M], const FixedString<B>& b) noexcept {
  return FixedString<M - 1>(a) + b;
}

namespace detail {
constexpr std::size_t decimal_digits(std::size_t v) noexcept {
  std::size_t n = 1;
  while (v >= 10) v /= 10, ++n;
  return n;
}
}  // namespace detail

// V in decimal: number<784>() == "784".
template <std::size_t V>
constexpr FixedString<detail::decimal_digits(V)> number() noexcept {
  FixedString<detail::decimal_digits(V)> out;
  std::size_t v = V;
  for (std::size_t i = detail::decimal_digits(V); i-- > 0; v /= 10) out.chars[i] = static_cast<char>('0' + v % 10);
  return out;
}

// The empty string when Cond is false: e.g. spec tokens' optional parts ("+relu").
template <bool Cond, std::size_t N>
constexpr auto only_if(const FixedString<N>& s) noexcept {
  if constexpr (Cond) return s;
  else return FixedString<0>();
}

}  // namespace firmnet
