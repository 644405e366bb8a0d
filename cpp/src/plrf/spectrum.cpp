// Deterministic-equivalent spectrum of power-law random features.
#include "scalinglaws/plrf/spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/parallel.hpp"
#include "scalinglaws/plrf/resolvent.hpp"

namespace scalinglaws::plrf {
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
  VectorC m = solve_m_real_sweep(S, d, out.x, eta_rel, threads);
  out.density.resize(n);
  out.rho_density = VectorD::Zero(n);
  parallel_for(n, threads, [&](std::ptrdiff_t i) {
    const cplx z(out.x[i], eta_rel * out.x[i]);
    out.density[i] = std::max(0.0, d * ((1.0 - m[i]) / z).imag() / M_PI);
    if (ipF >= 0) {
      cplx s1, s2;
      S.eval(ipF, m[i], z, s1, s2);
      out.rho_density[i] = std::max(0.0, (s1 / z).imag() / M_PI);
    }
  });
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
