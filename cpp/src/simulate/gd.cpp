#include "scalinglaws/simulate/gd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/interrupt.hpp"
#include "scalinglaws/linalg/backend.hpp"
#include "scalinglaws/linalg/blas.hpp"
#include "scalinglaws/linalg/lapack.hpp"
#include "scalinglaws/parallel.hpp"
#include "scalinglaws/simulate/gains.hpp"

namespace scalinglaws {
namespace {

// Scheduled GD from w = 0: along a Gram eigenvector of eigenvalue g the coordinate is
// hp (1 - prod_{r<n} (1 - lr_r g)) / g, lr_r = lr f(r). Exact: constant pieces of the schedule
// are powers, varying pieces exact per-step products (log-space, steps outer, modes inner).
// gains(t, i) for the targets n = steps[t] (any order); g = 0 gives sum_{r<n} lr_r.
void scheduled_gains(const Vector& g, const std::vector<double>& steps, double lr,
                     const Schedule& sched, Matrix& gains) {
  const Eigen::Index N = g.size();
  const auto T = static_cast<Eigen::Index>(steps.size());
  std::vector<Eigen::Index> order(static_cast<std::size_t>(T));
  for (Eigen::Index t = 0; t < T; ++t) order[static_cast<std::size_t>(t)] = t;
  std::sort(order.begin(), order.end(), [&](Eigen::Index x, Eigen::Index y) {
    return steps[static_cast<std::size_t>(x)] < steps[static_cast<std::size_t>(y)];
  });
  Vector L = Vector::Zero(N), sign = Vector::Ones(N);
  double lrsum = 0.0;
  std::int64_t r = 0;
  auto advance = [&](double rate, std::int64_t count) {  // count steps at the rate lr f
    const double cnt = static_cast<double>(count);
    lrsum += rate * cnt;
    for (Eigen::Index i = 0; i < N; ++i) {
      const double x = rate * std::max(g[i], 0.0);
      if (x < 1.0) {
        L[i] += cnt * std::log1p(-x);
      } else {
        L[i] += cnt * std::log(x - 1.0);
        if (count % 2 == 1) sign[i] = -sign[i];
      }
    }
  };
  for (Eigen::Index t : order) {
    const auto n = static_cast<std::int64_t>(steps[static_cast<std::size_t>(t)]);
    while (r < n) {
      const std::size_t p = sched.piece_of(r);
      const std::int64_t pend = std::min(sched.end(p), n);
      if (sched.shapes[p] == 0) {
        advance(lr * sched.a[p], pend - r);
        r = pend;
      } else {
        for (; r < pend; ++r) {
          poll_interrupt();
          advance(lr * sched.value(p, static_cast<double>(r - sched.starts[p])), 1);
        }
      }
    }
    for (Eigen::Index i = 0; i < N; ++i) {
      const double gi = g[i];
      if (gi <= 0.0) {
        gains(t, i) = lrsum;
      } else {
        gains(t, i) = (sign[i] > 0.0 ? -std::expm1(L[i]) : 1.0 + std::exp(L[i])) / gi;
      }
    }
  }
}

void run_gd(const ProblemSpec& spec, const GdOptions& opt, std::size_t run, int inner_threads,
            GdResult& out) {
  const int N = spec.N, E = opt.ensemble, EN = E * N, P = opt.P, B = opt.bags;
  const Eigen::Index T = static_cast<Eigen::Index>(opt.times.size());
  Draw d = draw_problem(spec, P, E, opt.projection_seeds[run], opt.data_seeds[run], false,
                        inner_threads);
  const double invP = 1.0 / static_cast<double>(P);
  // weights of the predictor averaged over the E members and the B data sets (stacked), one row
  // per time: member e's block is (1/(E B)) sum_b w_{e,b}(t)
  Matrix W = Matrix::Zero(T, EN);
  Matrix U, C(T, N), gram(EN, EN);
  Matrix phi_b;
  Vector g, y_b;
  double gmax = 0.0;
  const double scale = 1.0 / (static_cast<double>(E) * static_cast<double>(B));
  const double mu = opt.momentum;
  double peak = 1.0;  // largest schedule multiplier over the run
  if (!opt.schedule.empty()) {
    double last = 0.0;
    for (double t : opt.times) last = std::max(last, t);
    peak = opt.schedule.max_over(static_cast<std::int64_t>(last));
  }
  for (int b = 0; b < B; ++b) {
    if (b > 0)
      draw_bag_samples(d, P, opt.data_seeds[run], b, spec.sigma, inner_threads, phi_b, y_b);
    const Matrix& phi = b == 0 ? d.phi : phi_b;
    const Vector& y = b == 0 ? d.y : y_b;
    gram.setZero();
    linalg::syrk(true, invP, phi, 0.0, gram);
    linalg::symmetrize_lower(gram);
    Vector h = invP * (phi.transpose() * y);
    for (int e = 0; e < E; ++e) {
      U = gram.block(e * N, e * N, N, N);
      linalg::symmetric_eigh(U, g);
      const double top = g[N - 1];
      gmax = std::max(gmax, top);
      // heavy-ball GD on eigenvalue g is stable iff lr g < 2 (1 + mu) (plain GD: mu = 0)
      if (!opt.flow && opt.lr * peak * top >= 2.0 * (1.0 + mu)) {
        std::ostringstream msg;
        if (!opt.schedule.empty()) msg << "peak ";
        msg << "lr = " << opt.lr * peak << " is unstable for this draw (data seed "
            << opt.data_seeds[run];
        if (B > 1) msg << ", data set " << b;
        if (mu == 0.0) {
          msg << "): gradient descent needs " << (opt.schedule.empty() ? "" : "peak ")
              << "lr < 2 / lambda_max(Phi^T Phi / P) = " << 2.0 / top;
        } else {
          msg << "): heavy-ball GD with momentum " << mu
              << " needs lr < 2 (1 + momentum) / lambda_max(Phi^T Phi / P) = "
              << 2.0 * (1.0 + mu) / top;
        }
        throw std::invalid_argument(msg.str());
      }
      Vector hp = U.transpose() * h.segment(e * N, N);
      if (!opt.schedule.empty()) {
        scheduled_gains(g, opt.times, opt.lr, opt.schedule, C);
        for (Eigen::Index t = 0; t < T; ++t)
          for (int i = 0; i < N; ++i) C(t, i) *= hp[i];
      } else if (mu == 0.0) {
        for (Eigen::Index t = 0; t < T; ++t)
          for (int i = 0; i < N; ++i)
            C(t, i) = hp[i] * gd_gain(g[i], opt.times[t], opt.lr, opt.flow);
      } else if (opt.flow) {
        for (Eigen::Index t = 0; t < T; ++t)
          for (int i = 0; i < N; ++i)
            C(t, i) = hp[i] * continuous_momentum_gain(std::max(g[i], 0.0), opt.times[t], mu);
      } else {
        for (Eigen::Index t = 0; t < T; ++t) {
          const auto n = static_cast<std::int64_t>(opt.times[t]);
          // round-off negative eigenvalues of the Gram matrix are zero
          for (int i = 0; i < N; ++i)
            C(t, i) = hp[i] * heavy_ball_gain(std::max(g[i], 0.0), n, opt.lr, mu);
        }
      }
      linalg::gemm(false, true, scale, C, U, b == 0 ? 0.0 : 1.0, W.middleCols(e * N, N));
    }
  }
  out.max_gram_eig[run] = gmax;
  // Test: c0 - 2 w.q + w^T Sigma w (population loss, exact given the draw).
  Matrix WS(T, EN);
  linalg::gemm(false, false, 1.0, W, d.sigma_mat, 0.0, WS);
  Vector wq = W * d.q;
  for (Eigen::Index t = 0; t < T; ++t)
    out.test(run, t) = d.c0 - 2.0 * wq[t] + WS.row(t).dot(W.row(t));
  if (B > 1) {
    // no single training set: the train loss is not defined for bagging
    for (Eigen::Index t = 0; t < T; ++t)
      out.train(run, t) = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  // Train: (1/P)||y - Phi w||^2 evaluated directly (no cancellation when it goes to zero).
  Matrix R(T, P);
  for (Eigen::Index t = 0; t < T; ++t) R.row(t) = d.y.transpose();
  linalg::gemm(false, true, -1.0, W, d.phi, 1.0, R);
  for (Eigen::Index t = 0; t < T; ++t) out.train(run, t) = invP * R.row(t).squaredNorm();
}

}  // namespace

GdResult simulate_gd(const ProblemSpec& spec, const GdOptions& opt) {
  check_spec(spec);
  if (opt.P <= 0) throw std::invalid_argument("P must be a positive integer");
  if (opt.ensemble <= 0) throw std::invalid_argument("ensemble must be a positive integer");
  if (opt.bags <= 0) throw std::invalid_argument("bags must be a positive integer");
  if (!(opt.momentum >= 0.0 && std::isfinite(opt.momentum)) || (!opt.flow && opt.momentum >= 1.0))
    throw std::invalid_argument("momentum must be in [0, 1) for GD and >= 0 for flow");
  if (opt.data_seeds.size() != opt.projection_seeds.size())
    throw std::invalid_argument("data_seeds and projection_seeds differ in length");
  checks::non_empty(opt.data_seeds.size(), "data_seeds");
  checks::non_empty(opt.times.size(), "times");
  checks::all_non_negative(opt.times.data(), opt.times.size(), "times");
  if (!opt.flow) checks::positive(opt.lr, "lr");
  checks::threads(opt.threads);
  check_schedule(opt.schedule);
  if (!opt.schedule.empty()) {
    checks::require(!opt.flow && opt.momentum == 0.0, "schedule",
                    "is for discrete GD without momentum");
    for (double t : opt.times) checks::require(t == std::floor(t), "times", "must be whole steps");
  }
  const std::size_t runs = opt.data_seeds.size();
  GdResult out;
  out.test = Matrix::Zero(runs, opt.times.size());
  out.train = Matrix::Zero(runs, opt.times.size());
  out.max_gram_eig = Vector::Zero(runs);
  const int threads = opt.threads > 0 ? opt.threads : default_threads();
  if (runs == 1 && threads > 1) {
    // A single run on several threads: threaded BLAS and parallel draws inside the run. (Agrees
    // with the single-threaded path below to round-off, not bitwise: see SingleThreadedBlas.)
    run_gd(spec, opt, 0, threads, out);
  } else {
    // Bitwise-reproducible path: each run on one thread with single-threaded BLAS; several runs
    // at once. Without a way to pin the BLAS, runs go one after another.
    linalg::SingleThreadedBlas main_pin;
    if (main_pin.pinned()) {
      parallel_for(static_cast<std::ptrdiff_t>(runs), threads, [&](std::ptrdiff_t r) {
        linalg::SingleThreadedBlas pin;
        run_gd(spec, opt, static_cast<std::size_t>(r), 1, out);
      });
    } else {
      for (std::size_t r = 0; r < runs; ++r) run_gd(spec, opt, r, 1, out);
    }
  }
  return out;
}

}  // namespace scalinglaws
