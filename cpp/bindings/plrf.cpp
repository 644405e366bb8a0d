// _core.plrf: power-law random features (Paquette, Paquette, Xiao & Pennington 2024).
#include <pybind11/complex.h>
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "scalinglaws/checks.hpp"
#include "scalinglaws/plrf/edges.hpp"
#include "scalinglaws/plrf/resolvent.hpp"
#include "scalinglaws/plrf/spectrum.hpp"
#include "scalinglaws/plrf/sums.hpp"
#include "scalinglaws/plrf/volterra.hpp"
#include "scalinglaws/schedule.hpp"

namespace scalinglaws::bindings {
namespace {

using namespace pybind11::literals;

// Sums for lambda_j = j^-2alpha with the target power 2 alpha + 2 beta at index 2 (if beta).
plrf::PowerLawSums make_sums(double alpha, double v, std::optional<double> beta) {
  std::vector<double> extra;
  if (beta) extra.push_back(2.0 * alpha + 2.0 * (*beta));
  return plrf::PowerLawSums(alpha, v, extra);
}

void check_complex(std::complex<double> x, const char* name) {
  checks::require(std::isfinite(x.real()) && std::isfinite(x.imag()), name, "must be finite");
}

// Appends Python's repr of the finite double v (shortest round-trip digits; fixed notation for
// decimal exponents -5 < e < 16, else d.ddde+XX), so that the output equals json.dumps.
void append_repr(std::string& out, double v) {
  char buf[64];
  if (v == 0.0) {
    out += std::signbit(v) ? "-0.0" : "0.0";
    return;
  }
  const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  const char* p = buf;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  std::string digits;
  const char* q = p;
  for (; q < res.ptr && *q != 'e'; ++q)
    if (*q != '.') digits += *q;
  int exp10 = 0;
  if (q < res.ptr) std::from_chars(q + (q[1] == '+' ? 2 : 1), res.ptr, exp10);
  const int nd = static_cast<int>(digits.size());
  const int decpt = exp10 + 1;
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    out += exp10 < 0 ? '-' : '+';
    const int ae = exp10 < 0 ? -exp10 : exp10;
    if (ae < 10) out += '0';
    out += std::to_string(ae);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= nd) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - nd), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<std::size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<std::size_t>(decpt), std::string::npos);
  }
}

}  // namespace

void register_plrf(py::module_& parent) {
  py::module_ m = parent.def_submodule(
      "plrf", "Power-law random features (Paquette, Paquette, Xiao & Pennington 2024)");

  const plrf::SpectrumOptions sdef;
  py::class_<plrf::SpectrumOptions> sopt(m, "SpectrumOptions",
                                         "Grid of the deterministic-equivalent spectrum.");
  sopt.def(py::init([](double x_lo, double x_hi, double points_per_bump, double eta_rel,
                       int threads, double refine_rtol) {
             return plrf::SpectrumOptions{x_lo,    x_hi,    points_per_bump,
                                          eta_rel, threads, refine_rtol};
           }),
           py::kw_only(), py::arg("x_lo"), py::arg("x_hi"), py::arg("points_per_bump"),
           py::arg("eta_rel") = sdef.eta_rel, py::arg("threads") = sdef.threads,
           py::arg("refine_rtol") = sdef.refine_rtol)
      .def_readwrite("x_lo", &plrf::SpectrumOptions::x_lo)
      .def_readwrite("x_hi", &plrf::SpectrumOptions::x_hi)
      .def_readwrite("points_per_bump", &plrf::SpectrumOptions::points_per_bump)
      .def_readwrite("eta_rel", &plrf::SpectrumOptions::eta_rel)
      .def_readwrite("threads", &plrf::SpectrumOptions::threads)
      .def_readwrite("refine_rtol", &plrf::SpectrumOptions::refine_rtol);
  add_repr(sopt, {"x_lo", "x_hi", "points_per_bump", "eta_rel", "threads", "refine_rtol"});

  const plrf::VolterraOptions vdef;
  py::class_<plrf::VolterraOptions> vopt(m, "VolterraOptions",
                                         "One-pass SGD (batch-sum convention) for the Volterra "
                                         "loss.");
  vopt.def(py::init([](double gamma, int batch, std::vector<std::int64_t> checkpoints,
                       std::int64_t exact_steps, double block_rel, Schedule schedule,
                       double cluster_width, int cluster_nodes) {
             return plrf::VolterraOptions{gamma,         batch,        std::move(checkpoints),
                                          exact_steps,   block_rel,    std::move(schedule),
                                          cluster_width, cluster_nodes};
           }),
           py::kw_only(), py::arg("gamma"), py::arg("batch"), py::arg("checkpoints"),
           py::arg("exact_steps") = vdef.exact_steps, py::arg("block_rel") = vdef.block_rel,
           py::arg("schedule") = vdef.schedule, py::arg("cluster_width") = vdef.cluster_width,
           py::arg("cluster_nodes") = vdef.cluster_nodes)
      .def_readwrite("gamma", &plrf::VolterraOptions::gamma)
      .def_readwrite("batch", &plrf::VolterraOptions::batch)
      .def_readwrite("checkpoints", &plrf::VolterraOptions::checkpoints)
      .def_readwrite("exact_steps", &plrf::VolterraOptions::exact_steps)
      .def_readwrite("block_rel", &plrf::VolterraOptions::block_rel)
      .def_readwrite("schedule", &plrf::VolterraOptions::schedule)
      .def_readwrite("cluster_width", &plrf::VolterraOptions::cluster_width)
      .def_readwrite("cluster_nodes", &plrf::VolterraOptions::cluster_nodes);
  add_repr(vopt, {"gamma", "batch", "checkpoints", "exact_steps", "block_rel", "schedule",
                  "cluster_width", "cluster_nodes"});

  m.def(
      "solve_m",
      [](double alpha, double v, int d, const plrf::VectorC& z, int threads) {
        py::gil_scoped_release release;
        plrf::PowerLawSums S = make_sums(alpha, v, std::nullopt);
        return plrf::solve_m(S, d, z, threads);
      },
      py::arg("alpha"), py::arg("v"), py::arg("d"), py::arg("z"), py::arg("threads") = 0,
      "m(z) of the deterministic equivalent at each z (Im z > 0).");

  m.def(
      "sums",
      [](double alpha, double v, double p, std::complex<double> mm, std::complex<double> z) {
        check_complex(mm, "m");
        check_complex(z, "z");
        std::complex<double> s1, s2;
        {
          py::gil_scoped_release release;
          plrf::PowerLawSums S(alpha, v, {p});
          S.eval(2, mm, z, s1, s2);
        }
        return py::make_tuple(s1, s2);
      },
      py::arg("alpha"), py::arg("v"), py::arg("p"), py::arg("m"), py::arg("z"),
      "(sum_j j^-p / h_j, sum_j j^-p / h_j^2) with h_j = j^-2alpha m - z.");

  m.def(
      "edges",
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
      py::arg("alpha"), py::arg("beta"), py::arg("v"), py::arg("d"),
      "(lambda_min, c, F_0, sum_j j^-(2alpha+2beta), sum_j j^-2alpha); NaN entries without beta.");

  m.def(
      "spectrum",
      [](double alpha, std::optional<double> beta, double v, int d,
         const plrf::SpectrumOptions& opt) {
        plrf::DetSpectrum s;
        {
          py::gil_scoped_release release;
          plrf::PowerLawSums S = make_sums(alpha, v, beta);
          s = plrf::deterministic_spectrum(S, 0, beta ? 2 : -1, d, opt);
        }
        return py::dict("x"_a = s.x, "density"_a = s.density, "rho_density"_a = s.rho_density,
                        "eigenvalues"_a = s.eigenvalues, "rho"_a = s.rho,
                        "total_count"_a = s.total_count, "total_lam_rho"_a = s.total_lam_rho,
                        "solved"_a = s.solved);
      },
      py::arg("alpha"), py::arg("beta"), py::arg("v"), py::arg("d"), py::arg("options"),
      "Deterministic-equivalent density, eigenvalues and target weights (a dict).");

  m.def(
      "volterra",
      [](const plrf::VectorD& lam, const plrf::VectorD& rho, double p_inf,
         const plrf::VolterraOptions& opt) {
        py::gil_scoped_release release;
        return plrf::volterra_loss(lam, rho, p_inf, opt);
      },
      py::arg("lam"), py::arg("rho"), py::arg("p_inf"), py::arg("options"),
      "SGD loss P(r) at the checkpoints from the discrete Volterra equation.");

  m.def(
      "json_floats",
      [](const plrf::VectorD& x) {
        std::string out;
        {
          py::gil_scoped_release release;
          checks::require(x.allFinite(), "x", "must be finite (JSON has no NaN/inf)");
          out.reserve(static_cast<std::size_t>(x.size()) * 24 + 2);
          out += '[';
          for (Eigen::Index i = 0; i < x.size(); ++i) {
            if (i > 0) out += ", ";
            append_repr(out, x[i]);
          }
          out += ']';
        }
        return out;
      },
      py::arg("x"), "json.dumps(list(x)) for finite doubles, in C++ (the CLI's large spectra).");

  m.def(
      "forcing_kernel",
      [](const plrf::VectorD& lam, const plrf::VectorD& rho, double gamma, int batch,
         const std::vector<double>& steps, int threads) {
        plrf::VectorD F, K;
        {
          py::gil_scoped_release release;
          plrf::forcing_kernel(lam, rho, gamma, batch, steps, F, K, threads);
        }
        return py::make_tuple(F, K);
      },
      py::arg("lam"), py::arg("rho"), py::arg("gamma"), py::arg("batch"), py::arg("steps"),
      py::arg("threads") = 0, "(F(r) - P_inf, K(r)) at the given steps.");
}

}  // namespace scalinglaws::bindings
