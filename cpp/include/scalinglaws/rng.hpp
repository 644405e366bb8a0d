// Counter-keyed random streams: xoshiro256++ seeded through splitmix64, and a ziggurat normal
// sampler (Marsaglia & Tsang 2000, 256 layers, double precision).
//
// Every random quantity in scalinglaws is drawn from a stream keyed by (seed, tag, index), where
// `index` is a fixed block or row number. Work may be split across any number of threads without
// changing a single draw: results are a pure function of the seed.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Stream tags: one per kind of random object, so that streams never overlap.
enum class Stream : std::uint64_t {
  kProjection = 1,  // projection matrix F (A / sqrt(N), or W^T)
  kFeatures = 2,    // training inputs Psi
  kLabelNoise = 3,  // label noise eps
  kSgd = 4,         // one-pass SGD samples
  kTest = 5,        // tests and diagnostics
};

class Rng {
 public:
  Rng(std::uint64_t seed, Stream tag, std::uint64_t index) {
    std::uint64_t sm = seed;
    std::uint64_t k1 = splitmix64(sm);
    sm = k1 ^ (static_cast<std::uint64_t>(tag) * 0xD1B54A32D192ED03ULL);
    std::uint64_t k2 = splitmix64(sm);
    sm = k2 ^ (index * 0xABC98388FB8FAC03ULL + 0x8CB92BA72F3D8DD7ULL);
    for (auto& s : s_) s = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1].
  double uniform_pos() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }

  double normal();

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_;
};

namespace detail {
struct ZigguratTables {
  static constexpr int kLayers = 256;
  static constexpr double kR = 3.6541528853610088;  // start of the tail
  static constexpr double kV = 0.00492867323399;    // area of each layer
  double x[kLayers + 1];
  double f[kLayers + 1];
  ZigguratTables() {
    auto pdf = [](double v) { return std::exp(-0.5 * v * v); };
    x[0] = kV / pdf(kR);
    x[1] = kR;
    for (int i = 1; i < kLayers - 1; ++i)
      x[i + 1] = std::sqrt(-2.0 * std::log(kV / x[i] + pdf(x[i])));
    x[kLayers] = 0.0;
    for (int i = 0; i <= kLayers; ++i) f[i] = pdf(x[i]);
  }
};
inline const ZigguratTables& ziggurat_tables() {
  static const ZigguratTables tables;
  return tables;
}
}  // namespace detail

inline double Rng::normal() {
  const auto& z = detail::ziggurat_tables();
  for (;;) {
    const std::uint64_t r = next();
    const int i = static_cast<int>(r & 0xFF);
    const double u = 2.0 * (static_cast<double>(r >> 11) * 0x1.0p-53) - 1.0;  // (-1, 1)
    const double x = u * z.x[i];
    if (std::fabs(x) < z.x[i + 1]) return x;
    if (i == 0) {  // tail beyond kR (Marsaglia 1964)
      double xt, yt;
      do {
        xt = -std::log(uniform_pos()) / detail::ZigguratTables::kR;
        yt = -std::log(uniform_pos());
      } while (2.0 * yt < xt * xt);
      return u > 0 ? detail::ZigguratTables::kR + xt : -(detail::ZigguratTables::kR + xt);
    }
    // wedge between layer i and i+1
    const double y = z.f[i] + uniform() * (z.f[i + 1] - z.f[i]);
    if (y < std::exp(-0.5 * x * x)) return x;
  }
}

// n >= 0 standard normal samples from stream (seed, kTest, 0); for tests of the generator.
Vector normal_samples(std::uint64_t seed, std::int64_t n);

}  // namespace scalinglaws
