// Fixed-Talbot contours for the numerical Laplace / z-transform inversion of the DMFT responses,
// and the self-consistency solved along them.
//
// Momentum (Bordelon et al. App. K.2) is another map to q plus an initial-condition factor phi
// (the transform of the constant 1 times q): v0 = w* - Theta * v4 with Theta = 1/q and
//   heavy-ball b(n) = v4(n) + mu b(n-1), v0(n+1) = v0(n) - eta b(n) (eqs. 139-141):
//     q = (z - 1)(1 - mu/z)/eta,  phi = (z - mu)/eta;
//   continuous beta v0'' + v0' = -v4 with v0(0) = w*, v0'(0) = 0 (eqs. 137-138):
//     q = s + beta s^2,  phi = 1 + beta s.
// mu = 0 / beta = 0 reduce to plain GD (phi = z/eta) and flow (phi = 1).
#pragma once

#include <vector>

#include "scalinglaws/dmft/spectrum.hpp"

namespace scalinglaws::dmft {

struct CurveOptions {
  bool flow = false;      // gradient flow (true) or discrete GD (false)
  double lr = 0.5;        // GD learning rate eta (ignored for flow)
  double momentum = 0.0;  // heavy-ball mu (GD, 0 <= mu < 1) or continuous beta >= 0 (flow)
  int nodes = 20;  // fixed-Talbot nodes on the upper half of the contour (incl. the real one)
  int threads = 0;
  // Ensembles and bagging (App. H, eqs. 108-113): the loss of the predictor averaged over E
  // independent projections x B independent data sets. 1/E and 1/B (0 = infinity).
  double inv_E = 1.0;
  double inv_B = 1.0;
  // Discrete GD without momentum: an upper bound on the spectrum of K (0 = not given). When
  // lr * u_max > 1 the step map 1 - lr u reaches z < 0, and the contour gets a second fixed-Talbot
  // petal around z in [1 - lr u_max, 0) (see make_contour).
  double u_max = 0.0;
  // Discrete GD with a step-dependent rate (empty = constant lr): segment k has the rate
  // schedule_lr[k] for schedule_steps[k] (whole) steps, in order; lr must be the peak rate.
  // The loss at step n is then the transfer g(u) = prod_k (1 - lr_k u)^(n_k) of the first n
  // steps (the factors commute: GD on a fixed quadratic) integrated on the same contour in
  // z = 1 - lr u (see make_contour).
  std::vector<double> schedule_lr;
  std::vector<double> schedule_steps;
};

// Preconditions on the options shared by the time-domain entry points (nodes >= 1, lr finite
// and > 0 for GD, momentum in range, threads >= 0, inv_E and inv_B in [0, 1]) and on the times
// (non-empty, finite, > 0). Throws std::invalid_argument.
void check_curve(const std::vector<double>& times, const CurveOptions& opt);

// Whether make_contour adds the second petal at this time (GD, lr * u_max > 1, see below).
bool has_second_petal(double time, const CurveOptions& opt);

// Fixed-Talbot nodes for "time" tau on the upper half contour, theta_j = j pi / K (j = 0..K-1):
// s_j = r theta (cot theta + i), r = 2K/(5 tau); weight c_j with (1/2 pi i) int e^{s tau} F ds
// ~ sum_{full contour} c_j e^{s_j tau} F(s_j) and c_{-j} = conj(c_j).
//
// Two petals (discrete GD, lr * u_max > 1). The inverse z-transform
// f(n) = (1/2 pi i) \oint F(z) z^(n-1) dz needs a contour around the whole segment
// [z_min, 1], z_min = 1 - lr u_max in (-1, 1), of singularities z = 1 - lr u. Petal 1 is the
// Talbot contour above in s = log z (it encloses z in (0, e^r)); petal 2 is the same Talbot
// contour in s = log(-z), z = -e^s, z^n = (-1)^n e^(n s): it encloses z in (-e^r, 0), i.e. every
// stable singularity at z < 0 whatever u_max (u_max only decides whether the petal is needed).
// Both are closed curves through z = 0 (s -> -infinity, where z^n -> 0); together they are
// homologous to a circle |z| = e^r around the segment. Petal 1 lies in |arg z| < r pi, petal 2
// in |arg(-z)| < r pi: they stay apart while r < 1/2 (steps > 0.8 nodes). The petal is dropped
// when |z_min|^n < 1e-30 (its contribution is of that order).
//
// Schedules (opt.schedule_lr): the weight z^n becomes g(-q) = prod_k (1 + lr_k q)^(n_k) over the
// first n steps (q = (z - 1)/lr, lr the peak), and tau is the effective step count
// sum_k lr_k n_k / lr (so |g| <= e^(r tau) on the contour, as z^n for a constant rate). Petal 2
// is kept whenever lr * u_max > 1.
struct Contour {
  std::vector<cplx> q;        // frequency variable at the node
  std::vector<cplx> w;        // c_j * e^{s_j tau} * dq/ds
  std::vector<int> start{0};  // first node of each petal; that node is real (self-conjugate)
  bool is_real(std::size_t j) const {
    for (int s : start)
      if (static_cast<std::size_t>(s) == j) return true;
    return false;
  }
};

Contour make_contour(double time, const CurveOptions& opt);

// S along the contour nodes, by continuation from the real node (unique real root) outward.
// With a guess (the solution at the same node of a nearby time), each node is first tried by
// Newton from its guess; nodes that fail (or land off the physical branch) fall back to the
// continuation along the contour.
// Each petal is continued from its own real node: q > 0 (petal 1) by the bracketed real solve,
// q < -u_max (petal 2, left of the spectrum, where S is real) by Newton from a nearby complex q.
std::vector<cplx> solve_contour(const Spectrum& sp, const Contour& c,
                                const std::vector<cplx>* guess = nullptr);

}  // namespace scalinglaws::dmft
