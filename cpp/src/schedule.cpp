#include "scalinglaws/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "scalinglaws/checks.hpp"

namespace scalinglaws {

std::int64_t Schedule::end(std::size_t i) const {
  return i + 1 < starts.size() ? starts[i + 1] : std::numeric_limits<std::int64_t>::max();
}

double Schedule::value(std::size_t i, double x) const {
  constexpr double kPi = 3.14159265358979323846;
  switch (shapes[i]) {
    case 0: return a[i];
    case 1: return a[i] + b[i] * x;
    case 2: return a[i] + b[i] * 0.5 * (1.0 + std::cos(kPi * x / c[i]));
    case 3: return a[i] + b[i] * (1.0 - std::sqrt(x / c[i]));
    default: return a[i] + b[i] * std::pow(1.0 + x / c[i], -d[i]);
  }
}

std::size_t Schedule::piece_of(std::int64_t r) const {
  auto it = std::upper_bound(starts.begin(), starts.end(), r);
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - starts.begin() - 1, 0));
}

double Schedule::at(std::int64_t r) const {
  if (empty()) return 1.0;
  const std::size_t i = piece_of(r);
  return value(i, static_cast<double>(r - starts[i]));
}

double Schedule::max_over(std::int64_t steps) const {
  if (empty()) return 1.0;
  double m = 0.0;
  for (std::size_t i = 0; i < pieces() && starts[i] < steps; ++i) {
    const std::int64_t last = std::min(end(i), steps) - 1;
    m = std::max({m, value(i, 0.0), value(i, static_cast<double>(last - starts[i]))});
  }
  return m;
}

void check_schedule(const Schedule& s) {
  const std::size_t n = s.starts.size();
  if (n == 0) return;
  if (s.shapes.size() != n || s.a.size() != n || s.b.size() != n || s.c.size() != n ||
      s.d.size() != n)
    throw std::invalid_argument("schedule: starts, shapes, a, b, c, d differ in length");
  if (s.starts[0] != 0) throw std::invalid_argument("schedule: starts[0] must be 0");
  for (std::size_t i = 1; i < n; ++i)
    if (s.starts[i] <= s.starts[i - 1])
      throw std::invalid_argument("schedule: starts must be strictly increasing");
  for (std::size_t i = 0; i < n; ++i) {
    if (s.shapes[i] < 0 || s.shapes[i] > 4)
      throw std::invalid_argument("schedule: shapes must be in 0..4");
    checks::finite(s.a[i], "schedule a");
    checks::finite(s.b[i], "schedule b");
    if (s.shapes[i] >= 2 && !(s.c[i] > 0.0 && std::isfinite(s.c[i])))
      throw std::invalid_argument("schedule: c must be finite and > 0 for cosine/sqrt/power");
    checks::finite(s.d[i], "schedule d");
  }
}

}  // namespace scalinglaws
