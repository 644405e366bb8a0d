// Sums over the power-law spectrum (see plrf/sums.hpp for the quadrature and its error bounds).
#include "scalinglaws/plrf/sums.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace scalinglaws::plrf {
namespace {
const double kGLx[16] = {
    -0.9894009349916499, -0.9445750230732326,  -0.8656312023878318, -0.755404408355003,
    -0.6178762444026438, -0.45801677765722737, -0.2816035507792589, -0.09501250983763744,
    0.09501250983763744, 0.2816035507792589,   0.45801677765722737, 0.6178762444026438,
    0.755404408355003,   0.8656312023878318,   0.9445750230732326,  0.9894009349916499};
const double kGLw[16] = {
    0.027152459411754176, 0.062253523938647456, 0.0951585116824926,   0.12462897125553407,
    0.1495959888165767,   0.16915651939500265,  0.18260341504492364,  0.18945061045506864,
    0.18945061045506864,  0.18260341504492364,  0.16915651939500265,  0.1495959888165767,
    0.12462897125553407,  0.0951585116824926,   0.062253523938647456, 0.027152459411754176};

constexpr long kHead = 256;         // exact head
constexpr long kExactBelow = 512;   // v <= this: every term exact
constexpr long kWindow = 64;        // half-width of the exact window around a near-real pole
constexpr double kPoleStrip = 6.0;  // window used when |Im j*| < this
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace
PowerLawSums::PowerLawSums(double alpha, double v, const std::vector<double>& powers)
    : alpha_(alpha), v_(v), infinite_(std::isinf(v)) {
  if (!(alpha > 0.0) || !std::isfinite(alpha)) throw std::invalid_argument("alpha must be > 0");
  if (!(v >= 1.0)) throw std::invalid_argument("v must be >= 1");
  powers_ = {2.0 * alpha, 4.0 * alpha};
  for (double p : powers)
    if (!std::isfinite(p)) throw std::invalid_argument("beta (summed power) must be finite");
  powers_.insert(powers_.end(), powers.begin(), powers.end());
  if (infinite_) {
    for (double p : powers_)
      if (!(p > 1.0))
        throw std::invalid_argument("v = inf needs every summed power > 1 (2 alpha > 1)");
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
  if (std::abs(p - 1.0) < 1e-14)
    integral = std::log(b / a);
  else
    integral = (std::pow(a, 1.0 - p) - (infinite_ ? 0.0 : std::pow(b, 1.0 - p))) / (p - 1.0);
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
  if (pole.real() >= a && pole.real() <= b)
    dist = std::abs(pole.imag());
  else
    dist = std::min(std::abs(pole - a), std::abs(pole - b));
  if (depth < 60 && dist < 0.75 * (b - a)) {
    const double mid = 0.5 * (a + b);
    adaptive(p, m, z, pole, a, mid, depth + 1, i1, i2);
    adaptive(p, m, z, pole, mid, b, depth + 1, i1, i2);
    return;
  }
  gl_panel(p, m, z, a, b, i1, i2);
}

void PowerLawSums::series(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const {
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
      if (std::isinf(b))
        throw std::invalid_argument("divergent tail sum (power <= 1 with v = inf)");
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
  const std::vector<double>& w = w_head_[ip];
  cplx a1 = 0.0, a2 = 0.0;
  for (long j = 0; j < head_; ++j) {
    const cplx inv = 1.0 / (lam_head_[j] * m - z);
    a1 += w[j] * inv;
    a2 += w[j] * inv * inv;
  }
  if (infinite_ || v_ > static_cast<double>(head_)) {
    add_tail(powers_[ip], m, z, static_cast<double>(head_ + 1), a1, a2);
  }
  s1 = a1;
  s2 = a2;
}

void PowerLawSums::eval_tail(int ip, cplx m, cplx z, double from, cplx& s1, cplx& s2) const {
  if (!(from >= 1.0) || from != std::floor(from))
    throw std::invalid_argument("eval_tail: from must be an integer >= 1");
  s1 = s2 = 0.0;
  if (from <= v_) add_tail(powers_[ip], m, z, from, s1, s2);
}

void PowerLawSums::add_tail(double p, cplx m, cplx z, double a, cplx& a1, cplx& a2) const {
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

}  // namespace scalinglaws::plrf
