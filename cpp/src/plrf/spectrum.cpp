// Deterministic-equivalent spectrum of power-law random features.
#include "scalinglaws/plrf/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/parallel.hpp"
#include "scalinglaws/plrf/resolvent.hpp"

namespace scalinglaws::plrf {
namespace {

// Cubic (Lagrange) interpolation at t through the points (xs[k], ys[k]), k < np (np <= 4).
double lagrange(const double* xs, const double* ys, int np, double t) {
  double acc = 0.0;
  for (int i = 0; i < np; ++i) {
    double w = 1.0;
    for (int j = 0; j < np; ++j)
      if (j != i) w *= (t - xs[j]) / (xs[i] - xs[j]);
    acc += w * ys[i];
  }
  return acc;
}

// Adaptive sampling of the grid (SpectrumOptions::refine_rtol): solves m on a coarse subgrid,
// bisects intervals whose midpoint the cubic through the nearest solved points mispredicts, and
// fills the unsolved grid points by cubic interpolation of x*density and x*rho_density.
template <class Densities>
void adaptive_densities(const PowerLawSums& S, int d, int ipF, double eta_rel, double rtol,
                        std::ptrdiff_t coarse, int threads, DetSpectrum& out,
                        Densities&& densities) {
  const std::ptrdiff_t n = out.x.size();
  std::vector<char> solved(n, 0);
  VectorC m(n);
  std::vector<std::ptrdiff_t> first;
  for (std::ptrdiff_t i = 0; i < n - 1; i += coarse) first.push_back(i);
  first.push_back(n - 1);
  VectorD xc(static_cast<Eigen::Index>(first.size()));
  for (std::size_t k = 0; k < first.size(); ++k) xc[k] = out.x[first[k]];
  const VectorC mc = solve_m_real_sweep(S, d, xc, eta_rel, threads);
  parallel_for(static_cast<std::ptrdiff_t>(first.size()), threads, [&](std::ptrdiff_t k) {
    m[first[k]] = mc[k];
    densities(first[k], mc[k]);
  });
  for (std::ptrdiff_t i : first) solved[i] = 1;
  // per unit log x: F = x density, G = x rho_density, with their absolute floors
  const double ratio = ipF >= 0 ? S.power(ipF) / (2.0 * S.alpha()) - 1.0 : 0.0;  // beta/alpha
  auto F = [&](std::ptrdiff_t i) { return out.x[i] * out.density[i]; };
  auto G = [&](std::ptrdiff_t i) { return out.x[i] * out.rho_density[i]; };
  // the nearest solved points around [a, b] (at most two on each side, a and b included)
  auto stencil = [&](std::ptrdiff_t a, std::ptrdiff_t b, std::ptrdiff_t* idx) {
    int np = 0;
    std::ptrdiff_t lo = a - 1;
    while (lo >= 0 && !solved[lo]) --lo;
    if (lo >= 0) idx[np++] = lo;
    idx[np++] = a;
    idx[np++] = b;
    std::ptrdiff_t hi = b + 1;
    while (hi < n && !solved[hi]) ++hi;
    if (hi < n) idx[np++] = hi;
    return np;
  };
  auto predict = [&](const std::ptrdiff_t* idx, int np, std::ptrdiff_t c, double& pf, double& pg) {
    double xs[4], yf[4], yg[4];
    for (int k = 0; k < np; ++k) {
      xs[k] = static_cast<double>(idx[k]);
      yf[k] = F(idx[k]);
      yg[k] = G(idx[k]);
    }
    pf = lagrange(xs, yf, np, static_cast<double>(c));
    pg = lagrange(xs, yg, np, static_cast<double>(c));
  };
  std::vector<std::pair<std::ptrdiff_t, std::ptrdiff_t>> level, next;
  for (std::size_t k = 0; k + 1 < first.size(); ++k)
    if (first[k + 1] - first[k] > 1) level.emplace_back(first[k], first[k + 1]);
  while (!level.empty()) {
    const auto nl = static_cast<std::ptrdiff_t>(level.size());
    parallel_for(nl, threads, [&](std::ptrdiff_t k) {
      const std::ptrdiff_t a = level[k].first, b = level[k].second, c = (a + b) / 2;
      m[c] = solve_m_point(S, d, out.x[c], eta_rel, 0.5 * (m[a] + m[b]));
      densities(c, m[c]);
    });
    next.clear();
    std::vector<char> refine(static_cast<std::size_t>(nl), 0);
    // the test uses the solved points of the previous levels only (so it does not depend on the
    // order of the intervals)
    parallel_for(nl, threads, [&](std::ptrdiff_t k) {
      const std::ptrdiff_t a = level[k].first, b = level[k].second, c = (a + b) / 2;
      std::ptrdiff_t idx[4];
      const int np = stencil(a, b, idx);
      double pf, pg;
      predict(idx, np, c, pf, pg);
      const double xc_ = out.x[c];
      const double tf = rtol * std::abs(F(c)) + 1e-9;
      const double tg = rtol * std::abs(G(c)) + 1e-9 * std::pow(xc_, ratio);
      refine[k] = (std::abs(F(c) - pf) > tf || std::abs(G(c) - pg) > tg) ? 1 : 0;
    });
    for (std::ptrdiff_t k = 0; k < nl; ++k) {
      const std::ptrdiff_t a = level[k].first, b = level[k].second, c = (a + b) / 2;
      solved[c] = 1;
      if (refine[k]) {
        if (c - a > 1) next.emplace_back(a, c);
        if (b - c > 1) next.emplace_back(c, b);
      }
    }
    level.swap(next);
  }
  // fill: cubic through the two nearest solved points on each side
  std::vector<std::ptrdiff_t> prev(n), nxt(n);
  std::ptrdiff_t last = -1;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (solved[i]) last = i;
    prev[i] = last;
  }
  last = n;
  for (std::ptrdiff_t i = n - 1; i >= 0; --i) {
    if (solved[i]) last = i;
    nxt[i] = last;
  }
  long count = 0;
  for (std::ptrdiff_t i = 0; i < n; ++i) count += solved[i] ? 1 : 0;
  out.solved = count;
  parallel_for(n, threads, [&](std::ptrdiff_t i) {
    if (solved[i]) return;
    std::ptrdiff_t idx[4];
    int np = 0;
    const std::ptrdiff_t a = prev[i], b = nxt[i];
    if (a > 0 && prev[a - 1] >= 0) idx[np++] = prev[a - 1];
    idx[np++] = a;
    idx[np++] = b;
    if (b + 1 < n && nxt[b + 1] < n) idx[np++] = nxt[b + 1];
    double pf, pg;
    predict(idx, np, i, pf, pg);
    out.density[i] = std::max(0.0, pf / out.x[i]);
    out.rho_density[i] = std::max(0.0, pg / out.x[i]);
  });
}

}  // namespace

DetSpectrum deterministic_spectrum(const PowerLawSums& S, int ip2, int ipF, int d,
                                   const SpectrumOptions& opt) {
  (void)ip2;
  const double x_lo = opt.x_lo, x_hi = opt.x_hi, points_per_bump = opt.points_per_bump;
  const double eta_rel = opt.eta_rel;
  const int threads = opt.threads;
  checks::count_at_least(d, 1, "d");
  checks::threads(threads);
  checks::positive(points_per_bump, "points_per_bump");
  checks::positive(eta_rel, "eta_rel");
  checks::positive(x_lo, "x_lo");
  checks::finite(x_hi, "x_hi");
  if (!(x_lo > 0.0 && x_hi > x_lo)) throw std::invalid_argument("x_lo, x_hi: need 0 < x_lo < x_hi");
  const double delta = std::min(0.02, 4.0 / (std::sqrt(static_cast<double>(d)) * points_per_bump));
  const double L = std::log(x_hi / x_lo);
  const std::ptrdiff_t n = static_cast<std::ptrdiff_t>(std::ceil(L / delta)) + 1;
  DetSpectrum out;
  out.x.resize(n);
  for (std::ptrdiff_t i = 0; i < n; ++i) out.x[i] = x_hi * std::exp(-L * i / (n - 1));
  out.density.resize(n);
  out.rho_density = VectorD::Zero(n);
  // density and rho-density at grid point i from m
  auto densities = [&](std::ptrdiff_t i, cplx mi) {
    const cplx z(out.x[i], eta_rel * out.x[i]);
    out.density[i] = std::max(0.0, d * ((1.0 - mi) / z).imag() / M_PI);
    if (ipF >= 0) {
      cplx s1, s2;
      S.eval(ipF, mi, z, s1, s2);
      out.rho_density[i] = std::max(0.0, (s1 / z).imag() / M_PI);
    }
  };
  constexpr std::ptrdiff_t kCoarse = 64;
  if (!(opt.refine_rtol > 0.0) || n < 4 * kCoarse) {
    VectorC m = solve_m_real_sweep(S, d, out.x, eta_rel, threads);
    parallel_for(n, threads, [&](std::ptrdiff_t i) { densities(i, m[i]); });
    out.solved = static_cast<long>(n);
  } else {
    adaptive_densities(S, d, ipF, eta_rel, opt.refine_rtol, kCoarse, threads, out, densities);
  }
  // cumulative (descending) count and rho-mass, trapezoid in x
  VectorD N(n), R(n);
  N[0] = 0.0;
  R[0] = 0.0;
  double lr = 0.0;
  for (std::ptrdiff_t i = 1; i < n; ++i) {
    const double dx = out.x[i - 1] - out.x[i];
    N[i] = N[i - 1] + 0.5 * dx * (out.density[i - 1] + out.density[i]);
    R[i] = R[i - 1] + 0.5 * dx * (out.rho_density[i - 1] + out.rho_density[i]);
    lr += 0.5 * dx * (out.x[i - 1] * out.rho_density[i - 1] + out.x[i] * out.rho_density[i]);
  }
  out.total_count = N[n - 1];
  out.total_lam_rho = lr;
  if (!(std::abs(out.total_count - d) <= 0.02 * d + 1.0)) {
    std::ostringstream msg;
    msg << "deterministic spectrum lost eigenvalue mass: integrated count " << out.total_count
        << " vs d = " << d << " (grid [" << x_lo << ", " << x_hi << "])";
    throw ConvergenceError(msg.str(), std::abs(out.total_count - d));
  }
  const double scale = d / out.total_count;
  // inverse of the count: x where scale * N = t (log-linear interpolation)
  auto locate = [&](double t, double& xv, double& rv) {
    if (t <= 0.0) {
      xv = out.x[0];
      rv = 0.0;
      return;
    }
    if (t >= scale * N[n - 1]) {
      xv = out.x[n - 1];
      rv = R[n - 1];
      return;
    }
    std::ptrdiff_t i = std::upper_bound(N.data(), N.data() + n, t / scale) - N.data();
    i = std::max<std::ptrdiff_t>(1, std::min(i, n - 1));
    const double n0 = scale * N[i - 1], n1 = scale * N[i];
    const double f = n1 > n0 ? (t - n0) / (n1 - n0) : 0.0;
    xv = std::exp((1.0 - f) * std::log(out.x[i - 1]) + f * std::log(out.x[i]));
    rv = (1.0 - f) * R[i - 1] + f * R[i];
  };
  out.eigenvalues.resize(d);
  out.rho.resize(d);
  double prev_r = 0.0;
  for (int k = 1; k <= d; ++k) {
    double xv, rv;
    locate(k - 0.5, xv, rv);
    out.eigenvalues[k - 1] = xv;
    double xb, rb;
    if (k == d)
      rb = R[n - 1];
    else
      locate(static_cast<double>(k), xb, rb);
    out.rho[k - 1] = rb - prev_r;
    prev_r = rb;
  }
  return out;
}

}  // namespace scalinglaws::plrf
