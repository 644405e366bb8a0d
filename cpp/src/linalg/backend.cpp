#include "scalinglaws/linalg/backend.hpp"

namespace scalinglaws::linalg {
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

}  // namespace scalinglaws::linalg
