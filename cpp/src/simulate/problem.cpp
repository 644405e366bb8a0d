#include "scalinglaws/simulate/problem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/linalg/blas.hpp"
#include "scalinglaws/linalg/lapack.hpp"
#include "scalinglaws/parallel.hpp"
#include "scalinglaws/rng.hpp"

namespace scalinglaws {
namespace {
constexpr int kBlock = 1024;  // feature columns per streamed block (fixed: part of the stream key)

std::uint64_t stream_index(std::int64_t block, std::int64_t row) {
  return (static_cast<std::uint64_t>(block) << 32) ^ static_cast<std::uint64_t>(row);
}

}  // namespace

void check_spec(const ProblemSpec& spec) {
  checks::non_empty(spec.lam.size(), "lam");
  checks::same_length(spec.wstar.size(), spec.lam.size(), "wstar", "lam");
  checks::all_positive(spec.lam.data(), spec.lam.size(), "lam");
  checks::all_finite(spec.wstar.data(), spec.wstar.size(), "wstar");
  checks::count_at_least(spec.N, 1, "N");
  checks::non_negative(spec.sigma, "sigma");
}

// Training samples (phi_mu, w*.psi_mu) of data set `bag` drawn from their exact joint Gaussian
// law given the projection in d (covariance [[Sigma, q], [q^T, c0]]), plus sigma * eps.
// Bag 0 uses the streams of the single-data-set simulator (feature stream index mu, label-noise
// index 0); bag b > 0 uses feature stream indices (b << 48) ^ mu and label-noise index b.
void draw_bag_samples(const Draw& d, int P, std::uint64_t data_seed, int bag, double sigma,
                      int threads, Matrix& phi, Vector& y) {
  checks::count_at_least(P, 0, "P");
  checks::count_at_least(bag, 0, "bag");
  checks::non_negative(sigma, "sigma");
  checks::threads(threads);
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
  checks::count_at_least(P, 0, "P");
  checks::count_at_least(ensemble, 1, "ensemble");
  checks::threads(threads);
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

}  // namespace scalinglaws
