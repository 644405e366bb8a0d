#include <pybind11/complex.h>
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "scalinglaws/dmft.hpp"

namespace py = pybind11;

namespace scalinglaws::bindings {
namespace {

dmft::Spectrum make_spectrum(const Vector& lam, const Vector& wstar2, double inv_N, double inv_P,
                             double sigma2) {
  dmft::Spectrum sp;
  sp.lam.assign(lam.data(), lam.data() + lam.size());
  sp.wstar2.assign(wstar2.data(), wstar2.data() + wstar2.size());
  sp.inv_N = inv_N;
  sp.inv_P = inv_P;
  sp.sigma2 = sigma2;
  return sp;
}

}  // namespace

void register_dmft(py::module_& m) {
  py::register_exception<dmft::SolveError>(m, "DmftSolveError", PyExc_RuntimeError);
  m.def(
      "dmft_solve",
      [](const Vector& lam, const Vector& wstar2, double inv_N, double inv_P,
         std::vector<std::complex<double>> q, int threads) {
        auto sp = make_spectrum(lam, wstar2, inv_N, inv_P, 0.0);
        std::vector<std::complex<double>> S;
        {
          py::gil_scoped_release release;
          S = dmft::solve_many(sp, q, threads);
        }
        return S;
      },
      py::arg("lam"), py::arg("wstar2"), py::arg("inv_N"), py::arg("inv_P"), py::arg("q"),
      py::arg("threads") = 0);
  m.def(
      "dmft_loss_curve",
      [](const Vector& lam, const Vector& wstar2, double inv_N, double inv_P, double sigma2,
         std::vector<double> times, bool flow, double lr, int nodes, int threads, double inv_E,
         double inv_B, double momentum) {
        auto sp = make_spectrum(lam, wstar2, inv_N, inv_P, sigma2);
        dmft::CurveOptions opt;
        opt.flow = flow;
        opt.lr = lr;
        opt.nodes = nodes;
        opt.threads = threads;
        opt.inv_E = inv_E;
        opt.inv_B = inv_B;
        opt.momentum = momentum;
        std::vector<double> test, train;
        {
          py::gil_scoped_release release;
          dmft::loss_curve(sp, times, opt, test, train);
        }
        return py::make_tuple(test, train);
      },
      py::arg("lam"), py::arg("wstar2"), py::arg("inv_N"), py::arg("inv_P"), py::arg("sigma2"),
      py::arg("times"), py::arg("flow"), py::arg("lr"), py::arg("nodes"), py::arg("threads") = 0,
      py::arg("inv_E") = 1.0, py::arg("inv_B") = 1.0, py::arg("momentum") = 0.0);
  m.def(
      "dmft_transfer",
      [](const Vector& lam, const Vector& wstar2, double inv_N, double inv_P,
         std::vector<double> times, std::vector<int> modes, bool flow, double lr, int nodes,
         int threads, double momentum) {
        auto sp = make_spectrum(lam, wstar2, inv_N, inv_P, 0.0);
        dmft::CurveOptions opt;
        opt.flow = flow;
        opt.lr = lr;
        opt.nodes = nodes;
        opt.threads = threads;
        opt.momentum = momentum;
        Matrix out;
        {
          py::gil_scoped_release release;
          out = dmft::transfer(sp, times, modes, opt);
        }
        return out;
      },
      py::arg("lam"), py::arg("wstar2"), py::arg("inv_N"), py::arg("inv_P"), py::arg("times"),
      py::arg("modes"), py::arg("flow"), py::arg("lr"), py::arg("nodes"), py::arg("threads") = 0,
      py::arg("momentum") = 0.0);
}

}  // namespace scalinglaws::bindings
