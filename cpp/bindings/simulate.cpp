#include <pybind11/eigen.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "scalinglaws/simulate.hpp"

namespace py = pybind11;

namespace scalinglaws::bindings {
namespace {

ProblemSpec make_spec(const Vector& lam, const Vector& wstar, int N, double sigma) {
  ProblemSpec s;
  s.lam.assign(lam.data(), lam.data() + lam.size());
  s.wstar.assign(wstar.data(), wstar.data() + wstar.size());
  s.N = N;
  s.sigma = sigma;
  return s;
}

}  // namespace

void register_simulate(py::module_& m) {
  m.def(
      "draw_problem",
      [](const Vector& lam, const Vector& wstar, int N, double sigma, int P, int ensemble,
         std::uint64_t projection_seed, std::uint64_t data_seed, bool explicit_matrices,
         int threads, int bag) {
        ProblemSpec spec = make_spec(lam, wstar, N, sigma);
        if (bag < 0) throw std::invalid_argument("bag must be >= 0");
        if (bag > 0 && explicit_matrices)
          throw std::invalid_argument("bag > 0 is drawn from the conditional law only");
        Draw d;
        {
          py::gil_scoped_release release;
          d = draw_problem(spec, P, ensemble, projection_seed, data_seed, explicit_matrices, threads);
          if (bag > 0) draw_bag_samples(d, P, data_seed, bag, sigma, threads, d.phi, d.y);
        }
        py::dict out;
        out["phi"] = d.phi;
        out["y"] = d.y;
        out["sigma"] = d.sigma_mat;
        out["q"] = d.q;
        out["c0"] = d.c0;
        if (explicit_matrices) {
          out["F"] = d.F;
          out["psi"] = d.psi;
          out["noise"] = d.noise;
        }
        return out;
      },
      py::arg("lam"), py::arg("wstar"), py::arg("N"), py::arg("sigma"), py::arg("P"),
      py::arg("ensemble"), py::arg("projection_seed"), py::arg("data_seed"),
      py::arg("explicit_matrices") = false, py::arg("threads") = 0, py::arg("bag") = 0);

  m.def(
      "simulate_gd",
      [](const Vector& lam, const Vector& wstar, int N, double sigma, int P, int ensemble,
         double lr, bool flow, std::vector<double> times, std::vector<std::uint64_t> data_seeds,
         std::vector<std::uint64_t> projection_seeds, int threads, int bags, double momentum) {
        ProblemSpec spec = make_spec(lam, wstar, N, sigma);
        GdOptions opt;
        opt.momentum = momentum;
        opt.P = P;
        opt.ensemble = ensemble;
        opt.bags = bags;
        opt.lr = lr;
        opt.flow = flow;
        opt.times = std::move(times);
        opt.data_seeds = std::move(data_seeds);
        opt.projection_seeds = std::move(projection_seeds);
        opt.threads = threads;
        GdResult r;
        {
          py::gil_scoped_release release;
          r = simulate_gd(spec, opt);
        }
        return py::make_tuple(r.test, r.train, r.max_gram_eig);
      },
      py::arg("lam"), py::arg("wstar"), py::arg("N"), py::arg("sigma"), py::arg("P"),
      py::arg("ensemble"), py::arg("lr"), py::arg("flow"), py::arg("times"), py::arg("data_seeds"),
      py::arg("projection_seeds"), py::arg("threads") = 0, py::arg("bags") = 1,
      py::arg("momentum") = 0.0);
  m.def("heavy_ball_gain", &heavy_ball_gain, py::arg("g"), py::arg("n"), py::arg("lr"),
        py::arg("mu"));
  m.def("continuous_momentum_gain", &continuous_momentum_gain, py::arg("g"), py::arg("t"),
        py::arg("beta"));

  m.def(
      "sgd_setup",
      [](const Vector& lam, const Vector& wstar, int N, std::uint64_t projection_seed, int threads) {
        ProblemSpec spec = make_spec(lam, wstar, N, 0.0);
        SgdSetup st;
        {
          py::gil_scoped_release release;
          st = sgd_setup(spec, projection_seed, threads);
        }
        return py::make_tuple(st.s, st.e0, st.p_inf);
      },
      py::arg("lam"), py::arg("wstar"), py::arg("N"), py::arg("projection_seed"),
      py::arg("threads") = 0);

  m.def("sgd_max_stable_gamma", &sgd_max_stable_gamma, py::arg("s"), py::arg("batch"));

  m.def(
      "simulate_sgd",
      [](const Vector& lam, const Vector& wstar, int N, double sigma, int batch, double lr,
         bool batch_mean, std::int64_t steps, std::vector<std::int64_t> checkpoints,
         std::vector<std::uint64_t> data_seeds, std::vector<std::uint64_t> projection_seeds,
         int threads) {
        ProblemSpec spec = make_spec(lam, wstar, N, sigma);
        SgdOptions opt;
        opt.batch = batch;
        opt.lr = lr;
        opt.batch_mean = batch_mean;
        opt.steps = steps;
        opt.checkpoints = std::move(checkpoints);
        opt.data_seeds = std::move(data_seeds);
        opt.projection_seeds = std::move(projection_seeds);
        opt.threads = threads;
        SgdResult r;
        {
          py::gil_scoped_release release;
          r = simulate_sgd(spec, opt);
        }
        return r.test;
      },
      py::arg("lam"), py::arg("wstar"), py::arg("N"), py::arg("sigma"), py::arg("batch"),
      py::arg("lr"), py::arg("batch_mean"), py::arg("steps"), py::arg("checkpoints"),
      py::arg("data_seeds"), py::arg("projection_seeds"), py::arg("threads") = 0);

  m.def(
      "normal_samples",
      [](std::uint64_t seed, std::int64_t n) {
        py::gil_scoped_release release;
        return normal_samples(seed, n);
      },
      py::arg("seed"), py::arg("n"));
}

}  // namespace scalinglaws::bindings
