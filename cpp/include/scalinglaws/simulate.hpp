// Finite-width simulation of the Gaussian linear random-feature model shared by both papers.
//
// Internal convention (one object for both papers, see python/scalinglaws/problem.py):
//   features psi ~ N(0, diag(lam)) in R^M, target y = w*.psi + sigma*eps,
//   projected features phi = F psi in R^N with F_ik ~ N(0, 1/N) iid
//     (Bordelon et al.: F = A / sqrt(N); Paquette et al.: F = W^T, N = d, M = v),
//   predictor f = w.phi, population (test) loss without the 1/2 and without the label noise:
//     L(w) = sum_k lam_k (w*_k - (F^T w)_k)^2 = c0 - 2 w.q + w^T Sigma w,
//   with Sigma = F diag(lam) F^T, q = F diag(lam) w*, c0 = sum_k lam_k w*_k^2.
// Full-batch GD on P samples: w <- w + (lr/P) Phi^T (y - Phi w), from w = 0 (this is GD with step
// lr/2 on the MSE (1/P)||y - Phi w||^2, Bordelon et al. eq. 22 with t = lr * steps).
// Train loss: (1/P)||y - Phi w||^2 (noisy labels, no 1/2).
#pragma once

#include <cstdint>
#include <vector>

#include "scalinglaws/linalg.hpp"

namespace scalinglaws {

struct ProblemSpec {
  std::vector<double> lam;    // feature covariance spectrum lambda_k, k = 1..M (all > 0)
  std::vector<double> wstar;  // target coefficients w*_k
  int N = 0;                  // number of projected features (model size)
  double sigma = 0.0;         // label-noise standard deviation
  int M() const { return static_cast<int>(lam.size()); }
};

// One draw of the projection (E independent members stacked, EN x M) and of P training samples.
struct Draw {
  Matrix phi;        // P x EN projected training features
  Vector y;          // P noisy labels
  Matrix sigma_mat;  // EN x EN, F diag(lam) F^T (population covariance of phi)
  Vector q;          // EN, F diag(lam) w*
  double c0 = 0.0;   // sum_k lam_k w*_k^2
  Matrix F;          // EN x M, only when materialised (explicit = true)
  Matrix psi;        // P x M, only when materialised
  Vector noise;      // P, only when materialised
};

// Draws the projection from stream (projection_seed) and the data from stream (data_seed).
// The M feature columns of F are streamed in fixed blocks to form Sigma and q; the training
// samples (phi_mu, w*.psi_mu) are then drawn from their exact joint Gaussian law given F
// (covariance [[Sigma, q], [q^T, c0]]), so memory is O((P + EN) EN) and no P x M matrix exists.
// With `explicit_matrices` (tests only) F and Psi are materialised instead and phi = Psi F^T,
// y = Psi w* + sigma eps: the same distribution, a different draw of the data.
Draw draw_problem(const ProblemSpec& spec, int P, int ensemble, std::uint64_t projection_seed,
                  std::uint64_t data_seed, bool explicit_matrices, int threads);

// Training samples of data set `bag` (bagging) given the projection in d: P samples from the
// exact joint Gaussian law of (phi, w*.psi) given F, labels y = w*.psi + sigma eps. Bag 0 is the
// data set of draw_problem(..., explicit_matrices = false) (which adds the noise itself; pass
// sigma = 0 there); bag b > 0 uses its own feature and label-noise streams of data_seed, so the
// bags are independent given F.
void draw_bag_samples(const Draw& d, int P, std::uint64_t data_seed, int bag, double sigma,
                      int threads, Matrix& phi, Vector& y);

struct GdOptions {
  int P = 0;
  int ensemble = 1;        // E members with independent projections, loss of the averaged predictor
  int bags = 1;            // B independent data sets of P samples, each shared by all E members;
                           // loss of the predictor averaged over all E * B models (train: NaN if B > 1)
  double lr = 0.0;         // step size (discrete GD)
  bool flow = false;       // gradient flow: times are continuous, lr unused
  double momentum = 0.0;   // GD: heavy-ball mu in [0, 1) (b <- g + mu b, w <- w + lr b);
                           // flow: continuous momentum beta >= 0 (beta w'' + w' = gradient)
  std::vector<double> times;  // discrete GD: step counts (whole numbers); flow: times t >= 0
  std::vector<std::uint64_t> data_seeds;        // one per run
  std::vector<std::uint64_t> projection_seeds;  // one per run
  int threads = 0;         // 0 = all cores
};

struct GdResult {
  Matrix test;         // runs x T, population loss (no 1/2, no noise term)
  Matrix train;        // runs x T, (1/P)||y - Phi w||^2 (NaN with bags > 1)
  Vector max_gram_eig; // runs, largest eigenvalue of Phi^T Phi / P over the members
};

// Exact spectral solution: one eigendecomposition of each member's Gram matrix per run, so the
// cost does not grow with t. Throws std::invalid_argument if lr >= 2 / lambda_max(Gram)
// (heavy ball: lr >= 2 (1 + mu) / lambda_max(Gram)).
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
GdResult simulate_gd(const ProblemSpec& spec, const GdOptions& opt);

struct SgdOptions {
  int batch = 1;
  double lr = 0.0;
  bool batch_mean = false;  // false: theta -= lr * sum_i grad_i (Paquette et al.); true: lr / B
  std::int64_t steps = 0;
  std::vector<std::int64_t> checkpoints;  // sorted, unique, in [0, steps]
  std::vector<std::uint64_t> data_seeds;
  std::vector<std::uint64_t> projection_seeds;
  int threads = 0;
};

struct SgdSetup {
  Vector s;       // eigenvalues of Sigma (ascending, clamped at 0)
  Vector e0;      // initial error U^T (0 - theta*) in the eigenbasis of Sigma
  double p_inf;   // population loss of the best predictor in the model, c0 - q^T Sigma^+ q
};

SgdSetup sgd_setup(const ProblemSpec& spec, std::uint64_t projection_seed, int threads);

// Largest stable per-sample step gamma (batch-sum convention) for one-pass SGD with batch B on a
// problem with projected-feature spectrum s: gamma (B+1) s_max < 2 and
// sum_k gamma s_k / (2 - gamma (B+1) s_k) < 1 (mean-square stability of the Gaussian dynamics).
double sgd_max_stable_gamma(const Vector& s, int batch);

struct SgdResult {
  Matrix test;  // runs x checkpoints, population loss (no 1/2, no noise term)
};

// Exact-in-distribution one-pass SGD in the eigenbasis of Sigma: O(B N) per step.
SgdResult simulate_sgd(const ProblemSpec& spec, const SgdOptions& opt);

// Standard normal samples from stream (seed, kTest, 0); for tests of the generator.
Vector normal_samples(std::uint64_t seed, std::int64_t n);

}  // namespace scalinglaws
