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
  // Mode clustering (0: off): modes whose lambda lie within a factor exp(cluster_width) are
  // replaced by cluster_nodes Gauss nodes (in log lambda) of the forcing measure lam rho and
  // of the kernel measure lam^2 (see compress_modes).
  double cluster_width = 0.0;
  int cluster_nodes = 4;
};

// Modes of the recursion in weighted form: u_k = lam_k m_k with u_k(0) = a_k and injection
// gamma^2 B b_k P; P = p_inf + sum_k u_k. The plain modes are a = lam rho, b = lam^2.
struct WeightedModes {
  VectorD lam, a, b;
};

// Compress the modes (lam_k, rho_k >= 0): sorted by lam, consecutive modes are grouped while
// log(lam_first / lam_k) <= width; a group of at most 2 * nodes modes is kept exactly, a larger
// one is replaced by the `nodes`-point Gauss quadratures (in t = log lam, from the discrete
// measure's recurrence coefficients) of the forcing measure sum_k lam_k rho_k delta_{t_k} and of
// the kernel measure sum_k lam_k^2 delta_{t_k}: 2 * nodes weighted modes. Every smooth function
// phi(lam) is then integrated with relative error ~ (width * tau / 4)^(2 nodes) for
// phi = exp(-tau lam / lam_first); the forcing q^r and all block sums are such functions of lam,
// so the loss curve changes by ~ (width * nodes / (2e))^(2 nodes) relative (3e-12 at width 0.05,
// 4 nodes). width = 0: no compression.
WeightedModes compress_modes(const VectorD& lam, const VectorD& rho, double width, int nodes);

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
