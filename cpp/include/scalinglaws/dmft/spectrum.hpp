// DMFT theory of Bordelon, Atanasov & Pehlevan (ICML 2024) in the non-proportional normalisation:
// the problem as the theory sees it (spectrum, target power, 1/N, 1/P, label noise).
//
// Unified frequency variable q: gradient flow q = s (Laplace variable, s = i omega);
// discrete GD with learning rate eta q = (z - 1) / eta (z-transform variable z).
// With S = N (1 - R3) = P (1 - R1) (Bordelon et al. eq. 68) the self-consistency is the scalar
//   S = sum_k lambda_k x / (q + lambda_k x),   x = R1 R3 = (1 - S/P)(1 - S/N),
// and the mode transfer function is h_k(q) = 1 / (q + lambda_k x)
// (flow: H_k(s) = h_k; GD: H_k(z) = h_k / eta, eqs. 10, 132-136).
//
// This header never includes pybind11.
#pragma once

#include <complex>
#include <memory>
#include <vector>

namespace scalinglaws::plrf {
class PowerLawSums;
}

namespace scalinglaws::dmft {

using cplx = std::complex<double>;

// A spectrum is an explicit head of modes (lam, wstar2) plus, optionally, an infinite power-law
// tail k = tail_start, tail_start + 1, ... with lambda_k = k^-tail_b and target power
// lambda_k w*_k^2 = tail_scale * k^-tail_a (Bordelon et al. b and a; Paquette et al.
// 2 alpha and 2 alpha + 2 beta). tail_start = 0: no tail (every sum runs over the head only,
// bit-for-bit as before). Sums over the tail of lambda^p (w*^2) / (q + lambda x) and its square
// are evaluated by plrf::PowerLawSums (exact window at the pole + Euler-Maclaurin; double
// precision); two-frequency products by partial fractions (see tail_pair).
struct Spectrum {
  std::vector<double> lam;     // lambda_k > 0 (the head)
  std::vector<double> wstar2;  // (w*_k)^2
  double inv_N = 0.0;          // 1/N, 0 for N = infinity
  double inv_P = 0.0;          // 1/P, 0 for P = infinity
  double sigma2 = 0.0;         // label-noise variance sigma^2
  double tail_start = 0.0;     // first tail mode (an integer > len(lam), > 256), 0 = no tail
  double tail_b = 0.0;         // lambda_k = k^-tail_b (> 1)
  double tail_a = 0.0;         // lambda_k w*_k^2 = tail_scale k^-tail_a (> 1)
  double tail_scale = 1.0;
  // built by check_spectrum (shared by copies; read-only afterwards)
  mutable std::shared_ptr<const plrf::PowerLawSums> tail_sums_ = nullptr;

  bool has_tail() const { return tail_start > 0.0; }
};

// Indices of the tail powers in Spectrum::tail_sums_: lambda, lambda^2, lambda w*^2,
// lambda^2 w*^2 (the last two times tail_scale).
enum TailPower { kLam = 0, kLam2 = 1, kTarget = 2, kTarget2 = 3 };

// Tail sums T1 = sum_{k in tail} c_k / (q + lambda_k x) and T2 = sum c_k / (q + lambda_k x)^2 with
// c_k the power ip (scale included). Requires check_spectrum to have run (builds the sums).
void tail_sums(const Spectrum& sp, TailPower ip, cplx q, cplx x, cplx& T1, cplx& T2);

// sum_{k in tail} k^-p (real p > 1; p = tail_b: the trace of the tail).
double tail_power_sum(const Spectrum& sp, double p);

// Preconditions of every DMFT entry point: lam non-empty, finite and > 0; wstar2 of the same
// length, finite and >= 0; inv_N, inv_P, sigma2 finite and >= 0; a tail with tail_start an
// integer > max(len(lam), 256), tail_b > 1, tail_a > 1, tail_scale >= 0. Throws
// std::invalid_argument. Builds the tail sums (not thread-safe: call before parallel work).
void check_spectrum(const Spectrum& sp);

}  // namespace scalinglaws::dmft
