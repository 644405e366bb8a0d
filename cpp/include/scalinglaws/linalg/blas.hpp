// Matrix products through the BLAS of the backend (Eigen fallback).
#pragma once

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws::linalg {

// C = alpha * op(A) op(B) + beta * C, op = transpose if trans_a / trans_b. Column-major, with
// leading dimensions taken from the arguments' strides (blocks of larger matrices allowed).
void gemm(bool trans_a, bool trans_b, double alpha, const Eigen::Ref<const Matrix>& A,
          const Eigen::Ref<const Matrix>& B, double beta, Eigen::Ref<Matrix> C);

// Lower triangle of C = alpha * A A^T + beta * C (trans = false) or alpha * A^T A + beta * C.
// Call symmetrize_lower() afterwards to fill the upper triangle.
void syrk(bool trans, double alpha, const Eigen::Ref<const Matrix>& A, double beta,
          Eigen::Ref<Matrix> C);
void symmetrize_lower(Eigen::Ref<Matrix> C);

// B <- B L^T for lower-triangular L (B is m x n, L is n x n).
void multiply_lower_transpose_right(const Matrix& L, Eigen::Ref<Matrix> B);

}  // namespace scalinglaws::linalg
