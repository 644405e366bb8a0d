// Closed-form per-eigenvalue gains of full-batch GD, heavy-ball GD and continuous momentum from
// w = 0: the coordinate of the weights along a Gram eigenvector is hp * gain (hp the projected
// label correlation).
#pragma once

#include <cmath>
#include <cstdint>

namespace scalinglaws {

// c_i(t) / h'_i for GD from w = 0: (1 - (1 - lr g)^n) / g, or (1 - exp(-g t)) / g for flow.
inline double gd_gain(double g, double t, double lr, bool flow) {
  if (flow) {
    if (g <= 0.0) return t;
    return -std::expm1(-g * t) / g;
  }
  if (g <= 0.0) return lr * t;
  const double x = lr * g;
  if (x < 1.0) return -std::expm1(t * std::log1p(-x)) / g;
  return (1.0 - std::pow(1.0 - x, t)) / g;
}

// Heavy ball (momentum mu > 0): with the gradient g(n) = (1/P) Phi^T (y - Phi w(n)),
// b(n) = g(n) + mu b(n-1), b(-1) = 0, w(n+1) = w(n) + lr b(n), w(0) = 0. In the eigenbasis of the
// Gram matrix each coordinate follows a 3x3 affine recurrence whose n-th power is taken by
// repeated squaring (exact, O(log n)). mu = 0 runs the plain-GD code path unchanged.
double heavy_ball_gain(double g, std::int64_t n, double lr, double mu);

// Continuous momentum (gradient flow with beta > 0): beta w'' + w' = (1/P) Phi^T (y - Phi w),
// w(0) = w'(0) = 0. Per Gram eigenvalue g the coordinate is hp * gamma(t) with
// beta gamma'' + gamma' + g gamma = 1, gamma(0) = gamma'(0) = 0, computed as
// expm(A t)[0][2] of the 3x3 A = [[0, 1, 0], [-g/beta, -1/beta, 1/beta], [0, 0, 0]]
// (Taylor series with scaling and squaring; no cancellation at g -> 0 or critical damping).
double continuous_momentum_gain(double g, double t, double beta);

}  // namespace scalinglaws
