#include "scalinglaws/rng.hpp"

#include "scalinglaws/checks.hpp"

namespace scalinglaws {

Vector normal_samples(std::uint64_t seed, std::int64_t n) {
  checks::count_at_least(n, 0, "n");
  Rng rng(seed, Stream::kTest, 0);
  Vector x(n);
  for (std::int64_t i = 0; i < n; ++i) x[i] = rng.normal();
  return x;
}

}  // namespace scalinglaws
