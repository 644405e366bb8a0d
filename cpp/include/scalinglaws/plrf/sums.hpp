// Power-law random features (Paquette, Paquette, Xiao & Pennington, NeurIPS 2024): sums over the
// power-law spectrum that the deterministic equivalent and its edges need.
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
  // The same sums over j = from..v only (from >= 1 an integer; the head and window are not
  // taken exactly below from, so accuracy is as for eval when from > 256). Used for the tail of a
  // spectrum whose first from - 1 modes are summed explicitly (the DMFT at M = inf).
  void eval_tail(int ip, cplx m, cplx z, double from, cplx& s1, cplx& s2) const;
  // sum_{j=1}^{v} j^-p for real p (p > 1 if v = inf).
  double power_sum(double p) const;
  double alpha() const { return alpha_; }
  // the summed power with index ip
  double power(int ip) const { return powers_.at(static_cast<std::size_t>(ip)); }
  double v() const { return v_; }
  bool infinite() const { return infinite_; }

 private:
  double alpha_, v_;
  bool infinite_;
  long head_;  // exact head j = 1..head_
  std::vector<double> powers_;
  std::vector<double> lam_head_;             // j^-2alpha
  std::vector<std::vector<double>> w_head_;  // j^-p per power
  void integral(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  void gl_panel(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  void adaptive(double p, cplx m, cplx z, cplx pole, double a, double b, int depth, cplx& i1,
                cplx& i2) const;
  void series(double p, cplx m, cplx z, double a, double b, cplx& i1, cplx& i2) const;
  // adds the sums over j = a..v (a > 0 an integer) to a1, a2
  void add_tail(double p, cplx m, cplx z, double a, cplx& a1, cplx& a2) const;
  void range_sum(double p, cplx m, cplx z, double a, double b, cplx& s1, cplx& s2) const;
};

}  // namespace scalinglaws::plrf
