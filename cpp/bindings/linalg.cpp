// _core.linalg: the BLAS/LAPACK backend hooks and the symmetric eigensolver.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "scalinglaws/linalg/backend.hpp"
#include "scalinglaws/linalg/lapack.hpp"

namespace scalinglaws::bindings {
namespace {

void* capsule_pointer(const py::object& capsule, const char* what) {
  PyObject* obj = capsule.ptr();
  if (!PyCapsule_CheckExact(obj))
    throw std::invalid_argument(std::string(what) + " is not a capsule");
  void* p = PyCapsule_GetPointer(obj, PyCapsule_GetName(obj));
  if (p == nullptr) throw py::error_already_set();
  return p;
}

}  // namespace

void register_linalg(py::module_& parent) {
  py::module_ m = parent.def_submodule("linalg", "BLAS/LAPACK backend of the core");
  m.def(
      "_set_lapack",
      [](py::object dgemm, py::object dsyrk, py::object dsyevd, py::object dpotrf,
         py::object dtrmm) {
        auto& be = linalg::backend();
        be.dgemm = reinterpret_cast<linalg::dgemm_t*>(capsule_pointer(dgemm, "dgemm"));
        be.dsyrk = reinterpret_cast<linalg::dsyrk_t*>(capsule_pointer(dsyrk, "dsyrk"));
        be.dsyevd = reinterpret_cast<linalg::dsyevd_t*>(capsule_pointer(dsyevd, "dsyevd"));
        be.dpotrf = reinterpret_cast<linalg::dpotrf_t*>(capsule_pointer(dpotrf, "dpotrf"));
        be.dtrmm = reinterpret_cast<linalg::dtrmm_t*>(capsule_pointer(dtrmm, "dtrmm"));
      },
      py::arg("dgemm"), py::arg("dsyrk"), py::arg("dsyevd"), py::arg("dpotrf"), py::arg("dtrmm"),
      "Install BLAS/LAPACK routines from scipy.linalg.cython_blas / cython_lapack capsules.");
  m.def(
      "_set_blas_threads_local",
      [](std::uintptr_t address) {
        linalg::backend().set_threads_local =
            reinterpret_cast<linalg::set_threads_local_t*>(address);
      },
      py::arg("address"),
      "Address of openblas_set_num_threads_local(int) of the BLAS in use (0 to unset).");
  m.def(
      "_clear_lapack", []() { linalg::backend() = linalg::Backend{}; },
      "Fall back to Eigen's own routines (for tests and benchmarks).");
  m.def("backend", &linalg::backend_name, "'lapack' (scipy's LAPACK) or 'eigen'.");
  m.def(
      "symmetric_eigh",
      [](const Eigen::Ref<const Matrix>& a) {
        Matrix u = a;
        Vector w;
        {
          py::gil_scoped_release release;
          linalg::symmetric_eigh(u, w);
        }
        return py::make_tuple(w, u);
      },
      py::arg("a"),
      "Eigenvalues (ascending) and eigenvectors of a symmetric matrix (lower triangle read).");
}

}  // namespace scalinglaws::bindings
