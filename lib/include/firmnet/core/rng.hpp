// core/rng.hpp: a small seeded random generator whose every output is defined by this file,
// so the same seed gives the same weights and the same shuffles on every compiler, library and
// target (std::normal_distribution and std::shuffle are implementation-defined).
// Generator: xoshiro256** (Blackman & Vigna), seeded through splitmix64. The state is four
// integers, so a checkpoint can save and restore it exactly.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace firmnet {

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

  void reseed(std::uint64_t seed) noexcept {
    // splitmix64 spreads any seed (even 0) over the whole state; the state is never all-zero.
    for (auto& word : s_) {
      seed += 0x9E3779B97F4A7C15ull;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      word = z ^ (z >> 31);
    }
  }

  std::uint64_t next_u64() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, bound), bound > 0, without modulo bias (rejection of the short tail).
  std::uint64_t below(std::uint64_t bound) noexcept {
    const std::uint64_t limit = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = next_u64();
      if (r >= limit) return r % bound;
    }
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller (both values used, so two draws give two normals).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 0.0;
    while (u1 <= 0.0) u1 = uniform();  // log(0) is -inf
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586476925 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  // Fisher-Yates shuffle with this generator (identical on every platform).
  template <class It>
  void shuffle(It first, It last) noexcept {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
      const std::uint64_t j = below(i);
      auto tmp = first[i - 1];
      first[i - 1] = first[j];
      first[j] = tmp;
    }
  }

  // Full state, for checkpoints: restoring it continues the exact same sequence.
  struct Snapshot {
    State s;
    double spare;
    bool has_spare;
  };
  Snapshot snapshot() const noexcept { return {s_, spare_, has_spare_}; }
  void restore(const Snapshot& snap) noexcept {
    s_ = snap.s;
    spare_ = snap.spare;
    has_spare_ = snap.has_spare;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  State s_{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace firmnet
