// Deterministic equivalent of the resolvent of K = W^T D W for power-law random features
// (Paquette et al. 2024): the scalar m(z) of the self-consistent equation.
#pragma once

#include "scalinglaws/plrf/sums.hpp"

namespace scalinglaws::plrf {

// m(z) solving m = 1 / (1 + (1/d) sum_j lambda_j / (lambda_j m - z)) on the branch with
// m -> 1 as |z| -> inf, by Newton continuation in Im z. Throws ConvergenceError (with the
// residual) if Newton does not converge, std::invalid_argument unless d >= 1, threads >= 0 and
// every z is finite with Im z > 0.
VectorC solve_m(const PowerLawSums& S, int d, const VectorC& z, int threads);

// Solve at real points x (given in DESCENDING order) at z = x + i eta_rel x, warm-starting Newton
// from the neighbour and falling back to full continuation when it fails or picks a wrong branch.
VectorC solve_m_real_sweep(const PowerLawSums& S, int d, const VectorD& x, double eta_rel,
                           int threads);

// One real point z = x + i eta_rel |x|: Newton from `guess`, falling back to full
// continuation; throws ConvergenceError on failure.
cplx solve_m_point(const PowerLawSums& S, int d, double x, double eta_rel, cplx guess);

}  // namespace scalinglaws::plrf
