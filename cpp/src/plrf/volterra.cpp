// Volterra loss of one-pass SGD on power-law random features.
#include "scalinglaws/plrf/volterra.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/errors.hpp"
#include "scalinglaws/interrupt.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::plrf {
namespace {

// A = sum_{t<n} q^t, Dt = sum_{t<n} t q^t with e = 1 - q > 0 (or >= 0), q = 1 - e.
void geometric_sums(double q, double e, double n, double& qn, double& A, double& Dt) {
  const double lq = std::log1p(-e);
  qn = std::exp(n * lq);
  const double ne = n * e;
  if (ne < 1e-5) {
    // series in e: sum t^k (1-e)^t ~ sum t^k (1 - t e + t(t-1)/2 e^2)
    const double S0 = n, S1 = n * (n - 1) / 2.0, S2 = (n - 1) * n * (2 * n - 1) / 6.0;
    const double S3 = S1 * S1;
    A = S0 - e * S1 + 0.5 * e * e * (S2 - S1);
    Dt = S1 - e * S2 + 0.5 * e * e * (S3 - S2);
    return;
  }
  A = -std::expm1(n * lq) / e;
  Dt = q / e * (A - n * std::exp((n - 1.0) * lq));
}

// 1 - q_k = 2 gamma B lam - gamma^2 B (B+1) lam^2: the per-step contraction of mode k.
double mode_rate(double lam, double gamma, int B) {
  return 2.0 * gamma * B * lam - gamma * gamma * B * (B + 1.0) * lam * lam;
}

// Preconditions shared by the Volterra entry points.
void check_modes(const VectorD& lam, const VectorD& rho, double gamma, int B) {
  const auto n = static_cast<std::size_t>(lam.size());
  checks::non_empty(n, "lam");
  checks::same_length(static_cast<std::size_t>(rho.size()), n, "rho", "lam");
  checks::all_non_negative(lam.data(), n, "lam");
  checks::all_finite(rho.data(), n, "rho");
  checks::positive(gamma, "gamma");
  checks::count_at_least(B, 1, "batch");
}

}  // namespace

VectorD volterra_loss(const VectorD& lam, const VectorD& rho, double p_inf,
                      const VolterraOptions& opt) {
  const double gamma = opt.gamma;
  const int B = opt.batch;
  const std::vector<std::int64_t>& checkpoints = opt.checkpoints;
  const std::int64_t exact_steps = opt.exact_steps;
  const double block_rel = opt.block_rel;
  check_modes(lam, rho, gamma, B);
  checks::finite(p_inf, "p_inf");
  checks::non_empty(checkpoints.size(), "checkpoints");
  checks::sorted_from<std::int64_t>(checkpoints.data(), checkpoints.size(), 0, false,
                                    "checkpoints");
  checks::count_at_least(exact_steps, 0, "exact_steps");
  checks::non_negative(block_rel, "block_rel");
  check_schedule(opt.schedule);
  const Schedule& sched = opt.schedule;
  const Eigen::Index K = lam.size();
  // per-step rate gamma_r = gamma * f(r): the mode recursion stays exact step by step with
  // q_k(r) and gamma_r^2; a block takes one gamma (the schedule at the block's midpoint; blocks
  // never straddle a piece of the schedule, and in a varying piece are at most block_rel of it)
  double g_now = gamma, g2 = gamma * gamma * B;
  VectorD e(K), q(K), mk = rho;
  auto set_gamma = [&](double g) {
    g_now = g;
    g2 = g * g * B;
    for (Eigen::Index k = 0; k < K; ++k) {
      e[k] = mode_rate(lam[k], g, B);
      q[k] = 1.0 - e[k];
    }
  };
  set_gamma(gamma);
  auto loss = [&]() { return p_inf + lam.dot(mk); };
  VectorD out(checkpoints.size());
  std::size_t ci = 0;
  std::int64_t r = 0;
  double P = loss();
  while (ci < checkpoints.size() && checkpoints[ci] == 0) out[ci++] = P;
  const std::int64_t last = checkpoints.empty() ? 0 : checkpoints.back();
  while (r < last) {
    poll_interrupt();
    const std::int64_t next_cp = checkpoints[ci];
    std::int64_t n = 1;
    bool varying = false;  // the block lies in a non-constant piece of the schedule
    std::size_t piece = 0;
    double x0 = 0.0;  // offset of the block's first step inside that piece
    if (r >= exact_steps) n = std::max<std::int64_t>(1, static_cast<std::int64_t>(block_rel * r));
    n = std::min(n, next_cp - r);
    if (!sched.empty()) {
      piece = sched.piece_of(r);
      const std::int64_t pend = sched.end(piece);
      n = std::min(n, pend - r);
      double f;
      if (sched.shapes[piece] == 0) {
        f = sched.a[piece];
      } else {
        // at most block_rel of the piece's part of the run
        const auto len = static_cast<double>(std::min(pend, last) - sched.starts[piece]);
        n = std::min(n, std::max<std::int64_t>(1, static_cast<std::int64_t>(block_rel * len)));
        x0 = static_cast<double>(r - sched.starts[piece]);
        f = sched.value(piece, x0 + 0.5 * (n - 1.0));
        varying = n > 1;
      }
      checks::require(f >= 0.0 && std::isfinite(f), "schedule", "must be finite and >= 0");
      if (gamma * f != g_now) set_gamma(gamma * f);
    }
    if (n == 1) {
      for (Eigen::Index k = 0; k < K; ++k) mk[k] = q[k] * mk[k] + g2 * lam[k] * P;
    } else {
      // m(r+n) = q^n m + g2 lam [ (A - C) P0 + C P1 ],  C = sum_s (s/n) q^(n-1-s)
      const double nn = static_cast<double>(n);
      double base = p_inf, coef = 0.0;
      VectorD qn(K), AC(K), C(K), G2(K);
      for (Eigen::Index k = 0; k < K; ++k) {
        double qnk, A, Dt;
        geometric_sums(q[k], e[k], nn, qnk, A, Dt);
        double g2k = g2;
        if (varying) {
          // q^n (all steps of the block) takes the midpoint rate; the injected noise
          // sum_s q^(n-1-s) g2_s P(s) is weighted towards the block's end for fast modes: take
          // the rate at the weights' centre s = n - 1 - Dt / A (the midpoint for slow modes, the
          // end minus 1/e for fast ones), so both limits are second order.
          const double gk = gamma * sched.value(piece, x0 + (nn - 1.0) - Dt / A);
          const double ek = mode_rate(lam[k], gk, B);
          double unused;
          geometric_sums(1.0 - ek, ek, nn, unused, A, Dt);
          g2k = gk * gk * B;
        }
        const double Ck = ((nn - 1.0) * A - Dt) / nn;
        qn[k] = qnk;
        C[k] = Ck;
        AC[k] = A - Ck;
        G2[k] = g2k;
        base += lam[k] * (qnk * mk[k] + g2k * lam[k] * AC[k] * P);
        coef += g2k * lam[k] * lam[k] * Ck;
      }
      const double P1 = base / (1.0 - coef);
      for (Eigen::Index k = 0; k < K; ++k)
        mk[k] = qn[k] * mk[k] + G2[k] * lam[k] * (AC[k] * P + C[k] * P1);
    }
    r += n;
    P = loss();
    if (!std::isfinite(P)) throw ConvergenceError("Volterra recursion produced a non-finite loss");
    while (ci < checkpoints.size() && checkpoints[ci] == r) out[ci++] = P;
  }
  return out;
}

void forcing_kernel(const VectorD& lam, const VectorD& rho, double gamma, int B,
                    const std::vector<double>& steps, VectorD& F, VectorD& K, int threads) {
  check_modes(lam, rho, gamma, B);
  checks::threads(threads);
  checks::non_empty(steps.size(), "steps");
  checks::all_non_negative(steps.data(), steps.size(), "steps");
  const Eigen::Index n = lam.size();
  VectorD lq(n);
  for (Eigen::Index k = 0; k < n; ++k) lq[k] = std::log1p(-mode_rate(lam[k], gamma, B));
  F.resize(steps.size());
  K.resize(steps.size());
  parallel_for(static_cast<std::ptrdiff_t>(steps.size()), threads, [&](std::ptrdiff_t i) {
    double f = 0.0, kk = 0.0;
    for (Eigen::Index k = 0; k < n; ++k) {
      const double qr = std::exp(steps[i] * lq[k]);
      f += lam[k] * rho[k] * qr;
      kk += lam[k] * lam[k] * qr;
    }
    F[i] = f;
    K[i] = gamma * gamma * B * kk;
  });
}

}  // namespace scalinglaws::plrf
