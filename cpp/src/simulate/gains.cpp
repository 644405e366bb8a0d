#include "scalinglaws/simulate/gains.hpp"

#include <cmath>

#include <Eigen/Dense>

#include "scalinglaws/checks.hpp"

namespace scalinglaws {
double heavy_ball_gain(double g, std::int64_t n, double lr, double mu) {
  checks::finite(g, "g");
  checks::count_at_least(n, 0, "n");
  checks::finite(lr, "lr");
  checks::finite(mu, "mu");
  // Coordinate c(n) = hp * gamma(n) with gamma(0) = 0, beta(-1) = 0 and
  //   beta(n) = 1 - g gamma(n) + mu beta(n-1),  gamma(n+1) = gamma(n) + lr beta(n).
  // State x(n) = (gamma(n), beta(n-1), 1): x(n+1) = B x(n) with
  //   B = [[1 - lr g, lr mu, lr], [-g, mu, 1], [0, 0, 1]];  gamma(n) = (B^n)[0][2],
  // by repeated squaring (cost O(log n)).
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity(), B;
  B << 1.0 - lr * g, lr * mu, lr, -g, mu, 1.0, 0.0, 0.0, 1.0;
  for (std::int64_t e = n; e > 0; e >>= 1) {
    if (e & 1) R = R * B;
    if (e > 1) B = B * B;
  }
  return R(0, 2);
}

double continuous_momentum_gain(double g, double t, double beta) {
  checks::finite(g, "g");
  checks::finite(t, "t");
  checks::non_negative(beta, "beta");
  // beta c'' + c' = 1 - g c, c(0) = c'(0) = 0.
  if (t <= 0.0) return 0.0;
  if (4.0 * beta * g <= 0.9) {
    // Overdamped: roots r1 = -2g/(1 + s) (slow), r2 = -(1 + s)/(2 beta) (fast), s = sqrt(1 - 4
    // beta g); c = (r1/g) [expm1(r2 t)/r2 - t phi(r1 t)] / (1 - r1/r2) with phi(x) =
    // expm1(x)/x, written without g or beta in a denominator (exact as beta -> 0 or g -> 0).
    const double s = std::sqrt(1.0 - 4.0 * beta * g);
    const double rho1 = -2.0 / (1.0 + s);  // r1 / g
    const double r1t = rho1 * g * t;
    const double phi = r1t == 0.0 ? 1.0 : std::expm1(r1t) / r1t;
    const double q = 4.0 * beta * g / ((1.0 + s) * (1.0 + s));  // r1 / r2, <= 0.52
    const double inv_r2 = -2.0 * beta / (1.0 + s);
    const double fast = std::expm1(-(1.0 + s) * t / (2.0 * beta)) * inv_r2;  // expm1(r2 t)/r2
    return rho1 * (-t * phi + fast) / (1.0 - q);
  }
  // Near critical and underdamped (beta g > 0.225, so t/beta <= 4.5 g t stays moderate): state
  // (c, c', 1), c(t) = exp(t A)[0][2] with A = [[0, 1, 0], [-g/beta, -1/beta, 1/beta], [0, 0, 0]];
  // scaling and squaring of a Taylor series (||t A / 2^sq|| <= 1/2, 24 terms: below round-off).
  Eigen::Matrix3d A;
  A << 0.0, t, 0.0, -g * t / beta, -t / beta, t / beta, 0.0, 0.0, 0.0;
  const double norm = A.cwiseAbs().rowwise().sum().maxCoeff();
  const int sq = norm > 0.5 ? static_cast<int>(std::ceil(std::log2(norm / 0.5))) : 0;
  A *= std::ldexp(1.0, -sq);
  Eigen::Matrix3d E = Eigen::Matrix3d::Identity(), term = Eigen::Matrix3d::Identity();
  for (int k = 1; k <= 24; ++k) {
    term = (term * A) / static_cast<double>(k);
    E += term;
  }
  for (int r = 0; r < sq; ++r) E = E * E;
  return E(0, 2);
}

}  // namespace scalinglaws
