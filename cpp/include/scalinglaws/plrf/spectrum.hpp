// Deterministic-equivalent eigenvalues and target weights of power-law random features
// (Paquette et al. 2024): density from m(z) on a log grid, then d quantile eigenvalues.
#pragma once

#include "scalinglaws/plrf/sums.hpp"

namespace scalinglaws::plrf {

struct DetSpectrum {
  VectorD x;            // grid (descending)
  VectorD density;      // eigenvalue density of the d non-zero eigenvalues
  VectorD rho_density;  // (1/pi) Im(S_F(z)/z) (zero if no target)
  VectorD eigenvalues;  // d deterministic eigenvalues, descending
  VectorD rho;          // d rho-weights (zero if no target)
  double total_count = 0.0;
  double total_lam_rho = 0.0;  // int x rho_density dx
  long solved = 0;             // grid points where m was solved (the rest interpolated)
};

struct SpectrumOptions {
  double x_lo = 0.0;  // grid [x_lo, x_hi], 0 < x_lo < x_hi
  double x_hi = 0.0;
  double points_per_bump = 0.0;  // grid resolution (> 0)
  double eta_rel = 1e-10;        // Im z = eta_rel x on the real grid (> 0)
  int threads = 0;
  // Adaptive sampling of the grid (0: solve m at every grid point). Otherwise m is solved at
  // every kCoarse-th point and intervals are bisected while the cubic prediction of the
  // midpoint's density x*density (and x*rho_density) misses by more than
  // refine_rtol * |value| + floor (floor 1e-9 eigenvalues, resp. 1e-9 x^(beta/alpha) target
  // weight, per unit log x); the other grid points are filled by cubic interpolation from the
  // two solved neighbours on each side.
  double refine_rtol = 1e-10;
};

// ip2 indexes 2alpha; ipF indexes 2alpha + 2beta (or -1 for no target).
DetSpectrum deterministic_spectrum(const PowerLawSums& S, int ip2, int ipF, int d,
                                   const SpectrumOptions& opt);

}  // namespace scalinglaws::plrf
