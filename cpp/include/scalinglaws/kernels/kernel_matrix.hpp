// Kernel (Gram) matrices for the spectral analysis of real data: RBF, Laplace, and the
// infinite-width NNGP and NTK of a fully-connected ReLU network (closed-form arc-cosine recursion).
//
// Conventions
// -----------
// Points are the ROWS of X (n x d) and Z (m x d); the result is the n x m matrix K(x_i, z_j).
//
// * rbf:     K = exp(-|x - z|^2 / (2 h^2)),  h = bandwidth.
// * laplace: K = exp(-|x - z| / h).
// * nngp / ntk of a ReLU network with `depth` hidden layers, NTK parameterisation, weight
//   variance sw2 (default 2, "He") and bias variance sb2 (default 0), Jacot et al. 2018 /
//   Lee et al. 2019, with the ReLU expectations of Cho & Saul 2009:
//     Sigma_1(x,z) = sw2 x.z / d + sb2,                    Theta_1 = Sigma_1
//     Sigma_{l+1}  = sw2 sqrt(Sxx Szz) (sin t + (pi - t) cos t) / (2 pi) + sb2
//     Sdot_{l+1}   = sw2 (pi - t) / (2 pi),                t = arccos(Sigma_l / sqrt(Sxx Szz))
//     Theta_{l+1}  = Theta_l Sdot_{l+1} + Sigma_{l+1}
//   NNGP = Sigma_{depth+1}, NTK = Theta_{depth+1} (the kernel of the scalar output; the readout
//   layer also has weight variance sw2 and bias variance sb2).
//
// Cost O(n m d) (one BLAS gemm / syrk for the inner products) plus O(n m depth) elementwise work
// spread over threads with parallel_for. Squared distances come from |x|^2 + |z|^2 - 2 x.z; pairs
// closer than 1e-2 of their norms are recomputed directly to avoid cancellation. When Z is X the
// result is exactly symmetric, with exact diagonals (t = 0).
#pragma once

#include <string>

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws::kernels {

enum class Kind { rbf, laplace, nngp, ntk };

Kind kind_from_string(const std::string& name);  // throws std::invalid_argument
std::string kind_name(Kind kind);                // the inverse of kind_from_string

struct Params {
  Kind kind = Kind::ntk;
  double bandwidth = 1.0;        // rbf / laplace
  int depth = 1;                 // nngp / ntk: number of hidden layers (>= 1)
  double weight_variance = 2.0;  // nngp / ntk
  double bias_variance = 0.0;    // nngp / ntk
  int threads = 0;               // 0 = all cores
};

// K(X, X): symmetric n x n.
Matrix kernel_matrix(const Eigen::Ref<const Matrix>& X, const Params& p);
// K(X, Z): n x m.
Matrix kernel_matrix(const Eigen::Ref<const Matrix>& X, const Eigen::Ref<const Matrix>& Z,
                     const Params& p);

}  // namespace scalinglaws::kernels
