#include "scalinglaws/kernels/kernel_matrix.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "scalinglaws/checks.hpp"
#include "scalinglaws/linalg/blas.hpp"
#include "scalinglaws/parallel.hpp"

namespace scalinglaws::kernels {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInv2Pi = 1.0 / (2.0 * kPi);
// Squared distances below this fraction of |x|^2 + |z|^2 are recomputed directly (the
// |x|^2 + |z|^2 - 2 x.z form loses digits to cancellation there).
constexpr double kCloseFraction = 1e-4;
constexpr Eigen::Index kTile = 64;

void check_params(const Params& p, Eigen::Index d) {
  if (d < 1) throw std::invalid_argument("X must have at least one feature column");
  checks::threads(p.threads);
  if (p.kind == Kind::rbf || p.kind == Kind::laplace) {
    if (!(p.bandwidth > 0.0) || !std::isfinite(p.bandwidth))
      throw std::invalid_argument("bandwidth must be a finite number > 0");
  } else {
    if (p.depth < 1) throw std::invalid_argument("depth must be >= 1");
    if (!(p.weight_variance > 0.0) || !std::isfinite(p.weight_variance))
      throw std::invalid_argument("weight_variance must be a finite number > 0");
    if (!(p.bias_variance >= 0.0) || !std::isfinite(p.bias_variance))
      throw std::invalid_argument("bias_variance must be a finite number >= 0");
  }
}

inline double direct_sqdist(const double* x, const double* z, Eigen::Index d) {
  double s0 = 0.0, s1 = 0.0;
  Eigen::Index k = 0;
  for (; k + 1 < d; k += 2) {
    const double a = x[k] - z[k], b = x[k + 1] - z[k + 1];
    s0 += a * a;
    s1 += b * b;
  }
  if (k < d) {
    const double a = x[k] - z[k];
    s0 += a * a;
  }
  return s0 + s1;
}

// Per-layer diagonal Sigma_l(x, x), l = 1..depth, stored as depth x n (column i = point i).
Matrix layer_diagonals(const Vector& sq_norms, Eigen::Index d, const Params& p) {
  Matrix diag(p.depth, sq_norms.size());
  for (Eigen::Index i = 0; i < sq_norms.size(); ++i) {
    double s = p.weight_variance * sq_norms[i] / static_cast<double>(d) + p.bias_variance;
    for (int l = 0; l < p.depth; ++l) {
      diag(l, i) = s;
      s = p.weight_variance * 0.5 * s + p.bias_variance;  // theta = 0: E[relu(u)^2] = Sxx / 2
    }
  }
  return diag;
}

// Fills column j, rows [i0, n), of K (which holds the inner products x_i . z_j on entry).
struct ColumnWorker {
  const Params& p;
  Eigen::Index d;
  const Vector& nx;
  const Vector& nz;
  const Matrix& Xt;  // d x n (column i = x_i)
  const Matrix& Zt;  // d x m
  const Matrix& dx;  // depth x n
  const Matrix& dz;  // depth x m
  bool symmetric;

  // Returns whether the filled part of the column is finite (checked while it is in cache).
  bool operator()(Matrix& K, Eigen::Index j) const {
    const Eigen::Index n = K.rows();
    const Eigen::Index i0 = symmetric ? j : 0;
    fill(K.col(j).data(), i0, n, j);
    return K.col(j).segment(i0, n - i0).allFinite();
  }

  void fill(double* col, Eigen::Index i0, Eigen::Index n, Eigen::Index j) const {
    if (p.kind == Kind::rbf || p.kind == Kind::laplace) {
      const double inv_h = 1.0 / p.bandwidth;
      const double inv_2h2 = 0.5 * inv_h * inv_h;
      for (Eigen::Index i = i0; i < n; ++i) {
        double d2;
        if (symmetric && i == j) {
          d2 = 0.0;
        } else {
          const double scale = nx[i] + nz[j];
          d2 = scale - 2.0 * col[i];
          if (d2 < kCloseFraction * scale)
            d2 = direct_sqdist(Xt.col(i).data(), Zt.col(j).data(), d);
          if (d2 < 0.0) d2 = 0.0;
        }
        col[i] = p.kind == Kind::rbf ? std::exp(-d2 * inv_2h2) : std::exp(-std::sqrt(d2) * inv_h);
      }
      return;
    }
    const double sw2 = p.weight_variance, sb2 = p.bias_variance;
    const bool ntk = p.kind == Kind::ntk;
    const double inv_d = 1.0 / static_cast<double>(d);
    for (Eigen::Index i = i0; i < n; ++i) {
      const bool diagonal = symmetric && i == j;
      double s = sw2 * col[i] * inv_d + sb2;
      if (diagonal) s = dx(0, i);
      double theta_ntk = s;
      for (int l = 0; l < p.depth; ++l) {
        const double prod = dx(l, i) * dz(l, j);
        double e = 0.0, angle = 0.5 * kPi;
        if (prod > 0.0) {
          const double r = std::sqrt(prod);
          double rho = diagonal ? 1.0 : s / r;
          rho = std::min(1.0, std::max(-1.0, rho));
          angle = std::acos(rho);
          e = r * (std::sqrt(std::max(0.0, 1.0 - rho * rho)) + (kPi - angle) * rho) * kInv2Pi;
        }
        const double s_next = sw2 * e + sb2;
        if (ntk) theta_ntk = theta_ntk * (sw2 * (kPi - angle) * kInv2Pi) + s_next;
        s = s_next;
      }
      col[i] = ntk ? theta_ntk : s;
    }
  }
};

// The kernel overflowed (or met inf - inf) although X is finite: the features are too large.
[[noreturn]] void throw_not_finite(const Eigen::Ref<const Matrix>& X, const Params& p) {
  std::ostringstream msg;
  msg << "the " << kind_name(p.kind)
      << " kernel of these points is not finite (overflow: |X| = " << X.cwiseAbs().maxCoeff()
      << " too large for bandwidth / depth = " << p.bandwidth << " / " << p.depth
      << "); standardise the features";
  throw std::invalid_argument(msg.str());
}

// Copies the strict lower triangle to the upper one, in tiles, in parallel over tile columns.
void mirror_lower(Matrix& K, int threads) {
  const Eigen::Index n = K.rows();
  const Eigen::Index nb = (n + kTile - 1) / kTile;
  parallel_for(nb, threads, [&](std::ptrdiff_t bj) {
    const Eigen::Index j0 = bj * kTile, j1 = std::min(n, j0 + kTile);
    for (Eigen::Index bi = 0; bi <= bj; ++bi) {
      const Eigen::Index r0 = bi * kTile, r1 = std::min(n, r0 + kTile);
      for (Eigen::Index j = j0; j < j1; ++j)
        for (Eigen::Index i = r0; i < std::min(r1, j); ++i) K(i, j) = K(j, i);
    }
  });
}

Matrix compute(const Eigen::Ref<const Matrix>& X, const Eigen::Ref<const Matrix>* Zp,
               const Params& p) {
  const bool symmetric = Zp == nullptr;
  const Eigen::Index d = X.cols();
  check_params(p, d);
  if (!symmetric && Zp->cols() != d)
    throw std::invalid_argument("X and Z must have the same number of columns (features)");
  const Eigen::Ref<const Matrix>& Z = symmetric ? X : *Zp;
  const Eigen::Index n = X.rows(), m = Z.rows();
  checks::require(n > 0, "X", "must have at least one row (point)");
  checks::require(m > 0, "Z", "must have at least one row (point)");
  checks::require(X.allFinite(), "X", "must be finite everywhere");
  if (!symmetric) checks::require(Z.allFinite(), "Z", "must be finite everywhere");
  Matrix K(n, m);
  if (symmetric)
    linalg::syrk(false, 1.0, X, 0.0, K);
  else
    linalg::gemm(false, true, 1.0, X, Z, 0.0, K);

  const Vector nx = X.rowwise().squaredNorm();
  const Vector nz = symmetric ? nx : Vector(Z.rowwise().squaredNorm());
  Matrix Xt, Zt, dx, dz;
  if (p.kind == Kind::rbf || p.kind == Kind::laplace) {
    Xt = X.transpose();
    if (!symmetric) Zt = Z.transpose();
  } else {
    dx = layer_diagonals(nx, d, p);
    if (!symmetric) dz = layer_diagonals(nz, d, p);
  }
  ColumnWorker worker{p, d, nx, nz, Xt, symmetric ? Xt : Zt, dx, symmetric ? dx : dz, symmetric};
  std::atomic<bool> finite{true};
  parallel_for(m, p.threads, [&](std::ptrdiff_t j) {
    if (!worker(K, j)) finite.store(false, std::memory_order_relaxed);
  });
  if (!finite.load()) throw_not_finite(X, p);
  if (symmetric) mirror_lower(K, p.threads);
  return K;
}

}  // namespace

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::rbf: return "rbf";
    case Kind::laplace: return "laplace";
    case Kind::nngp: return "nngp";
    case Kind::ntk: break;
  }
  return "ntk";
}

Kind kind_from_string(const std::string& name) {
  if (name == "rbf") return Kind::rbf;
  if (name == "laplace") return Kind::laplace;
  if (name == "nngp") return Kind::nngp;
  if (name == "ntk") return Kind::ntk;
  throw std::invalid_argument("kernel must be one of 'rbf', 'laplace', 'nngp', 'ntk', got '" +
                              name + "'");
}

Matrix kernel_matrix(const Eigen::Ref<const Matrix>& X, const Params& p) {
  return compute(X, nullptr, p);
}

Matrix kernel_matrix(const Eigen::Ref<const Matrix>& X, const Eigen::Ref<const Matrix>& Z,
                     const Params& p) {
  return compute(X, &Z, p);
}

}  // namespace scalinglaws::kernels
