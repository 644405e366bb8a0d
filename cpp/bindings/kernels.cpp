#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "bindings.hpp"
#include "scalinglaws/kernels.hpp"

namespace py = pybind11;

namespace scalinglaws::bindings {

void register_kernels(py::module_& m) {
  m.def(
      "kernel_matrix",
      [](const Matrix& X, std::optional<Matrix> Z, const std::string& kind, double bandwidth,
         int depth, double weight_variance, double bias_variance, int threads) {
        kernels::Params p;
        p.kind = kernels::kind_from_string(kind);
        p.bandwidth = bandwidth;
        p.depth = depth;
        p.weight_variance = weight_variance;
        p.bias_variance = bias_variance;
        p.threads = threads;
        Matrix K;
        {
          py::gil_scoped_release release;
          K = Z ? kernels::kernel_matrix(X, *Z, p) : kernels::kernel_matrix(X, p);
        }
        return K;
      },
      py::arg("X"), py::arg("Z") = py::none(), py::arg("kind") = "ntk", py::arg("bandwidth") = 1.0,
      py::arg("depth") = 1, py::arg("weight_variance") = 2.0, py::arg("bias_variance") = 0.0,
      py::arg("threads") = 0,
      "Kernel matrix K(X, Z) (rows are points); Z = None gives the symmetric K(X, X). "
      "Use scalinglaws.spectra.kernel_matrix (validated).");
}

}  // namespace scalinglaws::bindings
