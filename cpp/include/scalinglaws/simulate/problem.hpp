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

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws {

struct ProblemSpec {
  std::vector<double> lam;    // feature covariance spectrum lambda_k, k = 1..M (all > 0)
  std::vector<double> wstar;  // target coefficients w*_k
  int N = 0;                  // number of projected features (model size)
  double sigma = 0.0;         // label-noise standard deviation
  int M() const { return static_cast<int>(lam.size()); }
};

// Preconditions of every simulator entry point: lam non-empty, finite and > 0; wstar of the same
// length and finite; N >= 1; sigma finite and >= 0. Throws std::invalid_argument.
void check_spec(const ProblemSpec& spec);

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

}  // namespace scalinglaws
