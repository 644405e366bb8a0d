// One-pass SGD on the Gaussian linear random-feature model, exact in distribution in the
// eigenbasis of the projected-feature covariance (see problem.hpp for the conventions).
#pragma once

#include <cstdint>
#include <vector>

#include "scalinglaws/linalg/types.hpp"
#include "scalinglaws/simulate/problem.hpp"
#include "scalinglaws/simulate/runs.hpp"

namespace scalinglaws {

// The seeds of the runs, threads and the lr schedule are in the RunOptions base.
struct SgdOptions : RunOptions {
  int batch = 1;
  double lr = 0.0;
  bool batch_mean = false;  // false: theta -= lr * sum_i grad_i (Paquette et al.); true: lr / B
  std::int64_t steps = 0;
  std::vector<std::int64_t> checkpoints;  // sorted, unique, in [0, steps]
};

struct SgdSetup {
  Vector s;      // eigenvalues of Sigma (ascending, clamped at 0)
  Vector e0;     // initial error U^T (0 - theta*) in the eigenbasis of Sigma
  double p_inf;  // population loss of the best predictor in the model, c0 - q^T Sigma^+ q
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

}  // namespace scalinglaws
