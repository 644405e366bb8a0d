#include "scalinglaws/linalg/lapack.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/linalg/backend.hpp"

namespace scalinglaws::linalg {
bool cholesky_lower(Matrix& A) {
  const Eigen::Index n = A.rows();
  if (A.cols() != n) throw std::invalid_argument("cholesky_lower: matrix is not square");
  if (n == 0) return true;
  Backend& be = backend();
  if (be.dpotrf) {
    char uplo = 'L';
    int in = static_cast<int>(n), lda = static_cast<int>(n), info = 0;
    be.dpotrf(&uplo, &in, A.data(), &lda, &info);
    if (info < 0) throw std::runtime_error("dpotrf: illegal argument " + std::to_string(-info));
    if (info > 0) return false;
    A.template triangularView<Eigen::StrictlyUpper>().setZero();
    return true;
  }
  Eigen::LLT<Matrix> llt(A);
  if (llt.info() != Eigen::Success) return false;
  A = llt.matrixL();
  return true;
}

void symmetric_eigh(Matrix& A, Vector& w) {
  const Eigen::Index n = A.rows();
  if (A.cols() != n) throw std::invalid_argument("a (symmetric_eigh) must be a square matrix");
  checks::require(n > 0, "a (symmetric_eigh)", "must not be empty");
  checks::require(A.allFinite(), "a (symmetric_eigh)", "must be finite everywhere");
  w.resize(n);
  Backend& be = backend();
  if (be.dsyevd) {
    char jobz = 'V', uplo = 'L';
    int in = static_cast<int>(n), lda = static_cast<int>(n), info = 0;
    int lwork = -1, liwork = -1, iwork_query = 0;
    double work_query = 0.0;
    be.dsyevd(&jobz, &uplo, &in, A.data(), &lda, w.data(), &work_query, &lwork, &iwork_query,
              &liwork, &info);
    if (info != 0)
      throw ConvergenceError("dsyevd workspace query failed, info = " + std::to_string(info));
    lwork = static_cast<int>(work_query) + 1;
    liwork = iwork_query;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    std::vector<int> iwork(static_cast<std::size_t>(std::max(1, liwork)));
    be.dsyevd(&jobz, &uplo, &in, A.data(), &lda, w.data(), work.data(), &lwork, iwork.data(),
              &liwork, &info);
    if (info != 0)
      throw ConvergenceError("symmetric eigensolver (LAPACK dsyevd) did not converge, info = " +
                             std::to_string(info));
    return;
  }
  Eigen::SelfAdjointEigenSolver<Matrix> solver(A, Eigen::ComputeEigenvectors);
  if (solver.info() != Eigen::Success)
    throw ConvergenceError("symmetric eigensolver (Eigen) did not converge");
  w = solver.eigenvalues();
  A = solver.eigenvectors();
}

}  // namespace scalinglaws::linalg
