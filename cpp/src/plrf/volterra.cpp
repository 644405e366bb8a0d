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

// The modes (lam_k >= 0 with weights rho_k, as many, at least one); returns their count.
std::size_t check_lam_rho(const VectorD& lam, const VectorD& rho) {
  const auto n = static_cast<std::size_t>(lam.size());
  checks::non_empty(n, "lam");
  checks::same_length(static_cast<std::size_t>(rho.size()), n, "rho", "lam");
  checks::all_non_negative(lam.data(), n, "lam");
  return n;
}

// Preconditions shared by the Volterra entry points.
void check_modes(const VectorD& lam, const VectorD& rho, double gamma, int B) {
  checks::all_finite(rho.data(), check_lam_rho(lam, rho), "rho");
  checks::positive(gamma, "gamma");
  checks::count_at_least(B, 1, "batch");
}

// Gauss quadrature (nodes t, weights w) with n nodes of the discrete measure sum_k w_k delta_{t_k}
// by the Stieltjes procedure on t scaled to [-1, 1]; n is lowered if the measure has fewer
// points of positive weight.
void discrete_gauss(const std::vector<double>& t, const std::vector<double>& w, int n,
                    std::vector<double>& nodes, std::vector<double>& weights) {
  nodes.clear();
  weights.clear();
  const std::size_t m = t.size();
  double total = 0.0;
  std::size_t support = 0;
  for (std::size_t k = 0; k < m; ++k) {
    total += w[k];
    support += w[k] > 0.0 ? 1 : 0;
  }
  if (!(total > 0.0)) return;
  n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(n), support));
  const double tmin = *std::min_element(t.begin(), t.end());
  const double tmax = *std::max_element(t.begin(), t.end());
  const double c = 0.5 * (tmin + tmax), h = std::max(0.5 * (tmax - tmin), 1e-300);
  std::vector<double> s(m), p0(m, 0.0), p1(m, 1.0), p2(m);
  for (std::size_t k = 0; k < m; ++k) s[k] = (t[k] - c) / h;
  Eigen::VectorXd al(n), be(n);
  double norm_prev = 0.0, norm = total;
  for (int j = 0; j < n; ++j) {
    double num = 0.0;
    for (std::size_t k = 0; k < m; ++k) num += w[k] * s[k] * p1[k] * p1[k];
    al[j] = num / norm;
    be[j] = j == 0 ? 0.0 : norm / norm_prev;
    if (j + 1 == n) break;
    double nn = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      p2[k] = (s[k] - al[j]) * p1[k] - be[j] * p0[k];
      nn += w[k] * p2[k] * p2[k];
    }
    if (!(nn > 1e-28 * total)) {  // the measure has (numerically) only j + 1 points
      n = j + 1;
      break;
    }
    std::swap(p0, p1);
    std::swap(p1, p2);
    norm_prev = norm;
    norm = nn;
  }
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
  for (int j = 0; j < n; ++j) {
    J(j, j) = al[j];
    if (j > 0) J(j, j - 1) = J(j - 1, j) = std::sqrt(be[j]);
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  for (int j = 0; j < n; ++j) {
    const double v0 = es.eigenvectors()(0, j);
    nodes.push_back(c + h * std::max(-1.0, std::min(1.0, es.eigenvalues()[j])));
    weights.push_back(total * v0 * v0);
  }
}

VectorD volterra_weighted(const WeightedModes& modes, double p_inf, const VolterraOptions& opt) {
  const VectorD& lam = modes.lam;
  const VectorD& wa = modes.a;
  const VectorD& wb = modes.b;
  const double gamma = opt.gamma;
  const int B = opt.batch;
  const std::vector<std::int64_t>& checkpoints = opt.checkpoints;
  const std::int64_t exact_steps = opt.exact_steps;
  const double block_rel = opt.block_rel;
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
  VectorD e(K), q(K), mk = wa;
  auto set_gamma = [&](double g) {
    g_now = g;
    g2 = g * g * B;
    for (Eigen::Index k = 0; k < K; ++k) {
      e[k] = mode_rate(lam[k], g, B);
      q[k] = 1.0 - e[k];
    }
  };
  set_gamma(gamma);
  auto loss = [&]() { return p_inf + mk.sum(); };
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
      for (Eigen::Index k = 0; k < K; ++k) mk[k] = q[k] * mk[k] + g2 * wb[k] * P;
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
        base += qnk * mk[k] + g2k * wb[k] * AC[k] * P;
        coef += g2k * wb[k] * Ck;
      }
      const double P1 = base / (1.0 - coef);
      for (Eigen::Index k = 0; k < K; ++k)
        mk[k] = qn[k] * mk[k] + G2[k] * wb[k] * (AC[k] * P + C[k] * P1);
    }
    r += n;
    P = loss();
    if (!std::isfinite(P)) throw ConvergenceError("Volterra recursion produced a non-finite loss");
    while (ci < checkpoints.size() && checkpoints[ci] == r) out[ci++] = P;
  }
  return out;
}

}  // namespace

WeightedModes compress_modes(const VectorD& lam, const VectorD& rho, double width, int nodes) {
  const std::size_t n = check_lam_rho(lam, rho);
  checks::all_non_negative(rho.data(), n, "rho");
  checks::non_negative(width, "cluster_width");
  checks::count_at_least(nodes, 1, "cluster_nodes");
  std::vector<Eigen::Index> order(n);
  for (std::size_t k = 0; k < n; ++k) order[k] = static_cast<Eigen::Index>(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index i, Eigen::Index j) { return lam[i] > lam[j]; });
  std::vector<double> L, A, Bw;
  L.reserve(n < 100000 ? n : 100000);
  auto keep = [&](Eigen::Index k) {
    L.push_back(lam[k]);
    A.push_back(lam[k] * rho[k]);
    Bw.push_back(lam[k] * lam[k]);
  };
  std::vector<double> t, wa, wb, xn, xw;
  std::size_t i = 0;
  while (i < n) {
    const double top = lam[order[i]];
    std::size_t j = i + 1;
    if (width > 0.0 && top > 0.0) {
      const double floor_lam = top * std::exp(-width);
      while (j < n && lam[order[j]] >= floor_lam && lam[order[j]] > 0.0) ++j;
    }
    if (j - i <= 2 * static_cast<std::size_t>(nodes)) {
      for (std::size_t k = i; k < j; ++k) keep(order[k]);
    } else {
      t.resize(j - i);
      wa.resize(j - i);
      wb.resize(j - i);
      for (std::size_t k = i; k < j; ++k) {
        const Eigen::Index o = order[k];
        t[k - i] = std::log(lam[o]);
        wa[k - i] = lam[o] * rho[o];
        wb[k - i] = lam[o] * lam[o];
      }
      discrete_gauss(t, wa, nodes, xn, xw);
      for (std::size_t q = 0; q < xn.size(); ++q) {
        L.push_back(std::exp(xn[q]));
        A.push_back(xw[q]);
        Bw.push_back(0.0);
      }
      discrete_gauss(t, wb, nodes, xn, xw);
      for (std::size_t q = 0; q < xn.size(); ++q) {
        L.push_back(std::exp(xn[q]));
        A.push_back(0.0);
        Bw.push_back(xw[q]);
      }
    }
    i = j;
  }
  WeightedModes out;
  out.lam = Eigen::Map<const VectorD>(L.data(), static_cast<Eigen::Index>(L.size()));
  out.a = Eigen::Map<const VectorD>(A.data(), static_cast<Eigen::Index>(A.size()));
  out.b = Eigen::Map<const VectorD>(Bw.data(), static_cast<Eigen::Index>(Bw.size()));
  return out;
}

VectorD volterra_loss(const VectorD& lam, const VectorD& rho, double p_inf,
                      const VolterraOptions& opt) {
  check_modes(lam, rho, opt.gamma, opt.batch);
  checks::non_negative(opt.cluster_width, "cluster_width");
  checks::count_at_least(opt.cluster_nodes, 1, "cluster_nodes");
  if (opt.cluster_width > 0.0)
    return volterra_weighted(compress_modes(lam, rho, opt.cluster_width, opt.cluster_nodes), p_inf,
                             opt);
  WeightedModes modes;
  modes.lam = lam;
  modes.a = lam.cwiseProduct(rho);
  modes.b = lam.cwiseProduct(lam);
  return volterra_weighted(modes, p_inf, opt);
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
