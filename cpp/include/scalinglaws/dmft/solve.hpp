// DMFT scalar self-consistency S(q) (Bordelon et al. eq. 68; see spectrum.hpp for the notation).
#pragma once

#include <vector>

#include "scalinglaws/dmft/spectrum.hpp"

namespace scalinglaws::dmft {

// Residual f(S) = S - sum_k lambda_k x/(q + lambda_k x) (and its derivative) at S.
cplx residual(const Spectrum& sp, cplx q, cplx S, cplx* dfdS = nullptr);

// Damped Newton from the guess S (in/out). Returns true on convergence; residual = |f(S)|.
bool newton(const Spectrum& sp, cplx q, cplx& S, double& resid, int max_iter = 100);

// Robust solve at one q (not on the non-positive real axis unless Im q != 0): real bracketed
// Newton for real q > 0, otherwise continuation from large |q| along the ray through q.
// Throws ConvergenceError with the residual if it fails, std::domain_error for q <= 0 real.
cplx solve(const Spectrum& sp, cplx q);

// Many independent frequencies, in parallel. Throws ConvergenceError on the first failure.
std::vector<cplx> solve_many(const Spectrum& sp, const std::vector<cplx>& q, int threads);

namespace detail {
// N = P = infinity: x = 1 and S is not needed.
bool both_infinite(const Spectrum& sp);
// S on the physical branch is a Stieltjes transform: sign(Im S) = -sign(Im q).
bool physical(cplx q, cplx S);
// Real q > 0: f(S) is strictly increasing on [0, Smax) with a unique root; safeguarded Newton.
double solve_real_positive(const Spectrum& sp, double q);
}  // namespace detail

}  // namespace scalinglaws::dmft
