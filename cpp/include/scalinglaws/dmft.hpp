// DMFT theory of Bordelon, Atanasov & Pehlevan (ICML 2024) in the non-proportional normalisation
// (dmft.md 2.2): frequency-domain responses and the time-domain loss curves by numerical Laplace /
// z-transform inversion (fixed-Talbot contours).
//
// Unified frequency variable q: gradient flow q = s (Laplace variable, s = i omega);
// discrete GD with learning rate eta q = (z - 1) / eta (z-transform variable z).
// With S = N (1 - R3) = P (1 - R1) (dmft.md 3.3, eq. 68) the self-consistency is the scalar
//   S = sum_k lambda_k x / (q + lambda_k x),   x = R1 R3 = (1 - S/P)(1 - S/N),
// and the mode transfer function is h_k(q) = 1 / (q + lambda_k x)
// (flow: H_k(s) = h_k; GD: H_k(z) = h_k / eta, eqs. 10, 132-136).
//
// Momentum (App. K.2) is another map to q plus an initial-condition factor phi (the transform of
// the constant 1 times q): v0 = w* - Theta * v4 with Theta = 1/q and
//   heavy-ball b(n) = v4(n) + mu b(n-1), v0(n+1) = v0(n) - eta b(n) (eqs. 139-141):
//     q = (z - 1)(1 - mu/z)/eta,  phi = (z - mu)/eta;
//   continuous beta v0'' + v0' = -v4 with v0(0) = w*, v0'(0) = 0 (eqs. 137-138):
//     q = s + beta s^2,  phi = 1 + beta s.
// mu = 0 / beta = 0 reduce to plain GD (phi = z/eta) and flow (phi = 1).
//
// This header never includes pybind11.
#pragma once

#include <complex>
#include <stdexcept>
#include <string>
#include <vector>

#include "scalinglaws/linalg.hpp"

namespace scalinglaws::dmft {

using cplx = std::complex<double>;

struct Spectrum {
  std::vector<double> lam;     // lambda_k > 0
  std::vector<double> wstar2;  // (w*_k)^2
  double inv_N = 0.0;          // 1/N, 0 for N = infinity
  double inv_P = 0.0;          // 1/P, 0 for P = infinity
  double sigma2 = 0.0;         // label-noise variance sigma^2
};

// Raised when the scalar self-consistency cannot be solved; the message carries q and the residual.
class SolveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Residual f(S) = S - sum_k lambda_k x/(q + lambda_k x) (and its derivative) at S.
cplx residual(const Spectrum& sp, cplx q, cplx S, cplx* dfdS = nullptr);

// Damped Newton from the guess S (in/out). Returns true on convergence; residual = |f(S)|.
bool newton(const Spectrum& sp, cplx q, cplx& S, double& resid, int max_iter = 100);

// Robust solve at one q (not on the non-positive real axis unless Im q != 0): real bracketed
// Newton for real q > 0, otherwise continuation from large |q| along the ray through q.
// Throws SolveError with the residual if it fails.
cplx solve(const Spectrum& sp, cplx q);

// Many independent frequencies, in parallel. Throws SolveError on the first failure.
std::vector<cplx> solve_many(const Spectrum& sp, const std::vector<cplx>& q, int threads);

struct CurveOptions {
  bool flow = false;  // gradient flow (true) or discrete GD (false)
  double lr = 0.5;    // GD learning rate eta (ignored for flow)
  double momentum = 0.0;  // heavy-ball mu (GD, 0 <= mu < 1) or continuous beta >= 0 (flow)
  int nodes = 20;     // fixed-Talbot nodes on the upper half of the contour (incl. the real one)
  int threads = 0;
  // Ensembles and bagging (App. H, eqs. 108-113): the loss of the predictor averaged over E
  // independent projections x B independent data sets. 1/E and 1/B (0 = infinity).
  double inv_E = 1.0;
  double inv_B = 1.0;
};

// Test loss C0(t,t) (no sigma^2 floor) and train loss C1(t,t) (with noise) at the given times by
// 2-D inverse transform of the 2x2 two-frequency system (dmft.md 3.4) on a fixed-Talbot contour.
// With opt.inv_E, opt.inv_B != 1: the test loss of the averaged predictor
//   vbar0_k = (1/EB) sum_{e,b} v0_{k,e,b},
//   <vbar0_k vbar0_k'> = H H' [ w*^2 + (1/(N E)) ((1/B) C3 + (1 - 1/B) C3x)
//                               + (lambda_k/(P B)) R3 R3' ((1/E) C1 + (1 - 1/E) C1x) ],
// with the cross-system correlations (eq. 110): C0x (members e != e' on the same data set)
// = (Sa + gamma0 sigma^2/(q q'))/(1 - gamma0), C1x = R1 R1' (C0x + sigma^2/(q q')) (the label
// noise is shared within a data set), C2x (same projection, different data sets)
// = R1 R1' Sd/(1 - gamma2), C3x = R3 R3' C2x. The train output is then the training loss of the
// E-member average on the shared data set, (1/E) C1 + (1 - 1/E) C1x (meaningful for B = 1).
// times: gradient-flow time t > 0 for flow; the step count n >= nodes for GD.
void loss_curve(const Spectrum& sp, const std::vector<double>& times, const CurveOptions& opt,
                std::vector<double>& test, std::vector<double>& train);

// Transfer functions H_k(t) (rows = times, cols = modes; modes are 0-based indices).
Matrix transfer(const Spectrum& sp, const std::vector<double>& times, const std::vector<int>& modes,
                const CurveOptions& opt);

}  // namespace scalinglaws::dmft
