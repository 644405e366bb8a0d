// Power-law random features (Paquette, Paquette, Xiao & Pennington, NeurIPS 2024): deterministic
// equivalent of the spectrum of K = W^T D W and the discrete Volterra equation of one-pass SGD.
//
// Conventions: D = diag(j^-2alpha), b_j = j^-beta, j = 1..v (v may be +infinity where the sums
// converge), W_ij ~ N(0, 1/d). Loss P = ||D^1/2 (W theta - b)||^2 WITHOUT the 1/2. SGD in the
// batch-SUM convention theta <- theta - gamma sum_{i<=B} grad_i (the reference code's batch-mean
// lr equals gamma * B).
//
// Sums over j = 1..v are evaluated as: an exact head j <= J (J = 256, or all j when v <= 512), an
// exact window of 2*64+1 terms around the pole j* = (m/z)^(1/2alpha) of the summand when it lies
// within 6 of the real axis, and the rest by the midpoint Euler-Maclaurin formula
//   sum_{j=a}^{b} g(j) = int_{a-1/2}^{b+1/2} g dx - [g'(b+1/2) - g'(a-1/2)]/24 + E,
// |E| <= (7/5760) int |g'''| (relative size ~ 1e-3 (p/J)^3 for the smooth tail, ~ 1e-10 next to
// the window) plus the Abel-Plana pole term ~ 2 pi |Res| exp(-2 pi |Im j*|) <= 1e-16 |Res|. The
// integral uses adaptive 16-point Gauss-Legendre panels refined around j* and, far out, the
// convergent expansion in x^-2alpha m/z (ratio < 0.05, 14 terms).
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace scalinglaws::plrf {

using cplx = std::complex<double>;
using VectorC = Eigen::VectorXcd;
using VectorD = Eigen::VectorXd;

// Sums over the power-law spectrum lambda_j = j^-2alpha, j = 1..v (v = inf allowed).
class PowerLawSums {
 public:
  PowerLawSums(double alpha, double v, const std::vector<double>& powers);
  // Returns {sum_j j^-p / h_j, sum_j j^-p / h_j^2} with h_j = j^-2alpha m - z. p must be one of
  // the powers given to the constructor (index ip).
  void eval(int ip, cplx m, cplx z, cplx& s1, cplx& s2) const;
  // sum_{j=1}^{v} j^-p for real p (p > 1 if v = inf).
  double power_sum(double p) const;
  double alpha() const { return alpha_; }
  double v() const { return v_; }
  bool infinite() const { return infinite_; }

 private:
  double alpha_, v_;
  bool infinite_;
  long head_;  // exact head j = 1..head_
  std::vector<double> powers_;
  std::vector<double> lam_head_;                 // j^-2alpha
  std::vector<std::vector<double>> w_head_;      // j^-p per power
  void integral(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  void gl_panel(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  void adaptive(double p, cplx m, cplx z, cplx pole, double a, double b, int depth, cplx& i1,
                cplx& i2) const;
  void series(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  void range_sum(double p, cplx m, cplx z, double a, double b, cplx& s1, cplx& s2) const;
};

struct MSolveOptions {
  double eta_rel = 1e-10;  // target Im z = eta_rel * max(|Re z|, tiny) for real inputs
  int threads = 0;
};

// m(z) solving m = 1 / (1 + (1/d) sum_j lambda_j / (lambda_j m - z)) on the branch with
// m -> 1 as |z| -> inf, by Newton continuation in Im z. Throws std::runtime_error (with the
// residual) if Newton does not converge.
VectorC solve_m(const PowerLawSums& S, int d, const VectorC& z, int threads);

// Solve at real points x (given in DESCENDING order) at z = x + i eta_rel x, warm-starting Newton
// from the neighbour and falling back to full continuation when it fails or picks a wrong branch.
VectorC solve_m_real_sweep(const PowerLawSums& S, int d, const VectorD& x, double eta_rel,
                           int threads);

// c > 0 with (1/d) sum_j c / (c + j^2alpha) = 1 (requires v > d).
double limit_c(const PowerLawSums& S, int d);
// F_0 = sum_j j^-(2alpha+2beta) / (1 + c j^-2alpha); ip indexes the power 2alpha+2beta.
double limit_loss(const PowerLawSums& S, int ip_target, int d);
// Left spectral edge (ip4 indexes 4alpha, ip2 indexes 2alpha).
double lambda_min(const PowerLawSums& S, int ip2, int ip4, int d);

struct DetSpectrum {
  VectorD x;             // grid (descending)
  VectorD density;       // eigenvalue density of the d non-zero eigenvalues
  VectorD rho_density;   // (1/pi) Im(S_F(z)/z) (zero if no target)
  VectorD eigenvalues;   // d deterministic eigenvalues, descending
  VectorD rho;           // d rho-weights (zero if no target)
  double total_count = 0.0;
  double total_lam_rho = 0.0;  // int x rho_density dx
};

// ip2 indexes 2alpha; ipF indexes 2alpha + 2beta (or -1 for no target).
DetSpectrum deterministic_spectrum(const PowerLawSums& S, int ip2, int ipF, int d, double x_lo,
                                   double x_hi, double points_per_bump, double eta_rel,
                                   int threads);

// Discrete Volterra equation P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) via the mode recursion
// m_k(r+1) = q_k m_k(r) + gamma^2 B lambda_k P(r), m_k(0) = rho_k, q = 1 - 2 gamma B lam +
// gamma^2 B (B+1) lam^2 (batch-sum convention). Steps <= exact_steps are exact; afterwards blocks
// of n = max(1, floor(block_rel * r)) steps treat P as linear inside the block (closed-form
// geometric sums, implicit in the block's end value). Returns P at the sorted checkpoints.
VectorD volterra_loss(const VectorD& lam, const VectorD& rho, double p_inf, double gamma, int B,
                      const std::vector<std::int64_t>& checkpoints, std::int64_t exact_steps,
                      double block_rel);

// F(r) - P_inf and K(r) at the given steps (exact sums over modes).
void forcing_kernel(const VectorD& lam, const VectorD& rho, double gamma, int B,
                    const std::vector<double>& steps, VectorD& F, VectorD& K, int threads);

}  // namespace scalinglaws::plrf
