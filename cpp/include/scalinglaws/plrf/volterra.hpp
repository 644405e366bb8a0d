// Loss of one-pass SGD on power-law random features from the discrete Volterra equation
// (Paquette et al. 2024), batch-sum convention.
#pragma once

#include <cstdint>
#include <vector>

#include "scalinglaws/plrf/sums.hpp"
#include "scalinglaws/schedule.hpp"

namespace scalinglaws::plrf {

struct VolterraOptions {
  double gamma = 0.0;                     // per-sample step (batch-sum convention), > 0
  int batch = 1;                          // B >= 1
  std::vector<std::int64_t> checkpoints;  // sorted, >= 0
  std::int64_t exact_steps = 0;           // steps solved exactly before the blocks start
  double block_rel = 0.0;                 // relative block length (>= 0)
  Schedule schedule;  // step r uses gamma * schedule.at(r) (empty: constant gamma)
};

// Discrete Volterra equation P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) via the mode recursion
// m_k(r+1) = q_k m_k(r) + gamma^2 B lambda_k P(r), m_k(0) = rho_k, q = 1 - 2 gamma B lam +
// gamma^2 B (B+1) lam^2 (batch-sum convention). Steps <= exact_steps are exact; afterwards blocks
// of n = max(1, floor(block_rel * r)) steps treat P as linear inside the block (closed-form
// geometric sums, implicit in the block's end value). Returns P at the sorted checkpoints.
VectorD volterra_loss(const VectorD& lam, const VectorD& rho, double p_inf,
                      const VolterraOptions& opt);

// F(r) - P_inf and K(r) at the given steps (exact sums over modes).
void forcing_kernel(const VectorD& lam, const VectorD& rho, double gamma, int B,
                    const std::vector<double>& steps, VectorD& F, VectorD& K, int threads);

}  // namespace scalinglaws::plrf
