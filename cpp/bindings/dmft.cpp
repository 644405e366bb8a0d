// _core.dmft: DMFT theory of Bordelon, Atanasov & Pehlevan (2024).
#include <pybind11/complex.h>
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <stdexcept>
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
                       double sigma2, double tail_start, double tail_b, double tail_a,
                       double tail_scale) {
             return dmft::Spectrum{to_std(lam), to_std(wstar2), inv_N,  inv_P,     sigma2,
                                   tail_start,  tail_b,         tail_a, tail_scale};
           }),
           py::kw_only(), py::arg("lam"), py::arg("wstar2"), py::arg("inv_N") = 0.0,
           py::arg("inv_P") = 0.0, py::arg("sigma2") = 0.0, py::arg("tail_start") = 0.0,
           py::arg("tail_b") = 0.0, py::arg("tail_a") = 0.0, py::arg("tail_scale") = 1.0)
      .def_readwrite("inv_N", &dmft::Spectrum::inv_N)
      .def_readwrite("inv_P", &dmft::Spectrum::inv_P)
      .def_readwrite("sigma2", &dmft::Spectrum::sigma2)
      .def_readonly("tail_start", &dmft::Spectrum::tail_start)
      .def_readonly("tail_b", &dmft::Spectrum::tail_b)
      .def_readonly("tail_a", &dmft::Spectrum::tail_a)
      .def_readonly("tail_scale", &dmft::Spectrum::tail_scale);
  add_array_field(spectrum, "lam", &dmft::Spectrum::lam);
  add_array_field(spectrum, "wstar2", &dmft::Spectrum::wstar2);
  add_repr(spectrum, {"lam", "wstar2", "inv_N", "inv_P", "sigma2", "tail_start", "tail_b", "tail_a",
                      "tail_scale"});

  const dmft::CurveOptions defaults;
  py::class_<dmft::CurveOptions> options(m, "CurveOptions",
                                         "Options of the time-domain DMFT curves.");
  options
      .def(py::init([](bool flow, double lr, double momentum, int nodes, int threads, double inv_E,
                       double inv_B, double u_max, const std::vector<double>& schedule_lr,
                       const std::vector<double>& schedule_steps) {
             return dmft::CurveOptions{flow,  lr,    momentum, nodes,       threads,
                                       inv_E, inv_B, u_max,    schedule_lr, schedule_steps};
           }),
           py::kw_only(), py::arg("flow") = defaults.flow, py::arg("lr") = defaults.lr,
           py::arg("momentum") = defaults.momentum, py::arg("nodes") = defaults.nodes,
           py::arg("threads") = defaults.threads, py::arg("inv_E") = defaults.inv_E,
           py::arg("inv_B") = defaults.inv_B, py::arg("u_max") = defaults.u_max,
           py::arg("schedule_lr") = defaults.schedule_lr,
           py::arg("schedule_steps") = defaults.schedule_steps)
      .def_readwrite("flow", &dmft::CurveOptions::flow)
      .def_readwrite("lr", &dmft::CurveOptions::lr)
      .def_readwrite("momentum", &dmft::CurveOptions::momentum)
      .def_readwrite("nodes", &dmft::CurveOptions::nodes)
      .def_readwrite("threads", &dmft::CurveOptions::threads)
      .def_readwrite("inv_E", &dmft::CurveOptions::inv_E)
      .def_readwrite("inv_B", &dmft::CurveOptions::inv_B)
      .def_readwrite("u_max", &dmft::CurveOptions::u_max)
      .def_readwrite("schedule_lr", &dmft::CurveOptions::schedule_lr)
      .def_readwrite("schedule_steps", &dmft::CurveOptions::schedule_steps);
  add_repr(options, {"flow", "lr", "momentum", "nodes", "threads", "inv_E", "inv_B", "u_max",
                     "schedule_lr", "schedule_steps"});

  m.def(
      "solve",
      [](const dmft::Spectrum& sp, const std::vector<std::complex<double>>& q, int threads) {
        py::gil_scoped_release release;
        return dmft::solve_many(sp, q, threads);
      },
      py::arg("spectrum"), py::arg("q"), py::arg("threads") = 0,
      "S(q) of the scalar self-consistency at each frequency q (sigma2 unused).");
  m.def(
      "tail_sums",
      [](const dmft::Spectrum& sp, int power, const std::vector<std::complex<double>>& q,
         const std::vector<std::complex<double>>& x) {
        dmft::check_spectrum(sp);
        if (!sp.has_tail())
          throw std::invalid_argument("the spectrum has no tail (tail_start = 0)");
        if (power < 0 || power > 3) throw std::invalid_argument("power must be 0, 1, 2 or 3");
        if (q.size() != x.size()) throw std::invalid_argument("q and x must have the same length");
        std::vector<std::complex<double>> t1(q.size()), t2(q.size());
        for (std::size_t i = 0; i < q.size(); ++i)
          dmft::tail_sums(sp, static_cast<dmft::TailPower>(power), q[i], x[i], t1[i], t2[i]);
        return py::make_tuple(t1, t2);
      },
      py::arg("spectrum"), py::arg("power"), py::arg("q"), py::arg("x"),
      "Tail sums (T1, T2) = (sum c_k/(q + lambda_k x), sum c_k/(q + lambda_k x)^2) over the tail "
      "k >= tail_start, with c_k = lambda_k (power 0), lambda_k^2 (1), lambda_k w*_k^2 (2) or "
      "lambda_k^2 w*_k^2 (3).");
  m.def(
      "tail_power_sum",
      [](const dmft::Spectrum& sp, double p) {
        dmft::check_spectrum(sp);
        return dmft::tail_power_sum(sp, p);
      },
      py::arg("spectrum"), py::arg("p"),
      "sum over the tail k >= tail_start of k^-p (p > 1; 0 without a tail).");
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
