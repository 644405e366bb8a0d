#include "scalinglaws/linalg.hpp"

#include <stdexcept>

namespace scalinglaws {
namespace linalg {

Backend& backend() {
  static Backend b;
  return b;
}

std::string backend_name() {
  const Backend& b = backend();
  return (b.dgemm && b.dsyrk && b.dsyevd && b.dpotrf && b.dtrmm) ? "lapack" : "eigen";
}

int set_blas_threads_for_this_thread(int n) {
  Backend& be = backend();
  if (be.dgemm == nullptr) return 0;  // Eigen fallback: single-threaded already
  if (be.set_threads_local == nullptr) return -1;
  return be.set_threads_local(n);
}

void gemm(bool trans_a, bool trans_b, double alpha, const Eigen::Ref<const Matrix>& A,
          const Eigen::Ref<const Matrix>& B, double beta, Eigen::Ref<Matrix> C) {
  const Eigen::Index m = C.rows(), n = C.cols();
  const Eigen::Index k = trans_a ? A.rows() : A.cols();
  if ((trans_a ? A.cols() : A.rows()) != m || (trans_b ? B.rows() : B.cols()) != n ||
      (trans_b ? B.cols() : B.rows()) != k)
    throw std::invalid_argument("gemm: inconsistent shapes");
  if (m == 0 || n == 0) return;
  Backend& be = backend();
  if (be.dgemm && k > 0) {
    char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
    int lda = static_cast<int>(std::max<Eigen::Index>(1, A.outerStride()));
    int ldb = static_cast<int>(std::max<Eigen::Index>(1, B.outerStride()));
    int ldc = static_cast<int>(std::max<Eigen::Index>(1, C.outerStride()));
    be.dgemm(&ta, &tb, &im, &in, &ik, &alpha, const_cast<double*>(A.data()), &lda,
             const_cast<double*>(B.data()), &ldb, &beta, C.data(), &ldc);
    return;
  }
  if (beta == 0.0) C.setZero(); else if (beta != 1.0) C *= beta;
  if (k == 0) return;
  if (!trans_a && !trans_b) C.noalias() += alpha * A * B;
  else if (trans_a && !trans_b) C.noalias() += alpha * A.transpose() * B;
  else if (!trans_a && trans_b) C.noalias() += alpha * A * B.transpose();
  else C.noalias() += alpha * A.transpose() * B.transpose();
}

void syrk(bool trans, double alpha, const Eigen::Ref<const Matrix>& A, double beta,
          Eigen::Ref<Matrix> C) {
  const Eigen::Index n = C.rows();
  const Eigen::Index k = trans ? A.rows() : A.cols();
  if (C.cols() != n || (trans ? A.cols() : A.rows()) != n)
    throw std::invalid_argument("syrk: inconsistent shapes");
  if (n == 0) return;
  Backend& be = backend();
  if (be.dsyrk && k > 0) {
    char uplo = 'L', tr = trans ? 'T' : 'N';
    int in = static_cast<int>(n), ik = static_cast<int>(k);
    int lda = static_cast<int>(std::max<Eigen::Index>(1, A.outerStride()));
    int ldc = static_cast<int>(std::max<Eigen::Index>(1, C.outerStride()));
    be.dsyrk(&uplo, &tr, &in, &ik, &alpha, const_cast<double*>(A.data()), &lda, &beta, C.data(),
             &ldc);
    return;
  }
  if (beta == 0.0) C.template triangularView<Eigen::Lower>().setZero();
  else if (beta != 1.0) C.template triangularView<Eigen::Lower>() *= beta;
  if (k == 0) return;
  if (trans) C.template selfadjointView<Eigen::Lower>().rankUpdate(A.transpose(), alpha);
  else C.template selfadjointView<Eigen::Lower>().rankUpdate(A, alpha);
}

void symmetrize_lower(Eigen::Ref<Matrix> C) {
  const Eigen::Index n = C.rows();
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j + 1; i < n; ++i) C(j, i) = C(i, j);
}

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

void multiply_lower_transpose_right(const Matrix& L, Eigen::Ref<Matrix> B) {
  if (B.rows() == 0 || B.cols() == 0) return;
  if (L.rows() != B.cols() || L.cols() != B.cols())
    throw std::invalid_argument("multiply_lower_transpose_right: inconsistent shapes");
  Backend& be = backend();
  if (be.dtrmm) {
    char side = 'R', uplo = 'L', transa = 'T', diag = 'N';
    int m = static_cast<int>(B.rows()), n = static_cast<int>(B.cols());
    int lda = static_cast<int>(L.outerStride()), ldb = static_cast<int>(B.outerStride());
    double one = 1.0;
    be.dtrmm(&side, &uplo, &transa, &diag, &m, &n, &one, const_cast<double*>(L.data()), &lda,
             B.data(), &ldb);
    return;
  }
  B = B * L.template triangularView<Eigen::Lower>().transpose();
}

void symmetric_eigh(Matrix& A, Vector& w) {
  const Eigen::Index n = A.rows();
  if (A.cols() != n) throw std::invalid_argument("symmetric_eigh: matrix is not square");
  w.resize(n);
  if (n == 0) return;
  Backend& be = backend();
  if (be.dsyevd) {
    char jobz = 'V', uplo = 'L';
    int in = static_cast<int>(n), lda = static_cast<int>(n), info = 0;
    int lwork = -1, liwork = -1, iwork_query = 0;
    double work_query = 0.0;
    be.dsyevd(&jobz, &uplo, &in, A.data(), &lda, w.data(), &work_query, &lwork, &iwork_query,
              &liwork, &info);
    if (info != 0) throw std::runtime_error("dsyevd workspace query failed, info = " + std::to_string(info));
    lwork = static_cast<int>(work_query) + 1;
    liwork = iwork_query;
    std::vector<double> work(static_cast<std::size_t>(lwork));
    std::vector<int> iwork(static_cast<std::size_t>(std::max(1, liwork)));
    be.dsyevd(&jobz, &uplo, &in, A.data(), &lda, w.data(), work.data(), &lwork, iwork.data(),
              &liwork, &info);
    if (info != 0)
      throw std::runtime_error("symmetric eigensolver (LAPACK dsyevd) did not converge, info = " +
                               std::to_string(info));
    return;
  }
  Eigen::SelfAdjointEigenSolver<Matrix> solver(A, Eigen::ComputeEigenvectors);
  if (solver.info() != Eigen::Success)
    throw std::runtime_error("symmetric eigensolver (Eigen) did not converge");
  w = solver.eigenvalues();
  A = solver.eigenvectors();
}

}  // namespace linalg
}  // namespace scalinglaws
