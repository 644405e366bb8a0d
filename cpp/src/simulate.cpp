#include "scalinglaws/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "scalinglaws/parallel.hpp"
#include "scalinglaws/rng.hpp"

namespace scalinglaws {
namespace {

constexpr int kBlock = 1024;  // feature columns per streamed block (fixed: part of the stream key)

std::uint64_t stream_index(std::int64_t block, std::int64_t row) {
  return (static_cast<std::uint64_t>(block) << 32) ^ static_cast<std::uint64_t>(row);
}

void check_spec(const ProblemSpec& spec) {
  if (spec.lam.empty()) throw std::invalid_argument("problem has an empty spectrum (M = 0)");
  if (spec.wstar.size() != spec.lam.size())
    throw std::invalid_argument("lam and wstar have different lengths");
  if (spec.N <= 0) throw std::invalid_argument("N must be a positive integer");
}

}  // namespace

// Training samples (phi_mu, w*.psi_mu) of data set `bag` drawn from their exact joint Gaussian
// law given the projection in d (covariance [[Sigma, q], [q^T, c0]]), plus sigma * eps.
// Bag 0 uses the streams of the single-data-set simulator (feature stream index mu, label-noise
// index 0); bag b > 0 uses feature stream indices (b << 48) ^ mu and label-noise index b.
void draw_bag_samples(const Draw& d, int P, std::uint64_t data_seed, int bag, double sigma,
                      int threads, Matrix& phi, Vector& y) {
  const int EN = static_cast<int>(d.q.size());
  const std::uint64_t base = static_cast<std::uint64_t>(bag) << 48;
  {
    // Given F, each sample (phi, w*.psi) is Gaussian with covariance C = [[Sigma, q], [q^T, c0]]:
    // draw it as z L^T with C = L L^T (exact in distribution, O(P EN^2), no P x M matrix).
    Matrix C(EN + 1, EN + 1);
    C.topLeftCorner(EN, EN) = d.sigma_mat;
    C.topRightCorner(EN, 1) = d.q;
    C.bottomLeftCorner(1, EN) = d.q.transpose();
    C(EN, EN) = d.c0;
    Matrix XT(EN + 1, P);  // column mu = sample mu (contiguous per stream)
    parallel_for(P, threads, [&](std::ptrdiff_t mu) {
      Rng rng(data_seed, Stream::kFeatures, base ^ static_cast<std::uint64_t>(mu));
      double* x = XT.col(mu).data();
      for (int j = 0; j <= EN; ++j) x[j] = rng.normal();
    });
    Matrix X(P, EN + 1);
    Matrix L = C;
    // Pivots at round-off level mean a singular C: use the eigen route, exact on its range.
    const double pivot_floor = 1e-13 * C.diagonal().maxCoeff();
    if (linalg::cholesky_lower(L) && (L.diagonal().array().square() > pivot_floor).all()) {
      X = XT.transpose();
      linalg::multiply_lower_transpose_right(L, X);
    } else {
      // Singular covariance (N > M, or a target the model represents exactly): a symmetric
      // square root from the eigendecomposition instead.
      Vector mu;
      linalg::symmetric_eigh(C, mu);
      // Eigenvalues within round-off of zero are zero (their sign and size are noise).
      const double floor = (EN + 1) * std::numeric_limits<double>::epsilon() * mu.maxCoeff();
      for (int j = 0; j <= EN; ++j) C.col(j) *= mu[j] > floor ? std::sqrt(mu[j]) : 0.0;
      linalg::gemm(true, true, 1.0, XT, C, 0.0, X);
    }
    phi = X.leftCols(EN);
    y = X.col(EN);
  }
  if (bag > 0) {  // bag 0: draw_problem adds the noise (shared with the explicit path)
    Rng rng(data_seed, Stream::kLabelNoise, static_cast<std::uint64_t>(bag));
    if (sigma != 0.0)
      for (int mu = 0; mu < P; ++mu) y[mu] += sigma * rng.normal();
  }
}

Draw draw_problem(const ProblemSpec& spec, int P, int ensemble, std::uint64_t projection_seed,
                  std::uint64_t data_seed, bool explicit_matrices, int threads) {
  check_spec(spec);
  const int M = spec.M();
  const int N = spec.N;
  const int EN = ensemble * N;
  const double inv_sqrt_n = 1.0 / std::sqrt(static_cast<double>(N));
  Draw d;
  d.sigma_mat = Matrix::Zero(EN, EN);
  d.q = Vector::Zero(EN);
  d.c0 = 0.0;
  for (int k = 0; k < M; ++k) d.c0 += spec.lam[k] * spec.wstar[k] * spec.wstar[k];
  const int P_explicit = explicit_matrices ? P : 0;
  d.phi = Matrix::Zero(P, EN);
  d.y = Vector::Zero(P);
  if (explicit_matrices) {
    d.F.resize(EN, M);
    d.psi.resize(P, M);
  }
  // Stream the projection over fixed blocks of feature columns: Sigma = F diag(lam) F^T and
  // q = F diag(lam) w* never need F as a whole.
  // Blocks are stored transposed (column r = row r of F, or sample mu of Psi) so that every
  // stream writes contiguous memory; BLAS takes the transposes.
  Matrix FT(kBlock, EN), FsT(kBlock, EN), PT(kBlock, P_explicit);
  Vector lw(kBlock), wb(kBlock), sq(kBlock);
  const int nblocks = (M + kBlock - 1) / kBlock;
  for (int b = 0; b < nblocks; ++b) {
    const int k0 = b * kBlock;
    const int m = std::min(kBlock, M - k0);
    for (int j = 0; j < m; ++j) {
      sq[j] = std::sqrt(spec.lam[k0 + j]);
      lw[j] = spec.lam[k0 + j] * spec.wstar[k0 + j];
      wb[j] = spec.wstar[k0 + j];
    }
    // One stream per (matrix, block, row): independent of the thread count.
    parallel_for(EN + P_explicit, threads, [&](std::ptrdiff_t r) {
      if (r < EN) {
        Rng rng(projection_seed, Stream::kProjection, stream_index(b, r));
        double* f = FT.col(r).data();
        double* fs = FsT.col(r).data();
        for (int j = 0; j < m; ++j) {
          f[j] = rng.normal() * inv_sqrt_n;
          fs[j] = f[j] * sq[j];
        }
      } else {
        const auto mu = r - EN;
        Rng rng(data_seed, Stream::kFeatures, stream_index(b, mu));
        double* x = PT.col(mu).data();
        for (int j = 0; j < m; ++j) x[j] = rng.normal() * sq[j];
      }
    });
    auto F_blkT = FT.topRows(m);
    linalg::syrk(true, 1.0, FsT.topRows(m), 1.0, d.sigma_mat);
    d.q.noalias() += F_blkT.transpose() * lw.head(m);
    if (explicit_matrices) {
      auto P_blkT = PT.topRows(m);
      if (P > 0) {
        linalg::gemm(true, false, 1.0, P_blkT, F_blkT, 1.0, d.phi);
        d.y.noalias() += P_blkT.transpose() * wb.head(m);
      }
      d.F.middleCols(k0, m) = F_blkT.transpose();
      d.psi.middleCols(k0, m) = P_blkT.transpose();
    }
  }
  linalg::symmetrize_lower(d.sigma_mat);
  if (P == 0) return d;
  if (!explicit_matrices) {
    draw_bag_samples(d, P, data_seed, 0, 0.0, threads, d.phi, d.y);
  }
  Rng rng(data_seed, Stream::kLabelNoise, 0);
  Vector eps(P);
  for (int mu = 0; mu < P; ++mu) eps[mu] = rng.normal();
  if (spec.sigma != 0.0) d.y += spec.sigma * eps;
  if (explicit_matrices) d.noise = eps;
  return d;
}

namespace {

// c_i(t) / h'_i for GD from w = 0: (1 - (1 - lr g)^n) / g, or (1 - exp(-g t)) / g for flow.
double gd_gain(double g, double t, double lr, bool flow) {
  if (flow) {
    if (g <= 0.0) return t;
    return -std::expm1(-g * t) / g;
  }
  if (g <= 0.0) return lr * t;
  const double x = lr * g;
  if (x < 1.0) return -std::expm1(t * std::log1p(-x)) / g;
  return (1.0 - std::pow(1.0 - x, t)) / g;
}

}  // namespace

double heavy_ball_gain(double g, std::int64_t n, double lr, double mu) {
  // Coordinate c(n) = hp * gamma(n) with gamma(0) = 0, beta(-1) = 0 and
  //   beta(n) = 1 - g gamma(n) + mu beta(n-1),  gamma(n+1) = gamma(n) + lr beta(n).
  // State x(n) = (gamma(n), beta(n-1), 1): x(n+1) = B x(n) with
  //   B = [[1 - lr g, lr mu, lr], [-g, mu, 1], [0, 0, 1]];  gamma(n) = (B^n)[0][2],
  // by repeated squaring (cost O(log n)).
  Eigen::Matrix3d R = Eigen::Matrix3d::Identity(), B;
  B << 1.0 - lr * g, lr * mu, lr, -g, mu, 1.0, 0.0, 0.0, 1.0;
  for (std::int64_t e = n; e > 0; e >>= 1) {
    if (e & 1) R = R * B;
    if (e > 1) B = B * B;
  }
  return R(0, 2);
}

double continuous_momentum_gain(double g, double t, double beta) {
  // beta c'' + c' = 1 - g c, c(0) = c'(0) = 0.
  if (t <= 0.0) return 0.0;
  if (4.0 * beta * g <= 0.9) {
    // Overdamped: roots r1 = -2g/(1 + s) (slow), r2 = -(1 + s)/(2 beta) (fast), s = sqrt(1 - 4
    // beta g); c = (r1/g) [expm1(r2 t)/r2 - t phi(r1 t)] / (1 - r1/r2) with phi(x) =
    // expm1(x)/x, written without g or beta in a denominator (exact as beta -> 0 or g -> 0).
    const double s = std::sqrt(1.0 - 4.0 * beta * g);
    const double rho1 = -2.0 / (1.0 + s);  // r1 / g
    const double r1t = rho1 * g * t;
    const double phi = r1t == 0.0 ? 1.0 : std::expm1(r1t) / r1t;
    const double q = 4.0 * beta * g / ((1.0 + s) * (1.0 + s));  // r1 / r2, <= 0.52
    const double inv_r2 = -2.0 * beta / (1.0 + s);
    const double fast = std::expm1(-(1.0 + s) * t / (2.0 * beta)) * inv_r2;  // expm1(r2 t)/r2
    return rho1 * (-t * phi + fast) / (1.0 - q);
  }
  // Near critical and underdamped (beta g > 0.225, so t/beta <= 4.5 g t stays moderate): state
  // (c, c', 1), c(t) = exp(t A)[0][2] with A = [[0, 1, 0], [-g/beta, -1/beta, 1/beta], [0, 0, 0]];
  // scaling and squaring of a Taylor series (||t A / 2^sq|| <= 1/2, 24 terms: below round-off).
  Eigen::Matrix3d A;
  A << 0.0, t, 0.0, -g * t / beta, -t / beta, t / beta, 0.0, 0.0, 0.0;
  const double norm = A.cwiseAbs().rowwise().sum().maxCoeff();
  const int sq = norm > 0.5 ? static_cast<int>(std::ceil(std::log2(norm / 0.5))) : 0;
  A *= std::ldexp(1.0, -sq);
  Eigen::Matrix3d E = Eigen::Matrix3d::Identity(), term = Eigen::Matrix3d::Identity();
  for (int k = 1; k <= 24; ++k) {
    term = (term * A) / static_cast<double>(k);
    E += term;
  }
  for (int r = 0; r < sq; ++r) E = E * E;
  return E(0, 2);
}

namespace {

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
  for (int b = 0; b < B; ++b) {
    if (b > 0) draw_bag_samples(d, P, opt.data_seeds[run], b, spec.sigma, inner_threads, phi_b, y_b);
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
      if (!opt.flow && opt.lr * top >= 2.0 * (1.0 + mu)) {
        std::ostringstream msg;
        msg << "lr = " << opt.lr << " is unstable for this draw (data seed " << opt.data_seeds[run];
        if (B > 1) msg << ", data set " << b;
        if (mu == 0.0) {
          msg << "): gradient descent needs lr < 2 / lambda_max(Phi^T Phi / P) = " << 2.0 / top;
        } else {
          msg << "): heavy-ball GD with momentum " << mu
              << " needs lr < 2 (1 + momentum) / lambda_max(Phi^T Phi / P) = "
              << 2.0 * (1.0 + mu) / top;
        }
        throw std::invalid_argument(msg.str());
      }
      Vector hp = U.transpose() * h.segment(e * N, N);
      if (mu == 0.0) {
        for (Eigen::Index t = 0; t < T; ++t)
          for (int i = 0; i < N; ++i) C(t, i) = hp[i] * gd_gain(g[i], opt.times[t], opt.lr, opt.flow);
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
  for (Eigen::Index t = 0; t < T; ++t) out.test(run, t) = d.c0 - 2.0 * wq[t] + WS.row(t).dot(W.row(t));
  if (B > 1) {
    // no single training set: the train loss is not defined for bagging
    for (Eigen::Index t = 0; t < T; ++t) out.train(run, t) = std::numeric_limits<double>::quiet_NaN();
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
    if (kernel_norm(mid) < 1.0) lo = mid; else hi = mid;
  }
  return lo;
}

SgdResult simulate_sgd(const ProblemSpec& spec, const SgdOptions& opt) {
  check_spec(spec);
  if (opt.batch <= 0) throw std::invalid_argument("batch must be a positive integer");
  if (opt.data_seeds.size() != opt.projection_seeds.size())
    throw std::invalid_argument("data_seeds and projection_seeds differ in length");
  const std::size_t runs = opt.data_seeds.size();
  const int N = spec.N, B = opt.batch;
  const double gamma = opt.batch_mean ? opt.lr / B : opt.lr;
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
    parallel_for(static_cast<std::ptrdiff_t>(distinct.size()), setup_threads, [&](std::ptrdiff_t i) {
      linalg::SingleThreadedBlas pin;
      const std::size_t r = distinct[static_cast<std::size_t>(i)];
      setups[r] = sgd_setup(spec, opt.projection_seeds[r], 1);
    });
  }
  for (std::size_t r = 0; r < runs; ++r) {
    if (owner[r] != r) setups[r] = setups[owner[r]];
    const double gmax = sgd_max_stable_gamma(setups[r].s, B);
    if (!(gamma < gmax)) {
      std::ostringstream msg;
      const double lr_max = opt.batch_mean ? gmax * B : gmax;
      msg << "lr = " << opt.lr << " is unstable for this draw (projection seed "
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
    for (std::int64_t step = 1; step <= opt.steps && ci < cps.size(); ++step) {
      for (int i = 0; i < B; ++i) {
        double* zi = z.col(i).data();
        double dot = 0.0;
        for (int k = 0; k < N; ++k) {
          zi[k] = sd[k] * rng.normal();
          dot += zi[k] * e[k];
        }
        rho[i] = dot - noise_sd * rng.normal();
      }
      for (int i = 0; i < B; ++i) e.noalias() -= (gamma * rho[i]) * z.col(i);
      while (ci < cps.size() && cps[ci] == step) {
        const double l = loss();
        if (!std::isfinite(l)) {
          std::ostringstream msg;
          msg << "SGD diverged (non-finite loss at step " << step << ", data seed "
              << opt.data_seeds[r] << ")";
          throw std::runtime_error(msg.str());
        }
        out.test(r, ci++) = l;
      }
    }
  });
  return out;
}

Vector normal_samples(std::uint64_t seed, std::int64_t n) {
  Rng rng(seed, Stream::kTest, 0);
  Vector x(n);
  for (std::int64_t i = 0; i < n; ++i) x[i] = rng.normal();
  return x;
}

}  // namespace scalinglaws
