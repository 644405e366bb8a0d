// Full-batch GD (and gradient flow, with or without momentum) on the Gaussian linear random-feature
// model (see problem.hpp for the conventions).
#pragma once

#include <cstdint>
#include <vector>

#include "scalinglaws/linalg/types.hpp"
#include "scalinglaws/simulate/problem.hpp"
#include "scalinglaws/simulate/runs.hpp"

namespace scalinglaws {

// The seeds of the runs, threads and the lr schedule are in the RunOptions base.
struct GdOptions : RunOptions {
  int P = 0;
  int ensemble = 1;   // E members with independent projections, loss of the averaged predictor
  int bags = 1;       // B independent data sets of P samples, each shared by all E members;
                      // loss of the predictor averaged over all E * B models (train: NaN if B > 1)
  double lr = 0.0;    // step size (discrete GD)
  bool flow = false;  // gradient flow: times are continuous, lr unused
  double momentum = 0.0;      // GD: heavy-ball mu in [0, 1) (b <- g + mu b, w <- w + lr b);
                              // flow: continuous momentum beta >= 0 (beta w'' + w' = gradient)
  std::vector<double> times;  // discrete GD: step counts (whole numbers); flow: times t >= 0
};

struct GdResult {
  Matrix test;          // runs x T, population loss (no 1/2, no noise term)
  Matrix train;         // runs x T, (1/P)||y - Phi w||^2 (NaN with bags > 1)
  Vector max_gram_eig;  // runs, largest eigenvalue of Phi^T Phi / P over the members
};

// Exact spectral solution: one eigendecomposition of each member's Gram matrix per run, so the
// Heavy ball and continuous momentum: see gains.hpp.
GdResult simulate_gd(const ProblemSpec& spec, const GdOptions& opt);

}  // namespace scalinglaws
