// Power-law random features: deterministic-equivalent spectrum and Volterra loss (see plrf.hpp).
#include "scalinglaws/plrf.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/parallel.hpp"

namespace scalinglaws::plrf {
namespace {

const double kGLx[16] = {-0.9894009349916499, -0.9445750230732326, -0.8656312023878318, -0.755404408355003, -0.6178762444026438, -0.45801677765722737, -0.2816035507792589, -0.09501250983763744, 0.09501250983763744, 0.2816035507792589, 0.45801677765722737, 0.6178762444026438, 0.755404408355003, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499};
const double kGLw[16] = {0.027152459411754176, 0.062253523938647456, 0.0951585116824926, 0.12462897125553407, 0.1495959888165767, 0.16915651939500265, 0.18260341504492364, 0.18945061045506864, 0.18945061045506864, 0.18260341504492364, 0.16915651939500265, 0.1495959888165767, 0.12462897125553407, 0.0951585116824926, 0.062253523938647456, 0.027152459411754176};

constexpr long kHead = 256;         // exact head
constexpr long kExactBelow = 512;   // v <= this: every term exact
constexpr long kWindow = 64;        // half-width of the exact window around a near-real pole
constexpr double kPoleStrip = 6.0;  // window used when |Im j*| < this
constexpr double kInf = std::numeric_limits<double>::infinity();

bool finite_c(cplx a) { return std::isfinite(a.real()) && std::isfinite(a.imag()); }

}  // namespace

PowerLawSums::PowerLawSums(double alpha, double v, const std::vector<double>& powers)
    : alpha_(alpha), v_(v), infinite_(std::isinf(v)) {
  if (!(alpha > 0.0) || !std::isfinite(alpha)) throw std::invalid_argument("alpha must be > 0");
  if (!(v >= 1.0)) throw std::invalid_argument("v must be >= 1");
  powers_ = {2.0 * alpha, 4.0 * alpha};
  powers_.insert(powers_.end(), powers.begin(), powers.end());
  if (infinite_) {
    for (double p : powers_)
      if (!(p > 1.0)) throw std::invalid_argument("v = inf needs every summed power > 1 (2 alpha > 1)");
  }
  head_ = (!infinite_ && v <= kExactBelow) ? static_cast<long>(v) : kHead;
  lam_head_.resize(head_);
  w_head_.assign(powers_.size(), std::vector<double>(head_));
  for (long j = 1; j <= head_; ++j) {
    const double lj = std::log(static_cast<double>(j));
    lam_head_[j - 1] = std::exp(-2.0 * alpha * lj);
    for (std::size_t ip = 0; ip < powers_.size(); ++ip)
      w_head_[ip][j - 1] = std::exp(-powers_[ip] * lj);
  }
}

double PowerLawSums::power_sum(double p) const {
  const long h = infinite_ ? 1000 : static_cast<long>(std::min(v_, 1000.0));
  double s = 0.0;
  for (long j = h; j >= 1; --j) s += std::pow(static_cast<double>(j), -p);
  if (!infinite_ && v_ <= h) return s;
  if (infinite_ && !(p > 1.0)) throw std::invalid_argument("power sum diverges (p <= 1, v = inf)");
  const double a = h + 0.5, b = infinite_ ? kInf : v_ + 0.5;
  double integral;
  if (std::abs(p - 1.0) < 1e-14) integral = std::log(b / a);
  else integral = (std::pow(a, 1.0 - p) - (infinite_ ? 0.0 : std::pow(b, 1.0 - p))) / (p - 1.0);
  const double ga = -p * std::pow(a, -p - 1.0), gb = infinite_ ? 0.0 : -p * std::pow(b, -p - 1.0);
  return s + integral - (gb - ga) / 24.0;
}

void PowerLawSums::gl_panel(double p, cplx m, cplx z, double a, double b, cplx& i1,
                            cplx& i2) const {
  const double c = 0.5 * (a + b), r = 0.5 * (b - a);
  cplx s1 = 0.0, s2 = 0.0;
  for (int q = 0; q < 16; ++q) {
    const double x = c + r * kGLx[q];
    const double lx = std::log(x);
    const double w = std::exp(-p * lx);
    const cplx inv = 1.0 / (std::exp(-2.0 * alpha_ * lx) * m - z);
    s1 += kGLw[q] * w * inv;
    s2 += kGLw[q] * w * inv * inv;
  }
  i1 += r * s1;
  i2 += r * s2;
}

void PowerLawSums::adaptive(double p, cplx m, cplx z, cplx pole, double a, double b, int depth,
                            cplx& i1, cplx& i2) const {
  double dist;
  if (pole.real() >= a && pole.real() <= b) dist = std::abs(pole.imag());
  else dist = std::min(std::abs(pole - a), std::abs(pole - b));
  if (depth < 60 && dist < 0.75 * (b - a)) {
    const double mid = 0.5 * (a + b);
    adaptive(p, m, z, pole, a, mid, depth + 1, i1, i2);
    adaptive(p, m, z, pole, mid, b, depth + 1, i1, i2);
    return;
  }
  gl_panel(p, m, z, a, b, i1, i2);
}

void PowerLawSums::series(double p, cplx m, cplx z, double a, double b, cplx& i1,
                          cplx& i2) const {
  // g_k(x) = x^-p (x^-2a m - z)^-k = (-z)^-k sum_n binom(n+k-1, n) (m/z)^n x^-(p + 2 a n)
  const cplx ratio = m / z;
  const cplx mz1 = -1.0 / z;
  cplx pw = 1.0;
  cplx t1 = 0.0, t2 = 0.0;
  const double la = std::log(a), lb = std::isinf(b) ? kInf : std::log(b);
  for (int n = 0; n < 14; ++n) {
    const double q = p + 2.0 * alpha_ * n;
    double I;
    if (std::abs(q - 1.0) < 1e-13) {
      if (std::isinf(b)) throw std::invalid_argument("divergent tail sum (power <= 1 with v = inf)");
      I = lb - la;
    } else if (std::isinf(b)) {
      if (q < 1.0) throw std::invalid_argument("divergent tail sum (power <= 1 with v = inf)");
      I = std::exp((1.0 - q) * la) / (q - 1.0);
    } else {
      I = (std::exp((1.0 - q) * la) - std::exp((1.0 - q) * lb)) / (q - 1.0);
    }
    t1 += pw * I;
    t2 += static_cast<double>(n + 1) * pw * I;
    pw *= ratio;
  }
  i1 += mz1 * t1;
  i2 += mz1 * mz1 * t2;
}

void PowerLawSums::integral(double p, cplx m, cplx z, double a, double b, cplx& i1,
                            cplx& i2) const {
  if (!(b > a)) return;
  const double r = std::abs(m / z);
  const double xas = std::pow(20.0 * r, 1.0 / (2.0 * alpha_));
  const double split = std::isfinite(xas) ? std::max(a, std::min(b, xas)) : b;
  if (split > a) {
    const cplx lr = std::log(m / z) / (2.0 * alpha_);
    const cplx pole = std::exp(lr);
    double lo = a;
    while (lo < split) {
      const double hi = std::min(split, 2.0 * lo);
      adaptive(p, m, z, pole, lo, hi, 0, i1, i2);
      lo = hi;
    }
  }
  if (b > split) series(p, m, z, split, b, i1, i2);
}

void PowerLawSums::range_sum(double p, cplx m, cplx z, double a, double b, cplx& s1,
                             cplx& s2) const {
  // sum_{j=a}^{b} (integers, b may be inf) by midpoint Euler-Maclaurin.
  const double A = a - 0.5, B = b + 0.5;
  integral(p, m, z, A, B, s1, s2);
  auto deriv = [&](double x, cplx& d1, cplx& d2) {
    const double lx = std::log(x);
    const double lam = std::exp(-2.0 * alpha_ * lx);
    const cplx h = lam * m - z;
    const cplx hp = -2.0 * alpha_ * lam / x * m;
    const cplx g1 = std::exp(-p * lx) / h;
    const cplx g2 = g1 / h;
    d1 = g1 * (-p / x - hp / h);
    d2 = g2 * (-p / x - 2.0 * hp / h);
  };
  cplx da1, da2, db1 = 0.0, db2 = 0.0;
  deriv(A, da1, da2);
  if (std::isfinite(B)) deriv(B, db1, db2);
  s1 -= (db1 - da1) / 24.0;
  s2 -= (db2 - da2) / 24.0;
}

void PowerLawSums::eval(int ip, cplx m, cplx z, cplx& s1, cplx& s2) const {
  const double p = powers_[ip];
  const std::vector<double>& w = w_head_[ip];
  cplx a1 = 0.0, a2 = 0.0;
  for (long j = 0; j < head_; ++j) {
    const cplx inv = 1.0 / (lam_head_[j] * m - z);
    a1 += w[j] * inv;
    a2 += w[j] * inv * inv;
  }
  if (infinite_ || v_ > static_cast<double>(head_)) {
    const double a = static_cast<double>(head_ + 1);
    const double vmax = v_;  // may be inf
    double lo = 0.0, hi = -1.0;
    if (z != 0.0 && m != 0.0) {
      const cplx pole = std::exp(std::log(m / z) / (2.0 * alpha_));
      if (std::abs(pole.imag()) < kPoleStrip && pole.real() > a - kWindow &&
          pole.real() < vmax + kWindow) {
        lo = std::max(a, std::floor(pole.real()) - kWindow);
        hi = std::min(vmax, std::ceil(pole.real()) + kWindow);
      }
    }
    if (hi >= lo) {
      for (double j = lo; j <= hi; j += 1.0) {
        const double lj = std::log(j);
        const double wj = std::exp(-p * lj);
        const cplx inv = 1.0 / (std::exp(-2.0 * alpha_ * lj) * m - z);
        a1 += wj * inv;
        a2 += wj * inv * inv;
      }
      if (lo > a) range_sum(p, m, z, a, lo - 1.0, a1, a2);
      if (hi < vmax) range_sum(p, m, z, hi + 1.0, vmax, a1, a2);
    } else {
      range_sum(p, m, z, a, vmax, a1, a2);
    }
  }
  s1 = a1;
  s2 = a2;
}

// ------------------------------------------------------------------------------------ m(z)
namespace {

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
  throw std::runtime_error(msg.str());
}

}  // namespace

VectorC solve_m(const PowerLawSums& S, int d, const VectorC& z, int threads) {
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
  const double trd = S.power_sum(2.0 * S.alpha()) / d;
  const std::ptrdiff_t n = x.size();
  VectorC out(n);
  const std::ptrdiff_t chunk = 128;
  const std::ptrdiff_t nchunks = (n + chunk - 1) / chunk;
  parallel_for(nchunks, threads, [&](std::ptrdiff_t c) {
    const std::ptrdiff_t i0 = c * chunk, i1 = std::min(n, i0 + chunk);
    cplx prev = 0.0;
    bool have = false;
    for (std::ptrdiff_t i = i0; i < i1; ++i) {
      const cplx z(x[i], eta_rel * std::abs(x[i]));
      NewtonOut o{0.0, kInf, false};
      if (have) o = newton(S, d, z, prev, 30, 1e-13);
      if (!o.converged || !valid_branch(o.m, z)) o = continuation(S, d, trd, z);
      if (!o.converged || !finite_c(o.m)) fail(z, o.residual);
      out[i] = o.m;
      prev = o.m;
      have = true;
    }
  });
  return out;
}

// ------------------------------------------------------------------- limit loss, left edge
double limit_c(const PowerLawSums& S, int d) {
  if (!(S.v() > d)) throw std::invalid_argument("limit loss needs v > d");
  auto f = [&](double lc) {
    cplx s1, s2;
    S.eval(0, 1.0, -std::exp(-lc), s1, s2);  // sum_j j^-2a / (j^-2a + 1/c)
    return s1.real() - d;
  };
  double lo = -60.0, hi = 5.0;
  while (f(hi) < 0.0) {
    hi += 5.0;
    if (hi > 700.0) throw std::runtime_error("limit_c: no bracket");
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    if (f(mid) < 0.0) lo = mid; else hi = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

double limit_loss(const PowerLawSums& S, int ip_target, int d) {
  const double c = limit_c(S, d);
  cplx s1, s2;
  S.eval(ip_target, 1.0, -1.0 / c, s1, s2);
  return s1.real() / c;
}

double lambda_min(const PowerLawSums& S, int ip2, int ip4, int d) {
  if (!(S.v() > d)) throw std::invalid_argument("lambda_min needs v > d");
  auto g = [&](double lt) {
    const double t = std::exp(lt);
    cplx s1, s2;
    S.eval(ip4, -t, 1.0, s1, s2);
    return t * t * s2.real() / d - 1.0;
  };
  double lo = -60.0, hi = 5.0;
  while (g(hi) < 0.0) {
    hi += 5.0;
    if (hi > 700.0) throw std::runtime_error("lambda_min: no bracket");
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(hi)); ++it) {
    const double mid = 0.5 * (lo + hi);
    if (g(mid) < 0.0) lo = mid; else hi = mid;
  }
  const double t = std::exp(0.5 * (lo + hi));
  cplx s1, s2;
  S.eval(ip2, -t, 1.0, s1, s2);
  return -s1.real() / d - 1.0 / t;
}

// ------------------------------------------------------------------------------- spectrum
DetSpectrum deterministic_spectrum(const PowerLawSums& S, int ip2, int ipF, int d, double x_lo,
                                   double x_hi, double points_per_bump, double eta_rel,
                                   int threads) {
  (void)ip2;
  if (!(x_lo > 0.0 && x_hi > x_lo)) throw std::invalid_argument("need 0 < x_lo < x_hi");
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
    throw std::runtime_error(msg.str());
  }
  const double scale = d / out.total_count;
  // inverse of the count: x where scale * N = t (log-linear interpolation)
  auto locate = [&](double t, double& xv, double& rv) {
    if (t <= 0.0) { xv = out.x[0]; rv = 0.0; return; }
    if (t >= scale * N[n - 1]) { xv = out.x[n - 1]; rv = R[n - 1]; return; }
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
    if (k == d) rb = R[n - 1]; else locate(static_cast<double>(k), xb, rb);
    out.rho[k - 1] = rb - prev_r;
    prev_r = rb;
  }
  return out;
}

// -------------------------------------------------------------------------------- Volterra
namespace {

// A = sum_{t<n} q^t, Dt = sum_{t<n} t q^t with e = 1 - q > 0 (or >= 0), q = 1 - e.
void geometric_sums(double q, double e, double n, double& qn, double& A, double& Dt) {
  const double lq = std::log1p(-e);
  qn = std::exp(n * lq);
  const double ne = n * e;
  if (ne < 1e-5) {
    // series in e: sum t^k (1-e)^t ~ sum t^k (1 - t e + t(t-1)/2 e^2)
    const double S0 = n, S1 = n * (n - 1) / 2.0, S2 = (n - 1) * n * (2 * n - 1) / 6.0;
    const double S3 = S1 * S1;
    A = S0 - e * S1 + 0.5 * e * e * (S2 - S1);
    Dt = S1 - e * S2 + 0.5 * e * e * (S3 - S2);
    return;
  }
  A = -std::expm1(n * lq) / e;
  Dt = q / e * (A - n * std::exp((n - 1.0) * lq));
}

}  // namespace

VectorD volterra_loss(const VectorD& lam, const VectorD& rho, double p_inf, double gamma, int B,
                      const std::vector<std::int64_t>& checkpoints, std::int64_t exact_steps,
                      double block_rel) {
  const Eigen::Index K = lam.size();
  const double g2 = gamma * gamma * B;
  VectorD e(K), q(K), mk = rho;
  for (Eigen::Index k = 0; k < K; ++k) {
    e[k] = 2.0 * gamma * B * lam[k] - gamma * gamma * B * (B + 1.0) * lam[k] * lam[k];
    q[k] = 1.0 - e[k];
  }
  auto loss = [&]() { return p_inf + lam.dot(mk); };
  VectorD out(checkpoints.size());
  std::size_t ci = 0;
  std::int64_t r = 0;
  double P = loss();
  while (ci < checkpoints.size() && checkpoints[ci] == 0) out[ci++] = P;
  const std::int64_t last = checkpoints.empty() ? 0 : checkpoints.back();
  while (r < last) {
    const std::int64_t next_cp = checkpoints[ci];
    std::int64_t n = 1;
    if (r >= exact_steps) n = std::max<std::int64_t>(1, static_cast<std::int64_t>(block_rel * r));
    n = std::min(n, next_cp - r);
    if (n == 1) {
      for (Eigen::Index k = 0; k < K; ++k) mk[k] = q[k] * mk[k] + g2 * lam[k] * P;
    } else {
      // m(r+n) = q^n m + g2 lam [ (A - C) P0 + C P1 ],  C = sum_s (s/n) q^(n-1-s)
      const double nn = static_cast<double>(n);
      double base = p_inf, coef = 0.0;
      VectorD qn(K), AC(K), C(K);
      for (Eigen::Index k = 0; k < K; ++k) {
        double qnk, A, Dt;
        geometric_sums(q[k], e[k], nn, qnk, A, Dt);
        const double Ck = ((nn - 1.0) * A - Dt) / nn;
        qn[k] = qnk;
        C[k] = Ck;
        AC[k] = A - Ck;
        base += lam[k] * (qnk * mk[k] + g2 * lam[k] * AC[k] * P);
        coef += g2 * lam[k] * lam[k] * Ck;
      }
      const double P1 = base / (1.0 - coef);
      for (Eigen::Index k = 0; k < K; ++k)
        mk[k] = qn[k] * mk[k] + g2 * lam[k] * (AC[k] * P + C[k] * P1);
    }
    r += n;
    P = loss();
    if (!std::isfinite(P)) throw std::runtime_error("Volterra recursion produced a non-finite loss");
    while (ci < checkpoints.size() && checkpoints[ci] == r) out[ci++] = P;
  }
  return out;
}

void forcing_kernel(const VectorD& lam, const VectorD& rho, double gamma, int B,
                    const std::vector<double>& steps, VectorD& F, VectorD& K, int threads) {
  const Eigen::Index n = lam.size();
  VectorD lq(n);
  for (Eigen::Index k = 0; k < n; ++k)
    lq[k] = std::log1p(-(2.0 * gamma * B * lam[k] - gamma * gamma * B * (B + 1.0) * lam[k] * lam[k]));
  F.resize(steps.size());
  K.resize(steps.size());
  parallel_for(static_cast<std::ptrdiff_t>(steps.size()), threads, [&](std::ptrdiff_t i) {
    double f = 0.0, kk = 0.0;
    for (Eigen::Index k = 0; k < n; ++k) {
      const double qr = std::exp(steps[i] * lq[k]);
      f += lam[k] * rho[k] * qr;
      kk += lam[k] * lam[k] * qr;
    }
    F[i] = f;
    K[i] = gamma * gamma * B * kk;
  });
}

}  // namespace scalinglaws::plrf
