// Factorisations through the LAPACK of the backend (Eigen fallback).
#pragma once

#include "scalinglaws/linalg/types.hpp"

namespace scalinglaws::linalg {

// Cholesky factor of a symmetric positive-definite matrix: on success the lower triangle of A is
// L with A = L L^T (upper triangle zeroed) and true is returned; false if A is not numerically
// positive definite (A is then unspecified).
bool cholesky_lower(Matrix& A);

// Symmetric eigendecomposition A = U diag(w) U^T with ascending w. A is overwritten by U.
// Throws std::invalid_argument if A is not square or not finite, ConvergenceError if the solver
// does not converge.
void symmetric_eigh(Matrix& A, Vector& w);

}  // namespace scalinglaws::linalg
