// _core.simulate: finite-width simulation of the Gaussian linear random-feature model.
#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "scalinglaws/rng.hpp"
#include "scalinglaws/schedule.hpp"
#include "scalinglaws/simulate/gains.hpp"
#include "scalinglaws/simulate/gd.hpp"
#include "scalinglaws/simulate/problem.hpp"
#include "scalinglaws/simulate/sgd.hpp"

namespace scalinglaws::bindings {
namespace {

using namespace pybind11::literals;

void bind_problem(py::module_& m) {
  py::class_<ProblemSpec> spec(
      m, "ProblemSpec", "Spectrum lam (> 0), target wstar, model size N, label noise sigma.");
  spec.def(py::init([](const Vector& lam, const Vector& wstar, int N, double sigma) {
             return ProblemSpec{to_std(lam), to_std(wstar), N, sigma};
           }),
           py::kw_only(), py::arg("lam"), py::arg("wstar"), py::arg("N"), py::arg("sigma") = 0.0)
      .def_readwrite("N", &ProblemSpec::N)
      .def_readwrite("sigma", &ProblemSpec::sigma);
  add_array_field(spec, "lam", &ProblemSpec::lam);
  add_array_field(spec, "wstar", &ProblemSpec::wstar);
  add_repr(spec, {"lam", "wstar", "N", "sigma"});
}

// The fields GdOptions and SgdOptions share, bound once on their base class RunOptions.
void bind_run_options(py::module_& m) {
  py::class_<RunOptions>(m, "RunOptions",
                         "Base of GdOptions and SgdOptions: one data and one projection seed per "
                         "run, threads (0 = all cores) and the lr schedule.")
      .def_readwrite("data_seeds", &RunOptions::data_seeds)
      .def_readwrite("projection_seeds", &RunOptions::projection_seeds)
      .def_readwrite("threads", &RunOptions::threads)
      .def_readwrite("schedule", &RunOptions::schedule);
}

using Seeds = std::vector<std::uint64_t>;

// __repr__ of a RunOptions subclass: its own fields, then the RunOptions ones.
template <class Class>
void add_run_repr(Class& cls, std::vector<std::string> fields) {
  fields.insert(fields.end(), {"data_seeds", "projection_seeds", "threads", "schedule"});
  add_repr(cls, std::move(fields));
}

void bind_gd_options(py::module_& m) {
  const GdOptions d;
  py::class_<GdOptions, RunOptions> opt(m, "GdOptions",
                                        "Full-batch GD / gradient-flow simulation options.");
  opt.def(py::init([](int P, int ensemble, int bags, double lr, bool flow, double momentum,
                      std::vector<double> times, Seeds data_seeds, Seeds projection_seeds,
                      int threads, Schedule schedule) {
            return GdOptions{
                {std::move(data_seeds), std::move(projection_seeds), threads, std::move(schedule)},
                P,
                ensemble,
                bags,
                lr,
                flow,
                momentum,
                std::move(times)};
          }),
          py::kw_only(), py::arg("P"), py::arg("ensemble") = d.ensemble, py::arg("bags") = d.bags,
          py::arg("lr") = d.lr, py::arg("flow") = d.flow, py::arg("momentum") = d.momentum,
          py::arg("times"), py::arg("data_seeds"), py::arg("projection_seeds"),
          py::arg("threads") = d.threads, py::arg("schedule") = d.schedule)
      .def_readwrite("P", &GdOptions::P)
      .def_readwrite("ensemble", &GdOptions::ensemble)
      .def_readwrite("bags", &GdOptions::bags)
      .def_readwrite("lr", &GdOptions::lr)
      .def_readwrite("flow", &GdOptions::flow)
      .def_readwrite("momentum", &GdOptions::momentum)
      .def_readwrite("times", &GdOptions::times);
  add_run_repr(opt, {"P", "ensemble", "bags", "lr", "flow", "momentum", "times"});
}

void bind_sgd_options(py::module_& m) {
  const SgdOptions d;
  py::class_<SgdOptions, RunOptions> opt(m, "SgdOptions", "One-pass SGD simulation options.");
  opt.def(py::init([](int batch, double lr, bool batch_mean, std::int64_t steps,
                      std::vector<std::int64_t> checkpoints, Seeds data_seeds,
                      Seeds projection_seeds, int threads, Schedule schedule) {
            return SgdOptions{
                {std::move(data_seeds), std::move(projection_seeds), threads, std::move(schedule)},
                batch,
                lr,
                batch_mean,
                steps,
                std::move(checkpoints)};
          }),
          py::kw_only(), py::arg("batch") = d.batch, py::arg("lr"),
          py::arg("batch_mean") = d.batch_mean, py::arg("steps"), py::arg("checkpoints"),
          py::arg("data_seeds"), py::arg("projection_seeds"), py::arg("threads") = d.threads,
          py::arg("schedule") = d.schedule)
      .def_readwrite("batch", &SgdOptions::batch)
      .def_readwrite("lr", &SgdOptions::lr)
      .def_readwrite("batch_mean", &SgdOptions::batch_mean)
      .def_readwrite("steps", &SgdOptions::steps)
      .def_readwrite("checkpoints", &SgdOptions::checkpoints);
  add_run_repr(opt, {"batch", "lr", "batch_mean", "steps", "checkpoints"});
}

}  // namespace

void register_simulate(py::module_& parent) {
  py::module_ m = parent.def_submodule(
      "simulate", "Finite-width simulation of the Gaussian linear random-feature model");
  bind_problem(m);
  bind_run_options(m);
  bind_gd_options(m);
  bind_sgd_options(m);

  m.def(
      "draw_problem",
      [](const ProblemSpec& spec, int P, int ensemble, std::uint64_t projection_seed,
         std::uint64_t data_seed, bool explicit_matrices, int threads, int bag) {
        if (bag > 0 && explicit_matrices)
          throw std::invalid_argument("bag > 0 is drawn from the conditional law only");
        Draw d;
        {
          py::gil_scoped_release release;
          d = draw_problem(spec, P, ensemble, projection_seed, data_seed, explicit_matrices,
                           threads);
          if (bag != 0) draw_bag_samples(d, P, data_seed, bag, spec.sigma, threads, d.phi, d.y);
        }
        py::dict out("phi"_a = d.phi, "y"_a = d.y, "sigma"_a = d.sigma_mat, "q"_a = d.q,
                     "c0"_a = d.c0);
        if (explicit_matrices) {
          out["F"] = d.F;
          out["psi"] = d.psi;
          out["noise"] = d.noise;
        }
        return out;
      },
      py::arg("problem"), py::arg("P"), py::arg("ensemble"), py::arg("projection_seed"),
      py::arg("data_seed"), py::kw_only(), py::arg("explicit_matrices") = false,
      py::arg("threads") = 0, py::arg("bag") = 0,
      "One draw of the projection and of P training samples (a dict; tests and diagnostics).");

  m.def(
      "gd",
      [](const ProblemSpec& spec, const GdOptions& opt) {
        GdResult r;
        {
          py::gil_scoped_release release;
          r = simulate_gd(spec, opt);
        }
        return py::make_tuple(r.test, r.train, r.max_gram_eig);
      },
      py::arg("problem"), py::arg("options"),
      "(test, train, max_gram_eig) of full-batch GD / gradient flow, one row per run.");
  m.def("heavy_ball_gain", &heavy_ball_gain, py::arg("g"), py::arg("n"), py::arg("lr"),
        py::arg("mu"), py::call_guard<py::gil_scoped_release>());
  m.def("continuous_momentum_gain", &continuous_momentum_gain, py::arg("g"), py::arg("t"),
        py::arg("beta"), py::call_guard<py::gil_scoped_release>());

  m.def(
      "sgd_setup",
      [](const ProblemSpec& spec, std::uint64_t projection_seed, int threads) {
        SgdSetup st;
        {
          py::gil_scoped_release release;
          st = sgd_setup(spec, projection_seed, threads);
        }
        return py::make_tuple(st.s, st.e0, st.p_inf);
      },
      py::arg("problem"), py::arg("projection_seed"), py::arg("threads") = 0,
      "(s, e0, p_inf): eigenvalues of Sigma, initial error in its eigenbasis, best loss.");
  m.def("sgd_max_stable_gamma", &sgd_max_stable_gamma, py::arg("s"), py::arg("batch"),
        py::call_guard<py::gil_scoped_release>());
  m.def(
      "sgd",
      [](const ProblemSpec& spec, const SgdOptions& opt) {
        py::gil_scoped_release release;
        return simulate_sgd(spec, opt).test;
      },
      py::arg("problem"), py::arg("options"),
      "Population loss of one-pass SGD at the checkpoints, one row per run.");

  m.def(
      "normal_samples",
      [](std::uint64_t seed, std::int64_t n) {
        py::gil_scoped_release release;
        return normal_samples(seed, n);
      },
      py::arg("seed"), py::arg("n"));
}

}  // namespace scalinglaws::bindings
