#include "scalinglaws/dmft.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "scalinglaws/parallel.hpp"

namespace scalinglaws::dmft {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool both_infinite(const Spectrum& sp) { return sp.inv_N == 0.0 && sp.inv_P == 0.0; }

cplx xval(const Spectrum& sp, cplx S) { return (1.0 - S * sp.inv_P) * (1.0 - S * sp.inv_N); }

std::string describe(cplx q, cplx S, double resid) {
  std::ostringstream os;
  os.precision(6);
  os << "q = " << q.real() << (q.imag() < 0 ? " - " : " + ") << std::abs(q.imag()) << "i (last S = "
     << S.real() << (S.imag() < 0 ? " - " : " + ") << std::abs(S.imag())
     << "i, residual |f(S)| = " << resid << ")";
  return os.str();
}

double scale_of(const Spectrum& sp) {
  double s = 0.0;
  for (double l : sp.lam) s += l;
  return s;
}

// S on the physical branch is a Stieltjes transform: sign(Im S) = -sign(Im q).
bool physical(cplx q, cplx S) {
  const double tol = 1e-10 * (std::abs(S) + 1e-300);
  if (q.imag() > 0) return S.imag() <= tol;
  if (q.imag() < 0) return S.imag() >= -tol;
  return true;
}

// Real q > 0: f(S) is strictly increasing on [0, Smax) with a unique root; safeguarded Newton.
double solve_real_positive(const Spectrum& sp, double q) {
  double Smax = 0.0;
  if (sp.inv_N > 0 && sp.inv_P > 0) Smax = std::min(1.0 / sp.inv_N, 1.0 / sp.inv_P);
  else Smax = 1.0 / std::max(sp.inv_N, sp.inv_P);
  double lo = 0.0, hi = Smax;
  // initial guess: N,P = inf value, clipped
  double S = 0.0;
  for (double l : sp.lam) S += l / (q + l);
  S = std::min(S, 0.5 * Smax);
  for (int it = 0; it < 200; ++it) {
    cplx d;
    const cplx f = residual(sp, cplx(q, 0.0), cplx(S, 0.0), &d);
    const double fr = f.real();
    if (fr > 0) hi = S; else lo = S;
    double Sn = S - fr / d.real();
    if (!(Sn > lo && Sn < hi) || !std::isfinite(Sn)) Sn = 0.5 * (lo + hi);
    if (std::abs(Sn - S) <= 1e-15 * std::max(std::abs(S), 1e-300) || hi - lo <= 1e-15 * hi) {
      return Sn;
    }
    S = Sn;
  }
  return S;
}

}  // namespace

cplx residual(const Spectrum& sp, cplx q, cplx S, cplx* dfdS) {
  const cplx x = xval(sp, S);
  // sums of lambda/(q + lambda x) and lambda/(q + lambda x)^2 in real arithmetic (no __divdc3)
  // four independent partial sums (instruction-level parallelism; fixed order, deterministic)
  double a1r[4] = {0, 0, 0, 0}, a1i[4] = {0, 0, 0, 0}, a2r[4] = {0, 0, 0, 0}, a2i[4] = {0, 0, 0, 0};
  const std::size_t M = sp.lam.size();
  const double qr = q.real(), qi = q.imag(), xr = x.real(), xi = x.imag();
  const double* lam = sp.lam.data();
  std::size_t k = 0;
  for (; k + 4 <= M; k += 4) {
    for (int u = 0; u < 4; ++u) {
      const double l = lam[k + u];
      const double dr = qr + l * xr, di = qi + l * xi;
      const double n = 1.0 / (dr * dr + di * di);
      const double ir = dr * n, ii = -di * n;  // 1/(q + l x)
      a1r[u] += l * ir;
      a1i[u] += l * ii;
      a2r[u] += l * (ir * ir - ii * ii);
      a2i[u] += l * (2.0 * ir * ii);
    }
  }
  for (; k < M; ++k) {
    const double l = lam[k];
    const double dr = qr + l * xr, di = qi + l * xi;
    const double n = 1.0 / (dr * dr + di * di);
    const double ir = dr * n, ii = -di * n;
    a1r[0] += l * ir;
    a1i[0] += l * ii;
    a2r[0] += l * (ir * ir - ii * ii);
    a2i[0] += l * (2.0 * ir * ii);
  }
  const double g1r = (a1r[0] + a1r[1]) + (a1r[2] + a1r[3]);
  const double g1i = (a1i[0] + a1i[1]) + (a1i[2] + a1i[3]);
  const double g2r = (a2r[0] + a2r[1]) + (a2r[2] + a2r[3]);
  const double g2i = (a2i[0] + a2i[1]) + (a2i[2] + a2i[3]);
  const cplx g = x * cplx(g1r, g1i);
  if (dfdS) {
    const cplx dg = q * cplx(g2r, g2i);
    const cplx dx = -sp.inv_P * (1.0 - S * sp.inv_N) - sp.inv_N * (1.0 - S * sp.inv_P);
    *dfdS = 1.0 - dg * dx;
  }
  return S - g;
}

bool newton(const Spectrum& sp, cplx q, cplx& S, double& resid, int max_iter) {
  cplx d;
  cplx f = residual(sp, q, S, &d);
  resid = std::abs(f);
  for (int it = 0; it < max_iter; ++it) {
    if (!std::isfinite(resid)) return false;
    cplx step = f / d;
    if (!std::isfinite(step.real()) || !std::isfinite(step.imag())) return false;
    if (std::abs(step) <= 1e-15 * std::abs(S)) {  // converged: the Newton step is round-off
      S -= step;
      return true;
    }
    // backtracking on |f|
    double t = 1.0;
    cplx Sn, fn, dn;
    double rn = 0.0;
    int bt = 0;
    for (; bt < 40; ++bt) {
      Sn = S - t * step;
      fn = residual(sp, q, Sn, &dn);
      rn = std::abs(fn);
      if (std::isfinite(rn) && (rn < resid || rn <= 1e-15 * std::abs(Sn))) break;
      t *= 0.5;
    }
    if (bt == 40) return resid <= 1e-12 * std::max(std::abs(S), 1e-300);
    const double change = std::abs(Sn - S);
    S = Sn;
    f = fn;
    d = dn;
    resid = rn;
    if (t == 1.0 && change <= 1e-14 * std::max(std::abs(S), 1e-300)) return true;
    if (resid == 0.0) return true;
  }
  return resid <= 1e-12 * std::max(std::abs(S), 1e-300);
}

cplx solve(const Spectrum& sp, cplx q) {
  if (both_infinite(sp)) return 0.0;  // x = 1; S is not needed
  if (!std::isfinite(q.real()) || !std::isfinite(q.imag()))
    throw SolveError("non-finite frequency q");
  if (q.imag() == 0.0 && q.real() > 0.0) return solve_real_positive(sp, q.real());
  if (q.imag() == 0.0)
    throw SolveError("q on the non-positive real axis (the branch cut of the spectrum): add a "
                     "small imaginary part; " + describe(q, 0.0, 0.0));
  // continuation along the ray tau * q from large |q| down to tau = 1
  const double big = 1e3 * (1.0 + scale_of(sp));
  double tau = std::max(1.0, big / std::abs(q));
  cplx S = 0.0;
  for (double l : sp.lam) S += l / (tau * q + l);
  double resid = 0.0;
  if (!newton(sp, tau * q, S, resid)) throw SolveError("Newton failed at the start of continuation: " + describe(tau * q, S, resid));
  double factor = 0.5;
  while (tau > 1.0) {
    double tn = std::max(1.0, tau * factor);
    cplx Sn = S;
    double rn = 0.0;
    if (newton(sp, tn * q, Sn, rn) && physical(tn * q, Sn)) {
      tau = tn;
      S = Sn;
      resid = rn;
      factor = std::max(factor * factor, 1e-3);  // accelerate
    } else {
      factor = std::sqrt(factor);
      if (factor > 1.0 - 1e-6) throw SolveError("continuation stalled: " + describe(tn * q, Sn, rn));
    }
  }
  return S;
}

std::vector<cplx> solve_many(const Spectrum& sp, const std::vector<cplx>& q, int threads) {
  std::vector<cplx> out(q.size());
  parallel_for(static_cast<std::ptrdiff_t>(q.size()), threads,
               [&](std::ptrdiff_t i) { out[i] = solve(sp, q[i]); });
  return out;
}

namespace {

// Fixed-Talbot nodes for "time" tau on the upper half contour, theta_j = j pi / K (j = 0..K-1):
// s_j = r theta (cot theta + i), r = 2K/(5 tau); weight c_j with (1/2 pi i) int e^{s tau} F ds
// ~ sum_{full contour} c_j e^{s_j tau} F(s_j) and c_{-j} = conj(c_j).
struct Contour {
  std::vector<cplx> q;  // frequency variable at the node
  std::vector<cplx> w;  // c_j * e^{s_j tau} * dq/ds
};

Contour make_contour(double time, const CurveOptions& opt) {
  const int K = opt.nodes;
  Contour c;
  c.q.resize(K);
  c.w.resize(K);
  const double tau = time;  // flow: t; GD: step count n
  const double r = 2.0 * K / (5.0 * tau);
  if (!std::isfinite(opt.momentum) || opt.momentum < 0.0 || (!opt.flow && opt.momentum >= 1.0))
    throw std::invalid_argument("momentum must be in [0, 1) for GD (heavy ball) and >= 0 for flow");
  if (!opt.flow && r >= 0.9)
    throw std::invalid_argument("GD contour needs at least 0.45 * nodes steps");
  for (int j = 0; j < K; ++j) {
    const double th = kPi * j / K;
    cplx s, cw;
    if (j == 0) {
      s = r;
      cw = r / (2.0 * K);
    } else {
      const double cot = std::cos(th) / std::sin(th);
      s = cplx(r * th * cot, r * th);
      const double sig = th / (std::sin(th) * std::sin(th)) - cot;
      cw = (r / (2.0 * K)) * cplx(1.0, sig);
    }
    const cplx e = std::exp(s * tau);
    const double mom = opt.momentum;
    if (opt.flow) {
      if (mom == 0.0) {
        c.q[j] = s;
        c.w[j] = cw * e;
      } else {
        // continuous momentum: q = s + beta s^2, initial-condition factor phi = 1 + beta s
        c.q[j] = s * (1.0 + mom * s);
        c.w[j] = cw * e * (1.0 + mom * s);
      }
    } else {
      // z - 1 = e^s - 1 computed without cancellation
      const double a = s.real(), b = s.imag();
      const double sb = std::sin(0.5 * b);
      const cplx em1(std::expm1(a) * std::cos(b) - 2.0 * sb * sb, std::exp(a) * std::sin(b));
      if (mom == 0.0) {
        // q = (z - 1)/eta; phi = z/eta
        c.q[j] = em1 / opt.lr;
        c.w[j] = cw * e * std::exp(s) / opt.lr;
      } else {
        // heavy ball: q = (z - 1)(1 - mu/z)/eta; phi = (z - mu)/eta
        const cplx z = std::exp(s);
        c.q[j] = em1 * (1.0 - mom * std::exp(-s)) / opt.lr;
        c.w[j] = cw * e * (z - mom) / opt.lr;
      }
    }
  }
  return c;
}

// S along the contour nodes, by continuation from the real node (unique real root) outward.
// With a guess (the solution at the same node of a nearby time), each node is first tried by
// Newton from its guess; nodes that fail (or land off the physical branch) fall back to the
// continuation along the contour.
std::vector<cplx> solve_contour(const Spectrum& sp, const std::vector<cplx>& q,
                                const std::vector<cplx>* guess = nullptr) {
  std::vector<cplx> S(q.size(), 0.0);
  if (both_infinite(sp)) return S;
  std::vector<char> done(q.size(), 0);
  if (guess) {
    for (std::size_t j = 0; j < q.size(); ++j) {
      cplx Sg = (*guess)[j];
      double resid = 0.0;
      if (newton(sp, q[j], Sg, resid, 20) && physical(q[j], Sg)) {
        if (j == 0) Sg = cplx(Sg.real(), 0.0);
        S[j] = Sg;
        done[j] = 1;
      }
    }
  }
  if (!done[0])
    S[0] = (q[0].imag() == 0.0 && q[0].real() > 0) ? cplx(solve_real_positive(sp, q[0].real()), 0.0)
                                                    : solve(sp, q[0]);
  for (std::size_t j = 1; j < q.size(); ++j) {
    if (done[j]) continue;
    cplx Sc = S[j - 1];
    cplx qprev = q[j - 1];
    // substeps along the straight segment (it stays in the upper half plane)
    int parts = 1;
    for (;;) {
      bool ok = true;
      cplx Sw = Sc;
      double resid = 0.0;
      for (int p = 1; p <= parts; ++p) {
        const cplx qq = qprev + (q[j] - qprev) * (double(p) / parts);
        if (!newton(sp, qq, Sw, resid) || !physical(qq, Sw)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        S[j] = Sw;
        break;
      }
      parts *= 2;
      if (parts > 4096) {
        // last resort: independent continuation from infinity
        S[j] = solve(sp, q[j]);
        break;
      }
    }
  }
  return S;
}

}  // namespace

void loss_curve(const Spectrum& sp, const std::vector<double>& times, const CurveOptions& opt,
                std::vector<double>& test, std::vector<double>& train) {
  const std::ptrdiff_t T = static_cast<std::ptrdiff_t>(times.size());
  const std::ptrdiff_t M = static_cast<std::ptrdiff_t>(sp.lam.size());
  const int K = opt.nodes;
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
    const std::vector<cplx> S = solve_contour(sp, c.q, warm ? &prevS : nullptr);
    prevS = S;
    prev_t = times[it];
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
    // sums over k of d_k h_i h_j (conj = false) or d_k h_i conj(h_j) (conj = true)
    auto pair_sum = [&](int m, int i, int j, bool conj) -> cplx {
      const Matrix& g = G[m];
      const double aa = g(2 * i, 2 * j), bb = g(2 * i + 1, 2 * j + 1);
      const double ab = g(2 * i, 2 * j + 1), ba = g(2 * i + 1, 2 * j);
      return conj ? cplx(aa + bb, ba - ab) : cplx(aa - bb, ab + ba);
    };
    double L = 0.0, Lh = 0.0;
    for (int i = 0; i < K; ++i) {
      cplx row0 = 0.0, row1 = 0.0;
      for (int jj = 0; jj < 2 * K - 1; ++jj) {
        const bool conj = jj >= K;
        const int j = conj ? jj - K + 1 : jj;
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
          row0 += wj * (Sa + Sb * (sp.inv_N * inv_E) * c3bar + Sc * rho3 * (sp.inv_P * inv_B) * c1bar);
          row1 += wj * c1bar;
        }
      }
      const double mult = (i == 0) ? 1.0 : 2.0;
      L += mult * (c.w[i] * row0).real();
      Lh += mult * (c.w[i] * row1).real();
    }
    if (!std::isfinite(L) || !std::isfinite(Lh)) {
      std::ostringstream os;
      os << "non-finite loss at time " << times[it] << " (contour inversion failed)";
      throw SolveError(os.str());
    }
    test[it] = L;
    train[it] = Lh;
  }
  });
}

Matrix transfer(const Spectrum& sp, const std::vector<double>& times, const std::vector<int>& modes,
                const CurveOptions& opt) {
  const std::ptrdiff_t T = static_cast<std::ptrdiff_t>(times.size());
  const std::ptrdiff_t nm = static_cast<std::ptrdiff_t>(modes.size());
  Matrix out(T, nm);
  const int K = opt.nodes;
  parallel_for(T, opt.threads, [&](std::ptrdiff_t it) {
    const Contour c = make_contour(times[it], opt);
    const std::vector<cplx> S = solve_contour(sp, c.q);
    for (std::ptrdiff_t m = 0; m < nm; ++m) {
      const double l = sp.lam[modes[m]];
      double acc = 0.0;
      for (int j = 0; j < K; ++j) {
        const cplx x = (1.0 - S[j] * sp.inv_P) * (1.0 - S[j] * sp.inv_N);
        const cplx h = 1.0 / (c.q[j] + l * x);
        acc += (j == 0 ? 1.0 : 2.0) * (c.w[j] * h).real();
      }
      out(it, m) = acc;
    }
  });
  return out;
}

}  // namespace scalinglaws::dmft
