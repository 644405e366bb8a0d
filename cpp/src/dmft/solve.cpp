#include "scalinglaws/dmft/solve.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::dmft {
namespace {
cplx xval(const Spectrum& sp, cplx S) { return (1.0 - S * sp.inv_P) * (1.0 - S * sp.inv_N); }

std::string describe(cplx q, cplx S, double resid) {
  std::ostringstream os;
  os.precision(6);
  os << "q = " << q.real() << (q.imag() < 0 ? " - " : " + ") << std::abs(q.imag())
     << "i (last S = " << S.real() << (S.imag() < 0 ? " - " : " + ") << std::abs(S.imag())
     << "i, residual |f(S)| = " << resid << ")";
  return os.str();
}

double scale_of(const Spectrum& sp) {
  double s = 0.0;
  for (double l : sp.lam) s += l;
  if (sp.has_tail()) s += tail_power_sum(sp, sp.tail_b);
  return s;
}

// sum_k lambda_k / (q + lambda_k) (the N = P = infinity value of S), head and tail
cplx s_infinite(const Spectrum& sp, cplx q) {
  cplx S = 0.0;
  for (double l : sp.lam) S += l / (q + l);
  if (sp.has_tail()) {
    cplx T1, T2;
    tail_sums(sp, kLam, q, 1.0, T1, T2);
    S += T1;
  }
  return S;
}

}  // namespace

namespace detail {

bool both_infinite(const Spectrum& sp) { return sp.inv_N == 0.0 && sp.inv_P == 0.0; }
bool physical(cplx q, cplx S) {
  const double tol = 1e-10 * (std::abs(S) + 1e-300);
  if (q.imag() > 0) return S.imag() <= tol;
  if (q.imag() < 0) return S.imag() >= -tol;
  return true;
}

// Real q > 0: f(S) is strictly increasing on [0, Smax) with a unique root; safeguarded Newton.
double solve_real_positive(const Spectrum& sp, double q) {
  double Smax = 0.0;
  if (sp.inv_N > 0 && sp.inv_P > 0)
    Smax = std::min(1.0 / sp.inv_N, 1.0 / sp.inv_P);
  else
    Smax = 1.0 / std::max(sp.inv_N, sp.inv_P);
  double lo = 0.0, hi = Smax;
  // initial guess: N,P = inf value, clipped
  double S = sp.has_tail() ? s_infinite(sp, q).real() : 0.0;
  if (!sp.has_tail())
    for (double l : sp.lam) S += l / (q + l);
  S = std::min(S, 0.5 * Smax);
  for (int it = 0; it < 200; ++it) {
    cplx d;
    const cplx f = residual(sp, cplx(q, 0.0), cplx(S, 0.0), &d);
    const double fr = f.real();
    if (fr > 0)
      hi = S;
    else
      lo = S;
    double Sn = S - fr / d.real();
    if (!(Sn > lo && Sn < hi) || !std::isfinite(Sn)) Sn = 0.5 * (lo + hi);
    if (std::abs(Sn - S) <= 1e-15 * std::max(std::abs(S), 1e-300) || hi - lo <= 1e-15 * hi) {
      return Sn;
    }
    S = Sn;
  }
  return S;
}

}  // namespace detail

using detail::both_infinite;
using detail::physical;
using detail::solve_real_positive;
cplx residual(const Spectrum& sp, cplx q, cplx S, cplx* dfdS) {
  const cplx x = xval(sp, S);
  // sums of lambda/(q + lambda x) and lambda/(q + lambda x)^2 in real arithmetic (no __divdc3)
  // four independent partial sums (instruction-level parallelism; fixed order, deterministic)
  double a1r[4] = {0, 0, 0, 0}, a1i[4] = {0, 0, 0, 0}, a2r[4] = {0, 0, 0, 0}, a2i[4] = {0, 0, 0, 0};
  const std::size_t M = sp.lam.size();
  const double qr = q.real(), qi = q.imag(), xr = x.real(), xi = x.imag();
  const double* lam = sp.lam.data();
  std::size_t k = 0;
  for (; k + 4 <= M; k += 4) {
    for (int u = 0; u < 4; ++u) {
      const double l = lam[k + u];
      const double dr = qr + l * xr, di = qi + l * xi;
      const double n = 1.0 / (dr * dr + di * di);
      const double ir = dr * n, ii = -di * n;  // 1/(q + l x)
      a1r[u] += l * ir;
      a1i[u] += l * ii;
      a2r[u] += l * (ir * ir - ii * ii);
      a2i[u] += l * (2.0 * ir * ii);
    }
  }
  for (; k < M; ++k) {
    const double l = lam[k];
    const double dr = qr + l * xr, di = qi + l * xi;
    const double n = 1.0 / (dr * dr + di * di);
    const double ir = dr * n, ii = -di * n;
    a1r[0] += l * ir;
    a1i[0] += l * ii;
    a2r[0] += l * (ir * ir - ii * ii);
    a2i[0] += l * (2.0 * ir * ii);
  }
  const double g1r = (a1r[0] + a1r[1]) + (a1r[2] + a1r[3]);
  const double g1i = (a1i[0] + a1i[1]) + (a1i[2] + a1i[3]);
  const double g2r = (a2r[0] + a2r[1]) + (a2r[2] + a2r[3]);
  const double g2i = (a2i[0] + a2i[1]) + (a2i[2] + a2i[3]);
  cplx G1(g1r, g1i), G2(g2r, g2i);
  if (sp.has_tail()) {
    cplx T1, T2;
    tail_sums(sp, kLam, q, x, T1, T2);
    G1 += T1;
    G2 += T2;
  }
  const cplx g = x * G1;
  if (dfdS) {
    const cplx dg = q * G2;
    const cplx dx = -sp.inv_P * (1.0 - S * sp.inv_N) - sp.inv_N * (1.0 - S * sp.inv_P);
    *dfdS = 1.0 - dg * dx;
  }
  return S - g;
}

bool newton(const Spectrum& sp, cplx q, cplx& S, double& resid, int max_iter) {
  cplx d;
  cplx f = residual(sp, q, S, &d);
  resid = std::abs(f);
  for (int it = 0; it < max_iter; ++it) {
    if (!std::isfinite(resid)) return false;
    cplx step = f / d;
    if (!std::isfinite(step.real()) || !std::isfinite(step.imag())) return false;
    if (std::abs(step) <= 1e-15 * std::abs(S)) {  // converged: the Newton step is round-off
      S -= step;
      return true;
    }
    // backtracking on |f|
    double t = 1.0;
    cplx Sn, fn, dn;
    double rn = 0.0;
    int bt = 0;
    for (; bt < 40; ++bt) {
      Sn = S - t * step;
      fn = residual(sp, q, Sn, &dn);
      rn = std::abs(fn);
      if (std::isfinite(rn) && (rn < resid || rn <= 1e-15 * std::abs(Sn))) break;
      t *= 0.5;
    }
    if (bt == 40) return resid <= 1e-12 * std::max(std::abs(S), 1e-300);
    const double change = std::abs(Sn - S);
    S = Sn;
    f = fn;
    d = dn;
    resid = rn;
    if (t == 1.0 && change <= 1e-14 * std::max(std::abs(S), 1e-300)) return true;
    if (resid == 0.0) return true;
  }
  return resid <= 1e-12 * std::max(std::abs(S), 1e-300);
}

cplx solve(const Spectrum& sp, cplx q) {
  if (both_infinite(sp)) return 0.0;  // x = 1; S is not needed
  if (!std::isfinite(q.real()) || !std::isfinite(q.imag()))
    throw std::invalid_argument("q must be finite");
  if (q.imag() == 0.0 && q.real() > 0.0) return solve_real_positive(sp, q.real());
  if (q.imag() == 0.0)
    throw std::domain_error(
        "q on the non-positive real axis (the branch cut of the spectrum): add a "
        "small imaginary part; " +
        describe(q, 0.0, 0.0));
  // continuation along the ray tau * q from large |q| down to tau = 1
  const double big = 1e3 * (1.0 + scale_of(sp));
  double tau = std::max(1.0, big / std::abs(q));
  cplx S = 0.0;
  if (sp.has_tail())
    S = s_infinite(sp, tau * q);
  else
    for (double l : sp.lam) S += l / (tau * q + l);
  double resid = 0.0;
  if (!newton(sp, tau * q, S, resid))
    throw ConvergenceError(
        "Newton failed at the start of continuation: " + describe(tau * q, S, resid), resid);
  double factor = 0.5;
  while (tau > 1.0) {
    double tn = std::max(1.0, tau * factor);
    cplx Sn = S;
    double rn = 0.0;
    if (newton(sp, tn * q, Sn, rn) && physical(tn * q, Sn)) {
      tau = tn;
      S = Sn;
      resid = rn;
      factor = std::max(factor * factor, 1e-3);  // accelerate
    } else {
      factor = std::sqrt(factor);
      if (factor > 1.0 - 1e-6)
        throw ConvergenceError("continuation stalled: " + describe(tn * q, Sn, rn), rn);
    }
  }
  return S;
}

std::vector<cplx> solve_many(const Spectrum& sp, const std::vector<cplx>& q, int threads) {
  check_spectrum(sp);
  checks::threads(threads);
  checks::non_empty(q.size(), "q");
  for (const cplx& qi : q)
    checks::require(std::isfinite(qi.real()) && std::isfinite(qi.imag()), "q",
                    "must be finite everywhere");
  std::vector<cplx> out(q.size());
  parallel_for(static_cast<std::ptrdiff_t>(q.size()), threads,
               [&](std::ptrdiff_t i) { out[i] = solve(sp, q[i]); });
  return out;
}

}  // namespace scalinglaws::dmft
