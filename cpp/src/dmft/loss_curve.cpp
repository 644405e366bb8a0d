#include "scalinglaws/dmft/loss_curve.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/errors.hpp"
#include "scalinglaws/linalg/blas.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::dmft {
namespace {

// Tail part of sum_k c_k h_k(q) h_k(q') (or h_k(q) conj(h_k(q'))) with h = 1/(q + lambda x), by
// partial fractions: h h' = (x h - x' h') / (x q' - x' q), i.e. (x T1 - x' T1') / (x q' - x' q);
// the same node (q = q', x = x') uses the squared-pole sum T2.
cplx tail_pair(cplx qi, cplx xi, cplx t1i, cplx t2i, cplx qj, cplx xj, cplx t1j, cplx t2j,
               bool conj, bool same) {
  if (same) return t2i;
  if (conj) {
    qj = std::conj(qj);
    xj = std::conj(xj);
    t1j = std::conj(t1j);
    t2j = std::conj(t2j);
  }
  const cplx den = xi * qj - xj * qi;
  if (std::abs(den) <= 1e-9 * std::abs(xi * qj)) return 0.5 * (t2i + t2j);
  return (xi * t1i - xj * t1j) / den;
}

}  // namespace

void loss_curve(const Spectrum& sp, const std::vector<double>& times, const CurveOptions& opt,
                std::vector<double>& test, std::vector<double>& train) {
  check_spectrum(sp);
  check_curve(times, opt);
  const std::ptrdiff_t T = static_cast<std::ptrdiff_t>(times.size());
  const std::ptrdiff_t M = static_cast<std::ptrdiff_t>(sp.lam.size());
  const double inv_E = opt.inv_E, inv_B = opt.inv_B;
  if (!(inv_E >= 0.0 && inv_E <= 1.0) || !(inv_B >= 0.0 && inv_B <= 1.0))
    throw std::invalid_argument("inv_E and inv_B must lie in [0, 1] (E, B >= 1 or infinity)");
  const bool single = inv_E == 1.0 && inv_B == 1.0;  // E = B = 1: the within-system C0, C1
  test.assign(T, 0.0);
  train.assign(T, 0.0);
  // sqrt weights of the four k-sums: lam w*^2, lam, lam^2, lam^2 w*^2
  Matrix sw(M, 4);
  for (std::ptrdiff_t k = 0; k < M; ++k) {
    const double l = sp.lam[k], w2 = sp.wstar2[k];
    sw(k, 0) = std::sqrt(l * w2);
    sw(k, 1) = std::sqrt(l);
    sw(k, 2) = l;
    sw(k, 3) = l * std::sqrt(w2);
  }
  // Times are processed in fixed chunks (independent of the thread count); inside a chunk each
  // time warm-starts Newton from the previous one.
  const std::ptrdiff_t chunk = 8;
  const std::ptrdiff_t nchunks = (T + chunk - 1) / chunk;
  parallel_for(nchunks, opt.threads, [&](std::ptrdiff_t ic) {
    std::vector<cplx> prevS;
    double prev_t = -1.0;
    for (std::ptrdiff_t it = ic * chunk; it < std::min(T, (ic + 1) * chunk); ++it) {
      const Contour c = make_contour(times[it], opt);
      const bool warm = prev_t > 0 && times[it] <= 2.0 * prev_t && times[it] >= 0.5 * prev_t;
      const std::vector<cplx> S = solve_contour(sp, c, warm ? &prevS : nullptr);
      prevS = S;
      prev_t = times[it];
      // all nodes (one or two petals, upper halves), then the conjugates of the non-real ones
      const int K = static_cast<int>(c.q.size());
      std::vector<int> conj_of;  // node index of each conjugate column
      for (int j = 0; j < K; ++j)
        if (!c.is_real(j)) conj_of.push_back(j);
      const int J = K + static_cast<int>(conj_of.size());
      std::vector<cplx> R1(K), R3(K), x(K);
      for (int j = 0; j < K; ++j) {
        R1[j] = 1.0 - S[j] * sp.inv_P;
        R3[j] = 1.0 - S[j] * sp.inv_N;
        x[j] = R1[j] * R3[j];
      }
      Matrix H(M, 2 * K);
      for (int j = 0; j < K; ++j) {
        for (std::ptrdiff_t k = 0; k < M; ++k) {
          const double dr = c.q[j].real() + sp.lam[k] * x[j].real();
          const double di = c.q[j].imag() + sp.lam[k] * x[j].imag();
          const double n = 1.0 / (dr * dr + di * di);
          H(k, 2 * j) = dr * n;
          H(k, 2 * j + 1) = -di * n;
        }
      }
      Matrix A(M, 2 * K), G[4];
      for (int m = 0; m < 4; ++m) {
        A = sw.col(m).asDiagonal() * H;
        G[m].setZero(2 * K, 2 * K);
        linalg::syrk(true, 1.0, A, 0.0, G[m]);
        linalg::symmetrize_lower(G[m]);
      }
      // tail: single-node sums T1 = sum c_k h_k(q_j), T2 = sum c_k h_k(q_j)^2 per weight
      const bool tail = sp.has_tail();
      std::vector<cplx> T1(tail ? 4 * K : 0), T2(tail ? 4 * K : 0);
      if (tail) {
        const TailPower pw[4] = {kTarget, kLam, kLam2, kTarget2};
        for (int m = 0; m < 4; ++m)
          for (int j = 0; j < K; ++j)
            tail_sums(sp, pw[m], c.q[j], x[j], T1[4 * j + m], T2[4 * j + m]);
      }
      // sums over k of d_k h_i h_j (conj = false) or d_k h_i conj(h_j) (conj = true)
      auto pair_sum = [&](int m, int i, int j, bool conj) -> cplx {
        const Matrix& g = G[m];
        const double aa = g(2 * i, 2 * j), bb = g(2 * i + 1, 2 * j + 1);
        const double ab = g(2 * i, 2 * j + 1), ba = g(2 * i + 1, 2 * j);
        const cplx head = conj ? cplx(aa + bb, ba - ab) : cplx(aa - bb, ab + ba);
        if (!tail) return head;
        return head + tail_pair(c.q[i], x[i], T1[4 * i + m], T2[4 * i + m], c.q[j], x[j],
                                T1[4 * j + m], T2[4 * j + m], conj, i == j && !conj);
      };
      double L = 0.0, Lh = 0.0;
      for (int i = 0; i < K; ++i) {
        cplx row0 = 0.0, row1 = 0.0;
        for (int jj = 0; jj < J; ++jj) {
          const bool conj = jj >= K;
          const int j = conj ? conj_of[jj - K] : jj;
          const cplx qj = conj ? std::conj(c.q[j]) : c.q[j];
          const cplx wj = conj ? std::conj(c.w[j]) : c.w[j];
          const cplx r1j = conj ? std::conj(R1[j]) : R1[j];
          const cplx r3j = conj ? std::conj(R3[j]) : R3[j];
          const cplx Sa = pair_sum(0, i, j, conj), Sb = pair_sum(1, i, j, conj);
          const cplx Sc = pair_sum(2, i, j, conj), Sd = pair_sum(3, i, j, conj);
          const cplx rho1 = R1[i] * r1j, rho3 = R3[i] * r3j, qq = c.q[i] * qj;
          const cplx noise = sp.sigma2 / qq;
          const cplx a11 = 1.0 - Sc * rho1 * rho3 * sp.inv_P;
          const cplx a12 = -Sb * rho3 * sp.inv_N;
          const cplx a21 = -qq * Sb * rho1 * sp.inv_P;
          const cplx a22 = 1.0 - Sc * rho1 * rho3 * sp.inv_N;
          const cplx b1 = Sa + Sc * rho1 * rho3 * noise * sp.inv_P;
          const cplx b2 = rho1 * Sd + qq * Sb * rho1 * noise * sp.inv_P;
          const cplx det = a11 * a22 - a12 * a21;
          const cplx C0 = (b1 * a22 - a12 * b2) / det;
          const cplx C1 = rho1 * (C0 + noise);
          if (single) {
            row0 += wj * C0;
            row1 += wj * C1;
          } else {
            // cross-system correlations (eq. 110) and the averaged predictor (eqs. 111-112)
            const cplx C2 = (a11 * b2 - a21 * b1) / det;
            const cplx C3 = rho3 * C2;
            const cplx C0x = b1 / a11;
            const cplx C1x = rho1 * (C0x + noise);
            const cplx C3x = rho3 * (rho1 * Sd / a22);
            const cplx c1bar = inv_E * C1 + (1.0 - inv_E) * C1x;
            const cplx c3bar = inv_B * C3 + (1.0 - inv_B) * C3x;
            row0 += wj *
                    (Sa + Sb * (sp.inv_N * inv_E) * c3bar + Sc * rho3 * (sp.inv_P * inv_B) * c1bar);
            row1 += wj * c1bar;
          }
        }
        const double mult = c.is_real(i) ? 1.0 : 2.0;
        L += mult * (c.w[i] * row0).real();
        Lh += mult * (c.w[i] * row1).real();
      }
      if (!std::isfinite(L) || !std::isfinite(Lh)) {
        std::ostringstream os;
        os << "non-finite loss at time " << times[it] << " (contour inversion failed)";
        throw ConvergenceError(os.str());
      }
      test[it] = L;
      train[it] = Lh;
    }
  });
}

}  // namespace scalinglaws::dmft
