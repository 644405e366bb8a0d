#include "scalinglaws/linalg/blas.hpp"

#include <algorithm>
#include <stdexcept>

#include "scalinglaws/linalg/backend.hpp"

namespace scalinglaws::linalg {
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
  if (beta == 0.0)
    C.setZero();
  else if (beta != 1.0)
    C *= beta;
  if (k == 0) return;
  if (!trans_a && !trans_b)
    C.noalias() += alpha * A * B;
  else if (trans_a && !trans_b)
    C.noalias() += alpha * A.transpose() * B;
  else if (!trans_a && trans_b)
    C.noalias() += alpha * A * B.transpose();
  else
    C.noalias() += alpha * A.transpose() * B.transpose();
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
  if (beta == 0.0)
    C.template triangularView<Eigen::Lower>().setZero();
  else if (beta != 1.0)
    C.template triangularView<Eigen::Lower>() *= beta;
  if (k == 0) return;
  if (trans)
    C.template selfadjointView<Eigen::Lower>().rankUpdate(A.transpose(), alpha);
  else
    C.template selfadjointView<Eigen::Lower>().rankUpdate(A, alpha);
}

void symmetrize_lower(Eigen::Ref<Matrix> C) {
  const Eigen::Index n = C.rows();
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j + 1; i < n; ++i) C(j, i) = C(i, j);
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

}  // namespace scalinglaws::linalg
