// m(z) of power-law random features by Newton continuation in Im z.
#include "scalinglaws/plrf/resolvent.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::plrf {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
bool finite_c(cplx a) { return std::isfinite(a.real()) && std::isfinite(a.imag()); }

struct NewtonOut {
  cplx m;
  double residual;
  bool converged;
};

NewtonOut newton(const PowerLawSums& S, int d, cplx z, cplx m, int maxit, double tol) {
  cplx s1, s2;
  double res = kInf;
  for (int it = 0; it < maxit; ++it) {
    S.eval(0, m, z, s1, s2);
    const cplx R = m * (1.0 + s1 / static_cast<double>(d)) - 1.0;
    res = std::abs(R);
    // Residual at rounding level: accept (near a band edge G'(m) -> 0 and the Newton step is
    // ill-conditioned although m already solves the equation to machine precision).
    if (res < 1e-13) return {m, res, true};
    const cplx Rp = 1.0 - z * s2 / static_cast<double>(d);
    cplx dm = R / Rp;
    if (!finite_c(dm)) return {m, kInf, false};
    // mild damping against wild steps
    const double lim = 0.5 * (std::abs(m) + 1e-3);
    if (std::abs(dm) > lim) dm *= lim / std::abs(dm);
    m -= dm;
    if (std::abs(dm) <= tol * std::max(std::abs(m), 1e-300) && res < 1e-9) {
      S.eval(0, m, z, s1, s2);
      res = std::abs(m * (1.0 + s1 / static_cast<double>(d)) - 1.0);
      return {m, res, res < 1e-9};
    }
  }
  return {m, res, false};
}

bool valid_branch(cplx m, cplx z) {
  // The physical branch maps the upper half plane into Im m < 0: if Im m <= 0 then every
  // 1/(lambda m - z) has Im > 0, so Im(1 + S/d) > 0 and Im m = Im 1/(1 + S/d) < 0.
  (void)z;
  return m.imag() <= 1e-12 * std::abs(m);
}

NewtonOut continuation(const PowerLawSums& S, int d, double trd, cplx z) {
  const double x = z.real(), eta_t = z.imag();
  double eta = 1e3 * (1.0 + std::abs(x) + trd);
  cplx m = 1.0;
  if (eta <= eta_t) return newton(S, d, z, m, 200, 1e-14);
  double factor = 0.25;
  int failures = 0;
  while (true) {
    const double eta_next = std::max(eta_t, eta * factor);
    const bool last = eta_next <= eta_t;
    NewtonOut o = newton(S, d, cplx(x, eta_next), m, last ? 200 : 40, last ? 1e-14 : 1e-10);
    if (o.converged && valid_branch(o.m, cplx(x, eta_next))) {
      m = o.m;
      eta = eta_next;
      factor = std::max(0.25 * 0.25, std::min(0.25, factor * factor));
      if (last) return o;
    } else {
      factor = std::sqrt(factor);  // shorter continuation step
      if (++failures > 400 || factor > 0.999) return {o.m, o.residual, false};
    }
  }
}

[[noreturn]] void fail(cplx z, double residual) {
  std::ostringstream msg;
  msg << "m(z) Newton continuation failed at z = " << z.real() << " + " << z.imag()
      << "i (residual |m(1 + S/d) - 1| = " << residual << ")";
  throw ConvergenceError(msg.str(), residual);
}

// m at z = x + i eta_rel |x|: Newton from `guess` (when given), else or on failure the full
// continuation (trd = power_sum(2 alpha) / d, computed here when negative).
cplx solve_real_point(const PowerLawSums& S, int d, double x, double eta_rel, const cplx* guess,
                      double trd) {
  const cplx z(x, eta_rel * std::abs(x));
  NewtonOut o{0.0, kInf, false};
  if (guess) o = newton(S, d, z, *guess, 30, 1e-13);
  if (!o.converged || !valid_branch(o.m, z)) {
    if (trd < 0.0) trd = S.power_sum(2.0 * S.alpha()) / d;
    o = continuation(S, d, trd, z);
  }
  if (!o.converged || !finite_c(o.m)) fail(z, o.residual);
  return o.m;
}

}  // namespace

VectorC solve_m(const PowerLawSums& S, int d, const VectorC& z, int threads) {
  checks::count_at_least(d, 1, "d");
  checks::threads(threads);
  checks::non_empty(static_cast<std::size_t>(z.size()), "z");
  checks::require(z.allFinite(), "z", "must be finite everywhere");
  const double trd = S.power_sum(2.0 * S.alpha()) / d;
  VectorC out(z.size());
  parallel_for(z.size(), threads, [&](std::ptrdiff_t i) {
    if (!(z[i].imag() > 0.0)) throw std::invalid_argument("solve_m needs Im z > 0");
    NewtonOut o = continuation(S, d, trd, z[i]);
    if (!o.converged || !finite_c(o.m)) fail(z[i], o.residual);
    out[i] = o.m;
  });
  return out;
}

VectorC solve_m_real_sweep(const PowerLawSums& S, int d, const VectorD& x, double eta_rel,
                           int threads) {
  checks::count_at_least(d, 1, "d");
  checks::threads(threads);
  checks::positive(eta_rel, "eta_rel");
  checks::require(x.allFinite(), "x", "must be finite everywhere");
  const double trd = S.power_sum(2.0 * S.alpha()) / d;
  const std::ptrdiff_t n = x.size();
  VectorC out(n);
  const std::ptrdiff_t chunk = 128;
  const std::ptrdiff_t nchunks = (n + chunk - 1) / chunk;
  parallel_for(nchunks, threads, [&](std::ptrdiff_t c) {
    const std::ptrdiff_t i0 = c * chunk, i1 = std::min(n, i0 + chunk);
    for (std::ptrdiff_t i = i0; i < i1; ++i)  // Newton from the previous point of the chunk
      out[i] = solve_real_point(S, d, x[i], eta_rel, i > i0 ? &out[i - 1] : nullptr, trd);
  });
  return out;
}

cplx solve_m_point(const PowerLawSums& S, int d, double x, double eta_rel, cplx guess) {
  return solve_real_point(S, d, x, eta_rel, &guess, -1.0);
}

}  // namespace scalinglaws::plrf
