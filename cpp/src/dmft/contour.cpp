#include "scalinglaws/dmft/contour.hpp"

#include <cmath>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/dmft/solve.hpp"
#include "scalinglaws/errors.hpp"

namespace scalinglaws::dmft {
namespace {

constexpr double kPi = 3.14159265358979323846;

}  // namespace

using detail::both_infinite;
using detail::physical;
using detail::solve_real_positive;

void check_curve(const std::vector<double>& times, const CurveOptions& opt) {
  checks::count_at_least(opt.nodes, 1, "nodes");
  checks::threads(opt.threads);
  if (!opt.flow) checks::positive(opt.lr, "lr");
  checks::non_empty(times.size(), "times");
  checks::all_positive(times.data(), times.size(), "times");
  if (opt.schedule_lr.empty()) return;
  // schedules: the options once per call (make_schedule_contour runs once per time)
  if (opt.flow || opt.momentum != 0.0)
    throw std::invalid_argument("schedule_lr is for discrete GD without momentum");
  if (opt.schedule_steps.size() != opt.schedule_lr.size())
    throw std::invalid_argument("schedule_lr and schedule_steps must have the same length");
  for (std::size_t k = 0; k < opt.schedule_lr.size(); ++k) {
    const double l = opt.schedule_lr[k], m = opt.schedule_steps[k];
    if (!(std::isfinite(l) && l >= 0.0 && l <= opt.lr * (1.0 + 1e-12)))
      throw std::invalid_argument("schedule_lr must lie in [0, lr] (lr = the peak rate)");
    if (!(std::isfinite(m) && m >= 0.0 && m == std::round(m)))
      throw std::invalid_argument("schedule_steps must be whole numbers >= 0");
  }
}
namespace {

// Fixed-Talbot node j of K: s = r theta (cot theta + i), weight c = (r/2K)(1 + i sigma(theta))
void talbot_node(int j, int K, double r, cplx& s, cplx& cw) {
  const double th = kPi * j / K;
  if (j == 0) {
    s = r;
    cw = r / (2.0 * K);
    return;
  }
  const double cot = std::cos(th) / std::sin(th);
  s = cplx(r * th * cot, r * th);
  const double sig = th / (std::sin(th) * std::sin(th)) - cot;
  cw = (r / (2.0 * K)) * cplx(1.0, sig);
}

}  // namespace

bool has_second_petal(double time, const CurveOptions& opt) {
  if (opt.flow || opt.momentum != 0.0 || !(opt.lr * opt.u_max > 1.0)) return false;
  // the singularities at z < 0 contribute ~ |z_min|^n to the transforms: drop the petal once
  // that is below 1e-30
  return time * std::log(opt.lr * opt.u_max - 1.0) > -70.0;
}

namespace {

// Schedules: the contour of make_contour with the polynomial transfer g(-q) in place of z^n.
Contour make_schedule_contour(double time, const CurveOptions& opt) {
  const int K = opt.nodes;
  const std::size_t nseg = opt.schedule_lr.size();
  // the first n = time steps: (rate, count) pairs and the effective step count (the options
  // were checked once by check_curve)
  std::vector<double> lrs, cnt;
  double left = std::round(time), tau = 0.0;
  for (std::size_t k = 0; k < nseg && left > 0; ++k) {
    const double l = opt.schedule_lr[k], m = opt.schedule_steps[k];
    const double used = std::min(m, left);
    if (used > 0 && l > 0) {
      lrs.push_back(l);
      cnt.push_back(used);
      tau += l * used / opt.lr;
    }
    left -= used;
  }
  if (left > 0) throw std::invalid_argument("the schedule has fewer steps than the time asked");
  if (!(tau > 0.0))
    throw std::invalid_argument("the schedule's rates are all zero up to this time");
  const double r = 2.0 * K / (5.0 * tau);
  const bool petal2 = opt.lr * opt.u_max > 1.0;
  if (r >= (petal2 ? 0.5 : 0.9))
    throw std::invalid_argument(
        "the scheduled GD contour needs an effective step count sum(lr_k n_k)/lr of at least "
        "0.8 * nodes (0.45 * nodes with one petal)");
  Contour c;
  const int petals = petal2 ? 2 : 1;
  for (int pt = 0; pt < petals; ++pt) {
    if (pt == 1) c.start.push_back(K);
    for (int j = 0; j < K; ++j) {
      cplx s, cw;
      talbot_node(j, K, r, s, cw);
      cplx z, zm1;
      if (pt == 0) {
        const double a = s.real(), b = s.imag();
        const double sb = std::sin(0.5 * b);
        z = std::exp(s);
        zm1 = cplx(std::expm1(a) * std::cos(b) - 2.0 * sb * sb, std::exp(a) * std::sin(b));
      } else {
        z = -std::exp(s);
        zm1 = z - 1.0;
      }
      // log g = sum_k n_k log(1 + (lr_k/lr)(z - 1)); exp of it is exact for whole n_k
      cplx lg = 0.0;
      for (std::size_t k = 0; k < lrs.size(); ++k)
        lg += cnt[k] * std::log(1.0 + (lrs[k] / opt.lr) * zm1);
      c.q.push_back(zm1 / opt.lr);
      c.w.push_back(cw * std::exp(lg) * z / opt.lr);
    }
  }
  return c;
}

}  // namespace

Contour make_contour(double time, const CurveOptions& opt) {
  if (!opt.schedule_lr.empty()) return make_schedule_contour(time, opt);
  const int K = opt.nodes;
  Contour c;
  c.q.resize(K);
  c.w.resize(K);
  const double tau = time;  // flow: t; GD: step count n
  const double r = 2.0 * K / (5.0 * tau);
  if (!std::isfinite(opt.momentum) || opt.momentum < 0.0 || (!opt.flow && opt.momentum >= 1.0))
    throw std::invalid_argument("momentum must be in [0, 1) for GD (heavy ball) and >= 0 for flow");
  if (!opt.flow && r >= 0.9)
    throw std::invalid_argument("GD contour needs at least 0.45 * nodes steps");
  if (!std::isfinite(opt.u_max) || opt.u_max < 0.0)
    throw std::invalid_argument("u_max must be finite and >= 0");
  const bool petal2 = has_second_petal(time, opt);
  if (petal2 && r >= 0.5)
    throw std::invalid_argument("the two-petal GD contour needs at least 0.8 * nodes steps");
  for (int j = 0; j < K; ++j) {
    cplx s, cw;
    talbot_node(j, K, r, s, cw);
    const cplx e = std::exp(s * tau);
    const double mom = opt.momentum;
    if (opt.flow) {
      if (mom == 0.0) {
        c.q[j] = s;
        c.w[j] = cw * e;
      } else {
        // continuous momentum: q = s + beta s^2, initial-condition factor phi = 1 + beta s
        c.q[j] = s * (1.0 + mom * s);
        c.w[j] = cw * e * (1.0 + mom * s);
      }
    } else {
      // z - 1 = e^s - 1 computed without cancellation
      const double a = s.real(), b = s.imag();
      const double sb = std::sin(0.5 * b);
      const cplx em1(std::expm1(a) * std::cos(b) - 2.0 * sb * sb, std::exp(a) * std::sin(b));
      if (mom == 0.0) {
        // q = (z - 1)/eta; phi = z/eta
        c.q[j] = em1 / opt.lr;
        c.w[j] = cw * e * std::exp(s) / opt.lr;
      } else {
        // heavy ball: q = (z - 1)(1 - mu/z)/eta; phi = (z - mu)/eta
        const cplx z = std::exp(s);
        c.q[j] = em1 * (1.0 - mom * std::exp(-s)) / opt.lr;
        c.w[j] = cw * e * (z - mom) / opt.lr;
      }
    }
  }
  if (petal2) {
    // z = -e^s: q = (z - 1)/eta, weight c (-1)^n e^(n s) z/eta (dz/z = ds)
    const double sign = std::fmod(std::round(tau), 2.0) == 0.0 ? 1.0 : -1.0;
    c.start.push_back(K);
    for (int j = 0; j < K; ++j) {
      cplx s, cw;
      talbot_node(j, K, r, s, cw);
      const cplx z = -std::exp(s);
      c.q.push_back((z - 1.0) / opt.lr);
      c.w.push_back(cw * (sign * std::exp(s * tau)) * z / opt.lr);
    }
  }
  return c;
}

std::vector<cplx> solve_contour(const Spectrum& sp, const Contour& c,
                                const std::vector<cplx>* guess) {
  const std::vector<cplx>& q = c.q;
  std::vector<cplx> S(q.size(), 0.0);
  if (both_infinite(sp)) return S;
  std::vector<char> done(q.size(), 0);
  if (guess && guess->size() == q.size()) {
    for (std::size_t j = 0; j < q.size(); ++j) {
      cplx Sg = (*guess)[j];
      double resid = 0.0;
      if (newton(sp, q[j], Sg, resid, 20) && physical(q[j], Sg)) {
        if (c.is_real(j)) Sg = cplx(Sg.real(), 0.0);
        S[j] = Sg;
        done[j] = 1;
      }
    }
  }
  for (int j0 : c.start) {
    if (done[j0]) continue;
    const cplx q0 = q[j0];
    if (q0.imag() == 0.0 && q0.real() > 0) {
      S[j0] = cplx(solve_real_positive(sp, q0.real()), 0.0);
    } else if (q0.imag() == 0.0) {
      // left of the spectrum (q < -u_max): S is real there; Newton from just above the axis
      cplx Sr = solve(sp, cplx(q0.real(), 1e-6 * std::abs(q0.real())));
      double resid = 0.0;
      if (!newton(sp, q0, Sr, resid))
        throw ConvergenceError("S(q) at the real node of the second GD petal: Newton failed",
                               resid);
      S[j0] = cplx(Sr.real(), 0.0);
    } else {
      S[j0] = solve(sp, q0);
    }
  }
  for (std::size_t j = 1; j < q.size(); ++j) {
    if (done[j] || c.is_real(j)) continue;
    cplx Sc = S[j - 1];
    cplx qprev = q[j - 1];
    // substeps along the straight segment (it stays in the upper half plane)
    int parts = 1;
    for (;;) {
      bool ok = true;
      cplx Sw = Sc;
      double resid = 0.0;
      for (int p = 1; p <= parts; ++p) {
        const cplx qq = qprev + (q[j] - qprev) * (double(p) / parts);
        if (!newton(sp, qq, Sw, resid) || !physical(qq, Sw)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        S[j] = Sw;
        break;
      }
      parts *= 2;
      if (parts > 4096) {
        // last resort: independent continuation from infinity
        S[j] = solve(sp, q[j]);
        break;
      }
    }
  }
  return S;
}

}  // namespace scalinglaws::dmft
