#include "scalinglaws/simulate/sgd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/interrupt.hpp"
#include "scalinglaws/linalg/backend.hpp"
#include "scalinglaws/linalg/lapack.hpp"
#include "scalinglaws/parallel.hpp"
#include "scalinglaws/rng.hpp"

namespace scalinglaws {
SgdSetup sgd_setup(const ProblemSpec& spec, std::uint64_t projection_seed, int threads) {
  Draw d = draw_problem(spec, 0, 1, projection_seed, 0, false, threads);
  Matrix U = std::move(d.sigma_mat);
  Vector s;
  linalg::symmetric_eigh(U, s);
  const int N = spec.N;
  const double smax = std::max(s[N - 1], 0.0);
  const double tol = smax * N * std::numeric_limits<double>::epsilon();
  Vector a = U.transpose() * d.q;
  SgdSetup out;
  out.s = s.cwiseMax(0.0);
  out.e0 = Vector::Zero(N);
  double explained = 0.0;
  for (int k = 0; k < N; ++k) {
    if (s[k] > tol) {
      out.e0[k] = -a[k] / s[k];
      explained += a[k] * a[k] / s[k];
    }
  }
  out.p_inf = std::max(d.c0 - explained, 0.0);
  return out;
}

double sgd_max_stable_gamma(const Vector& s, int batch) {
  checks::non_empty(static_cast<std::size_t>(s.size()), "s");
  checks::all_non_negative(s.data(), static_cast<std::size_t>(s.size()), "s");
  checks::count_at_least(batch, 1, "batch");
  const double smax = s.maxCoeff();
  if (!(smax > 0.0)) return std::numeric_limits<double>::infinity();
  const double b1 = static_cast<double>(batch) + 1.0;
  auto kernel_norm = [&](double gamma) {
    double acc = 0.0;
    for (Eigen::Index k = 0; k < s.size(); ++k) acc += gamma * s[k] / (2.0 - gamma * b1 * s[k]);
    return acc;
  };
  double lo = 0.0, hi = 2.0 / (b1 * smax);
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (kernel_norm(mid) < 1.0)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

SgdResult simulate_sgd(const ProblemSpec& spec, const SgdOptions& opt) {
  check_spec(spec);
  if (opt.batch <= 0) throw std::invalid_argument("batch must be a positive integer");
  if (opt.data_seeds.size() != opt.projection_seeds.size())
    throw std::invalid_argument("data_seeds and projection_seeds differ in length");
  checks::non_empty(opt.data_seeds.size(), "data_seeds");
  checks::positive(opt.lr, "lr");
  checks::count_at_least(opt.steps, 0, "steps");
  checks::threads(opt.threads);
  checks::non_empty(opt.checkpoints.size(), "checkpoints");
  checks::sorted_from<std::int64_t>(opt.checkpoints.data(), opt.checkpoints.size(), 0, true,
                                    "checkpoints");
  checks::require(opt.checkpoints.back() <= opt.steps, "checkpoints", "must not exceed steps");
  check_schedule(opt.schedule);
  const std::size_t runs = opt.data_seeds.size();
  const int N = spec.N, B = opt.batch;
  const double gamma = opt.batch_mean ? opt.lr / B : opt.lr;
  const Schedule& sched = opt.schedule;
  // the stability check is at the schedule's peak rate (lr times its largest multiplier)
  const double peak = sched.empty() ? 1.0 : sched.max_over(opt.steps);
  const int threads = opt.threads > 0 ? opt.threads : default_threads();
  // Set-up: eigendecomposition of Sigma for each distinct projection, each on one thread with
  // single-threaded BLAS (bitwise reproducible whatever the thread count), several at once.
  std::vector<SgdSetup> setups(runs);
  std::vector<std::size_t> owner(runs);
  std::vector<std::size_t> distinct;
  for (std::size_t r = 0; r < runs; ++r) {
    owner[r] = r;
    for (std::size_t q : distinct)
      if (opt.projection_seeds[q] == opt.projection_seeds[r]) {
        owner[r] = q;
        break;
      }
    if (owner[r] == r) distinct.push_back(r);
  }
  {
    linalg::SingleThreadedBlas main_pin;
    const int setup_threads = main_pin.pinned() ? threads : 1;
    parallel_for(static_cast<std::ptrdiff_t>(distinct.size()), setup_threads,
                 [&](std::ptrdiff_t i) {
                   linalg::SingleThreadedBlas pin;
                   const std::size_t r = distinct[static_cast<std::size_t>(i)];
                   setups[r] = sgd_setup(spec, opt.projection_seeds[r], 1);
                 });
  }
  for (std::size_t r = 0; r < runs; ++r) {
    if (owner[r] != r) setups[r] = setups[owner[r]];
    const double gmax = sgd_max_stable_gamma(setups[r].s, B);
    if (!(gamma * peak < gmax)) {
      std::ostringstream msg;
      const double lr_max = opt.batch_mean ? gmax * B : gmax;
      if (!sched.empty()) msg << "peak ";
      msg << "lr = " << opt.lr * peak << " is unstable for this draw (projection seed "
          << opt.projection_seeds[r] << "): one-pass SGD with batch " << B << " ("
          << (opt.batch_mean ? "batch-mean" : "batch-sum") << " convention) is mean-square stable "
          << "only for lr < " << lr_max
          << " (kernel norm sum_k g s_k / (2 - g (B+1) s_k) < 1, g the per-sample step, s_k the "
             "eigenvalues of the projected-feature covariance)";
      throw std::invalid_argument(msg.str());
    }
  }
  const auto& cps = opt.checkpoints;
  SgdResult out;
  out.test = Matrix::Zero(runs, cps.size());
  parallel_for(static_cast<std::ptrdiff_t>(runs), threads, [&](std::ptrdiff_t r) {
    const SgdSetup& st = setups[r];
    Vector sd = st.s.cwiseSqrt();
    const double noise_sd = std::sqrt(st.p_inf + spec.sigma * spec.sigma);
    Vector e = st.e0;
    Matrix z(N, B);
    Vector rho(B);
    Rng rng(opt.data_seeds[r], Stream::kSgd, 0);
    std::size_t ci = 0;
    auto loss = [&]() { return st.p_inf + st.s.dot(e.cwiseAbs2()); };
    while (ci < cps.size() && cps[ci] == 0) out.test(r, ci++) = loss();
    std::size_t piece = 0;
    for (std::int64_t step = 1; step <= opt.steps && ci < cps.size(); ++step) {
      poll_interrupt();
      double g = gamma;
      if (!sched.empty()) {  // step r = step - 1 uses gamma * f(r)
        const std::int64_t rr = step - 1;
        while (rr >= sched.end(piece)) ++piece;
        g = gamma * sched.value(piece, static_cast<double>(rr - sched.starts[piece]));
      }
      for (int i = 0; i < B; ++i) {
        double* zi = z.col(i).data();
        double dot = 0.0;
        for (int k = 0; k < N; ++k) {
          zi[k] = sd[k] * rng.normal();
          dot += zi[k] * e[k];
        }
        rho[i] = dot - noise_sd * rng.normal();
      }
      for (int i = 0; i < B; ++i) e.noalias() -= (g * rho[i]) * z.col(i);
      while (ci < cps.size() && cps[ci] == step) {
        const double l = loss();
        if (!std::isfinite(l)) {
          std::ostringstream msg;
          msg << "SGD diverged (non-finite loss at step " << step << ", data seed "
              << opt.data_seeds[r] << ")";
          throw ConvergenceError(msg.str());
        }
        out.test(r, ci++) = l;
      }
    }
  });
  return out;
}

}  // namespace scalinglaws
