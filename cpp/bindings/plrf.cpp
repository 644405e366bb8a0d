// Thin pybind11 binding of the power-law random-feature core (scalinglaws/plrf.hpp).
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <optional>

#include "bindings.hpp"
#include "scalinglaws/plrf.hpp"

namespace py = pybind11;

namespace scalinglaws::bindings {
namespace {

plrf::PowerLawSums make_sums(double alpha, double v, std::optional<double> beta) {
  std::vector<double> extra;
  if (beta) extra.push_back(2.0 * alpha + 2.0 * (*beta));
  return plrf::PowerLawSums(alpha, v, extra);
}

}  // namespace

void register_plrf(py::module_& m) {
  m.def(
      "plrf_solve_m",
      [](double alpha, double v, int d, const plrf::VectorC& z, int threads) {
        py::gil_scoped_release release;
        plrf::PowerLawSums S = make_sums(alpha, v, std::nullopt);
        return plrf::solve_m(S, d, z, threads);
      },
      py::arg("alpha"), py::arg("v"), py::arg("d"), py::arg("z"), py::arg("threads") = 0);

  m.def(
      "plrf_sums",
      [](double alpha, double v, double p, std::complex<double> mm, std::complex<double> z) {
        std::complex<double> s1, s2;
        {
          py::gil_scoped_release release;
          plrf::PowerLawSums S(alpha, v, {p});
          S.eval(2, mm, z, s1, s2);
        }
        return py::make_tuple(s1, s2);
      },
      py::arg("alpha"), py::arg("v"), py::arg("p"), py::arg("m"), py::arg("z"));

  m.def(
      "plrf_edges",
      [](double alpha, std::optional<double> beta, double v, int d) {
        double lmin, c, f0, target, trace;
        {
          py::gil_scoped_release release;
          plrf::PowerLawSums S = make_sums(alpha, v, beta);
          lmin = plrf::lambda_min(S, 0, 1, d);
          c = plrf::limit_c(S, d);
          f0 = beta ? plrf::limit_loss(S, 2, d) : std::nan("");
          target = beta ? S.power_sum(2.0 * alpha + 2.0 * (*beta)) : std::nan("");
          trace = S.power_sum(2.0 * alpha);
        }
        return py::make_tuple(lmin, c, f0, target, trace);
      },
      py::arg("alpha"), py::arg("beta"), py::arg("v"), py::arg("d"));

  m.def(
      "plrf_spectrum",
      [](double alpha, std::optional<double> beta, double v, int d, double x_lo, double x_hi,
         double points_per_bump, double eta_rel, int threads) {
        plrf::DetSpectrum s;
        {
          py::gil_scoped_release release;
          plrf::PowerLawSums S = make_sums(alpha, v, beta);
          s = plrf::deterministic_spectrum(S, 0, beta ? 2 : -1, d, x_lo, x_hi, points_per_bump,
                                           eta_rel, threads);
        }
        py::dict out;
        out["x"] = s.x;
        out["density"] = s.density;
        out["rho_density"] = s.rho_density;
        out["eigenvalues"] = s.eigenvalues;
        out["rho"] = s.rho;
        out["total_count"] = s.total_count;
        out["total_lam_rho"] = s.total_lam_rho;
        return out;
      },
      py::arg("alpha"), py::arg("beta"), py::arg("v"), py::arg("d"), py::arg("x_lo"),
      py::arg("x_hi"), py::arg("points_per_bump"), py::arg("eta_rel"), py::arg("threads") = 0);

  m.def(
      "plrf_volterra",
      [](const plrf::VectorD& lam, const plrf::VectorD& rho, double p_inf, double gamma, int B,
         std::vector<std::int64_t> checkpoints, std::int64_t exact_steps, double block_rel) {
        py::gil_scoped_release release;
        return plrf::volterra_loss(lam, rho, p_inf, gamma, B, checkpoints, exact_steps, block_rel);
      },
      py::arg("lam"), py::arg("rho"), py::arg("p_inf"), py::arg("gamma"), py::arg("batch"),
      py::arg("checkpoints"), py::arg("exact_steps"), py::arg("block_rel"));

  m.def(
      "plrf_forcing_kernel",
      [](const plrf::VectorD& lam, const plrf::VectorD& rho, double gamma, int B,
         std::vector<double> steps, int threads) {
        plrf::VectorD F, K;
        {
          py::gil_scoped_release release;
          plrf::forcing_kernel(lam, rho, gamma, B, steps, F, K, threads);
        }
        return py::make_tuple(F, K);
      },
      py::arg("lam"), py::arg("rho"), py::arg("gamma"), py::arg("batch"), py::arg("steps"),
      py::arg("threads") = 0);
}

}  // namespace scalinglaws::bindings
