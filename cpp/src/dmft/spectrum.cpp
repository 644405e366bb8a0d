#include "scalinglaws/dmft/spectrum.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/plrf/sums.hpp"

namespace scalinglaws::dmft {

void check_spectrum(const Spectrum& sp) {
  checks::non_empty(sp.lam.size(), "lam");
  checks::same_length(sp.wstar2.size(), sp.lam.size(), "wstar2", "lam");
  checks::all_positive(sp.lam.data(), sp.lam.size(), "lam");
  checks::all_non_negative(sp.wstar2.data(), sp.wstar2.size(), "wstar2");
  checks::non_negative(sp.inv_N, "inv_N");
  checks::non_negative(sp.inv_P, "inv_P");
  checks::non_negative(sp.sigma2, "sigma2");
  if (!sp.has_tail()) {
    checks::require(sp.tail_start == 0.0, "tail_start", "must be 0 (no tail) or an integer > 256");
    return;
  }
  checks::require(std::isfinite(sp.tail_start) && sp.tail_start == std::floor(sp.tail_start) &&
                      sp.tail_start > 256.0 && sp.tail_start > static_cast<double>(sp.lam.size()),
                  "tail_start", "must be an integer > max(len(lam), 256)");
  checks::require(std::isfinite(sp.tail_b) && sp.tail_b > 1.0, "tail_b",
                  "must be > 1 (finite trace of the infinite tail)");
  checks::require(std::isfinite(sp.tail_a) && sp.tail_a > 1.0, "tail_a",
                  "must be > 1 (finite loss of the infinite tail)");
  checks::non_negative(sp.tail_scale, "tail_scale");
  if (!sp.tail_sums_)
    sp.tail_sums_ = std::make_shared<const plrf::PowerLawSums>(
        0.5 * sp.tail_b, std::numeric_limits<double>::infinity(),
        std::vector<double>{sp.tail_a, sp.tail_a + sp.tail_b});
}

void tail_sums(const Spectrum& sp, TailPower ip, cplx q, cplx x, cplx& T1, cplx& T2) {
  if (!sp.tail_sums_) check_spectrum(sp);
  sp.tail_sums_->eval_tail(static_cast<int>(ip), x, -q, sp.tail_start, T1, T2);
  if (ip == kTarget || ip == kTarget2) {
    T1 *= sp.tail_scale;
    T2 *= sp.tail_scale;
  }
}

double tail_power_sum(const Spectrum& sp, double p) {
  if (!sp.has_tail()) return 0.0;
  if (!(p > 1.0)) throw std::invalid_argument("tail power sum diverges (p <= 1)");
  // midpoint Euler-Maclaurin from A = tail_start - 1/2:
  //   sum_{k >= s} k^-p = A^(1-p)/(p-1) + g'(A)/24 ... with g = x^-p (relative error ~ (p/A)^5)
  const double A = sp.tail_start - 0.5;
  const double g1 = -p * std::pow(A, -p - 1.0);
  const double g3 = -p * (p + 1.0) * (p + 2.0) * std::pow(A, -p - 3.0);
  return std::pow(A, 1.0 - p) / (p - 1.0) + g1 / 24.0 - 7.0 * g3 / 5760.0;
}

}  // namespace scalinglaws::dmft
