// _core.dmft: DMFT theory of Bordelon, Atanasov & Pehlevan (2024).
#include <pybind11/complex.h>
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <vector>

#include "bindings.hpp"
#include "scalinglaws/dmft/loss_curve.hpp"
#include "scalinglaws/dmft/solve.hpp"
#include "scalinglaws/dmft/transfer.hpp"

namespace scalinglaws::bindings {

void register_dmft(py::module_& parent) {
  py::module_ m = parent.def_submodule("dmft", "DMFT theory (Bordelon, Atanasov & Pehlevan 2024)");

  py::class_<dmft::Spectrum> spectrum(m, "Spectrum",
                                      "The problem as the DMFT sees it: spectrum, target power, "
                                      "1/N, 1/P (0 = infinity) and the label-noise variance.");
  spectrum
      .def(py::init([](const Vector& lam, const Vector& wstar2, double inv_N, double inv_P,
                       double sigma2) {
             return dmft::Spectrum{to_std(lam), to_std(wstar2), inv_N, inv_P, sigma2};
           }),
           py::kw_only(), py::arg("lam"), py::arg("wstar2"), py::arg("inv_N") = 0.0,
           py::arg("inv_P") = 0.0, py::arg("sigma2") = 0.0)
      .def_readwrite("inv_N", &dmft::Spectrum::inv_N)
      .def_readwrite("inv_P", &dmft::Spectrum::inv_P)
      .def_readwrite("sigma2", &dmft::Spectrum::sigma2);
  add_array_field(spectrum, "lam", &dmft::Spectrum::lam);
  add_array_field(spectrum, "wstar2", &dmft::Spectrum::wstar2);
  add_repr(spectrum, {"lam", "wstar2", "inv_N", "inv_P", "sigma2"});

  const dmft::CurveOptions defaults;
  py::class_<dmft::CurveOptions> options(m, "CurveOptions",
                                         "Options of the time-domain DMFT curves.");
  options
      .def(py::init([](bool flow, double lr, double momentum, int nodes, int threads, double inv_E,
                       double inv_B) {
             return dmft::CurveOptions{flow, lr, momentum, nodes, threads, inv_E, inv_B};
           }),
           py::kw_only(), py::arg("flow") = defaults.flow, py::arg("lr") = defaults.lr,
           py::arg("momentum") = defaults.momentum, py::arg("nodes") = defaults.nodes,
           py::arg("threads") = defaults.threads, py::arg("inv_E") = defaults.inv_E,
           py::arg("inv_B") = defaults.inv_B)
      .def_readwrite("flow", &dmft::CurveOptions::flow)
      .def_readwrite("lr", &dmft::CurveOptions::lr)
      .def_readwrite("momentum", &dmft::CurveOptions::momentum)
      .def_readwrite("nodes", &dmft::CurveOptions::nodes)
      .def_readwrite("threads", &dmft::CurveOptions::threads)
      .def_readwrite("inv_E", &dmft::CurveOptions::inv_E)
      .def_readwrite("inv_B", &dmft::CurveOptions::inv_B);
  add_repr(options, {"flow", "lr", "momentum", "nodes", "threads", "inv_E", "inv_B"});

  m.def(
      "solve",
      [](const dmft::Spectrum& sp, const std::vector<std::complex<double>>& q, int threads) {
        py::gil_scoped_release release;
        return dmft::solve_many(sp, q, threads);
      },
      py::arg("spectrum"), py::arg("q"), py::arg("threads") = 0,
      "S(q) of the scalar self-consistency at each frequency q (sigma2 unused).");
  m.def(
      "loss_curve",
      [](const dmft::Spectrum& sp, const std::vector<double>& times,
         const dmft::CurveOptions& opt) {
        std::vector<double> test, train;
        {
          py::gil_scoped_release release;
          dmft::loss_curve(sp, times, opt, test, train);
        }
        return py::make_tuple(test, train);
      },
      py::arg("spectrum"), py::arg("times"), py::arg("options"),
      "(test, train) losses at the given times (flow time t, or GD step count).");
  m.def(
      "transfer",
      [](const dmft::Spectrum& sp, const std::vector<double>& times, const std::vector<int>& modes,
         const dmft::CurveOptions& opt) {
        py::gil_scoped_release release;
        return dmft::transfer(sp, times, modes, opt);
      },
      py::arg("spectrum"), py::arg("times"), py::arg("modes"), py::arg("options"),
      "Transfer functions H_k(t): rows = times, columns = the 0-based modes (sigma2, inv_E, inv_B "
      "unused).");
}

}  // namespace scalinglaws::bindings
