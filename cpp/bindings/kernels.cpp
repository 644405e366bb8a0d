// _core.kernels: kernel (Gram) matrices for the spectral analysis of real data.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "bindings.hpp"
#include "scalinglaws/kernels/kernel_matrix.hpp"

namespace scalinglaws::bindings {
void register_kernels(py::module_& parent) {
  py::module_ m =
      parent.def_submodule("kernels", "Kernel (Gram) matrices: rbf, laplace, nngp, ntk");

  const kernels::Params d;
  py::class_<kernels::Params> params(m, "Params", "Kernel and its parameters.");
  params
      .def(py::init([](const std::string& kind, double bandwidth, int depth, double weight_variance,
                       double bias_variance, int threads) {
             return kernels::Params{kernels::kind_from_string(kind),
                                    bandwidth,
                                    depth,
                                    weight_variance,
                                    bias_variance,
                                    threads};
           }),
           py::kw_only(), py::arg("kind") = kernels::kind_name(d.kind),
           py::arg("bandwidth") = d.bandwidth, py::arg("depth") = d.depth,
           py::arg("weight_variance") = d.weight_variance,
           py::arg("bias_variance") = d.bias_variance, py::arg("threads") = d.threads)
      .def_property(
          "kind", [](const kernels::Params& p) { return kernels::kind_name(p.kind); },
          [](kernels::Params& p, const std::string& kind) {
            p.kind = kernels::kind_from_string(kind);
          },
          "'rbf', 'laplace', 'nngp' or 'ntk'.")
      .def_readwrite("bandwidth", &kernels::Params::bandwidth)
      .def_readwrite("depth", &kernels::Params::depth)
      .def_readwrite("weight_variance", &kernels::Params::weight_variance)
      .def_readwrite("bias_variance", &kernels::Params::bias_variance)
      .def_readwrite("threads", &kernels::Params::threads);
  add_repr(params, {"kind", "bandwidth", "depth", "weight_variance", "bias_variance", "threads"});

  m.def(
      "matrix",
      [](const Matrix& X, std::optional<Matrix> Z, const kernels::Params& p) {
        py::gil_scoped_release release;
        return Z ? kernels::kernel_matrix(X, *Z, p) : kernels::kernel_matrix(X, p);
      },
      py::arg("X"), py::arg("Z") = py::none(), py::arg("params") = kernels::Params(),
      "Kernel matrix K(X, Z) (rows are points); Z = None gives the symmetric K(X, X). "
      "Use scalinglaws.spectra.kernel_matrix (validated).");
}

}  // namespace scalinglaws::bindings
