// BLAS/LAPACK backend of the core: a table of function pointers with an Eigen fallback.
//
// The table is filled at import time by the bindings with the Fortran-ABI routines of the LAPACK
// that scipy ships (scipy.linalg.cython_blas / cython_lapack, LP64 `int`). That gives LAPACK's
// divide-and-conquer eigensolver and an optimised, runtime-dispatched BLAS without a new link
// dependency. Without the table (pure C++ use) Eigen's own routines are used.
#pragma once

#include <string>

namespace scalinglaws::linalg {

using dgemm_t = void(char*, char*, int*, int*, int*, double*, double*, int*, double*, int*, double*,
                     double*, int*);
using dsyrk_t = void(char*, char*, int*, int*, double*, double*, int*, double*, double*, int*);
using dsyevd_t = void(char*, char*, int*, double*, int*, double*, double*, int*, int*, int*, int*);
using dpotrf_t = void(char*, int*, double*, int*, int*);
using set_threads_local_t = int(int);
using dtrmm_t = void(char*, char*, char*, char*, int*, int*, double*, double*, int*, double*, int*);

struct Backend {
  dgemm_t* dgemm = nullptr;
  dsyrk_t* dsyrk = nullptr;
  dsyevd_t* dsyevd = nullptr;
  dpotrf_t* dpotrf = nullptr;
  dtrmm_t* dtrmm = nullptr;
  // openblas_set_num_threads_local of the same BLAS (thread-local thread count), if available.
  set_threads_local_t* set_threads_local = nullptr;
};

// Sets this thread's BLAS thread count when the backend allows it. Returns the previous count,
// 0 if the backend is single-threaded anyway (Eigen), or -1 if it cannot be set.
int set_blas_threads_for_this_thread(int n);

// RAII: single-threaded BLAS on this thread for the scope (when possible). OpenBLAS's summation
// order can depend on its thread count for some shapes, so bitwise-reproducible results use one
// BLAS thread per run and get their parallelism from running several runs at once.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : previous_(set_blas_threads_for_this_thread(1)) {}
  ~SingleThreadedBlas() {
    if (previous_ > 0) set_blas_threads_for_this_thread(previous_);
  }
  bool pinned() const { return previous_ >= 0; }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  int previous_;
};

// The process-wide backend (set once at import, read afterwards).
Backend& backend();
std::string backend_name();

}  // namespace scalinglaws::linalg
