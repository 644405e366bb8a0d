// Infinite-time loss and left spectral edge of power-law random features.
#include "scalinglaws/plrf/edges.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"

namespace scalinglaws::plrf {
namespace {

void check_edges(const PowerLawSums& S, int d, const char* what) {
  checks::count_at_least(d, 1, "d");
  if (!(S.v() > d)) throw std::invalid_argument(std::string("v must be > d (") + what + ")");
}

// Root in log-space of the increasing function f: bracket [-60, 5] widened upwards in steps of 5
// (up to 700), then bisection to relative width 1e-15. Returns the midpoint of the bracket.
template <class F>
double bisect_log(F&& f, const char* what) {
  double lo = -60.0, hi = 5.0;
  while (f(hi) < 0.0) {
    hi += 5.0;
    if (hi > 700.0) throw ConvergenceError(std::string(what) + ": no bracket");
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    if (f(mid) < 0.0)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double limit_c(const PowerLawSums& S, int d) {
  check_edges(S, d, "limit loss");
  auto f = [&](double lc) {
    cplx s1, s2;
    S.eval(0, 1.0, -std::exp(-lc), s1, s2);  // sum_j j^-2a / (j^-2a + 1/c)
    return s1.real() - d;
  };
  return std::exp(bisect_log(f, "limit_c"));
}

double limit_loss(const PowerLawSums& S, int ip_target, int d) {
  const double c = limit_c(S, d);
  cplx s1, s2;
  S.eval(ip_target, 1.0, -1.0 / c, s1, s2);
  return s1.real() / c;
}

double lambda_min(const PowerLawSums& S, int ip2, int ip4, int d) {
  check_edges(S, d, "lambda_min");
  auto g = [&](double lt) {
    const double t = std::exp(lt);
    cplx s1, s2;
    S.eval(ip4, -t, 1.0, s1, s2);
    return t * t * s2.real() / d - 1.0;
  };
  const double t = std::exp(bisect_log(g, "lambda_min"));
  cplx s1, s2;
  S.eval(ip2, -t, 1.0, s1, s2);
  return -s1.real() / d - 1.0 / t;
}

}  // namespace scalinglaws::plrf
