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
#include <vector>

namespace scalinglaws::dmft {

using cplx = std::complex<double>;

struct Spectrum {
  std::vector<double> lam;     // lambda_k > 0
  std::vector<double> wstar2;  // (w*_k)^2
  double inv_N = 0.0;          // 1/N, 0 for N = infinity
  double inv_P = 0.0;          // 1/P, 0 for P = infinity
  double sigma2 = 0.0;         // label-noise variance sigma^2
};

// Preconditions of every DMFT entry point: lam non-empty, finite and > 0; wstar2 of the same
// length, finite and >= 0; inv_N, inv_P, sigma2 finite and >= 0. Throws std::invalid_argument.
void check_spectrum(const Spectrum& sp);

}  // namespace scalinglaws::dmft
