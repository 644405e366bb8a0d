"""Power-law random features with one-pass SGD (Paquette, Paquette, Xiao & Pennington, NeurIPS 2024).

Model (``Problem.paquette``): data ``x ~ N(0, D)``, ``D = diag(j^-2alpha)``, target ``y = <x, b>``,
``b_j = j^-beta``, j = 1..v; random features ``W`` (v x d) with N(0, 1/d) entries; loss

    P(theta) = ||D^1/2 (W theta - b)||^2        (NO 1/2 in front)

Learning-rate conventions. The paper's SGD sums the batch:
``theta <- theta - gamma * sum_{i<=B} grad_i`` (``lr_convention="sum"``, the default here and the
meaning of ``--lr`` in the CLI). The reference code (optax on the batch mean of the 1/2-loss)
uses ``lr = gamma * B`` (``lr_convention="mean"``). Compute is ``f = B * d * r`` flops.

Contents

* Deterministic equivalent (C++, complex128, Newton continuation in Im z, parallel over z):
  :func:`resolvent_m`, :func:`deterministic_spectrum` (eigenvalue density, target-weighted
  measure, d deterministic eigenvalues and rho-weights), :func:`lambda_min`, :func:`limit_loss`.
  Sums over j = 1..v cost O(1) in v (exact head + exact window at the pole + Euler-Maclaurin
  tail, relative error ~1e-12 measured against direct sums); ``v = inf`` where they converge.
* :func:`empirical_spectrum`: eigenvalues and rho-weights of one sampled W (the same W that
  ``simulate_sgd(..., projection_seed=seed)`` uses).
* Loss curves: :func:`forcing_kernel`, :func:`volterra_loss`, :func:`loss_curve` (the discrete
  Volterra equation P(r) = F(r) + sum_{s<r} K(r-1-s) P(s), exact per step up to ``exact_steps``,
  then blocks of ~``block_rel * r`` steps with P linear inside a block).
* Phases: :func:`phase`, :func:`compute_optimal_exponents`, :func:`loss_components`,
  :func:`measure_compute_optimal`, :func:`fit_compute_optimal` (refit over a flops window),
  :func:`kernel_norm` (||K||; the loss plateau is P_inf / (1 - ||K||)).
* Figure data (``scalinglaws reproduce paquette-...``): :func:`figure_spectrum`,
  :func:`figure_phase_diagram`, :func:`figure_boundary`, :func:`figure_finite_size`,
  :func:`figure_fronts`, :func:`figure_phase_curves`, :func:`figure_contour`.

beta may be negative: everything needs only 2(alpha + beta) > 1 (summable target weights
j^-(2alpha+2beta)); Phase Ia then extends to beta < 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._backend import _core
from ._validate import check_array, check_int, check_real
from .problem import Problem
from .simulate import log_spaced_steps

__all__ = [
    "Spectrum", "LossCurve", "resolvent_m", "limit_loss", "lambda_min", "deterministic_spectrum",
    "empirical_spectrum", "max_stable_lr", "forcing_kernel", "volterra_loss", "loss_curve",
    "phase", "compute_optimal_exponents", "loss_components", "measure_compute_optimal",
    "fit_compute_optimal",
    "PHASES", "PHASE_EXAMPLES", "kernel_norm", "estimate_compute_optimal", "figure_spectrum", "figure_phase_diagram",
    "figure_boundary", "figure_finite_size", "figure_fronts", "figure_phase_curves",
    "figure_contour",
]

Size = Union[int, float]
PHASES = ("Ia", "Ib", "Ic", "II", "III", "IVa", "IVb")


# ------------------------------------------------------------------------------ validation
def _check_alpha_beta(alpha: Any, beta: Any = None) -> Tuple[float, Optional[float]]:
    alpha = check_real("alpha", alpha, minimum=0.0, min_open=True)
    if beta is None:
        return alpha, None
    beta = check_real("beta", beta)
    if not 2.0 * (alpha + beta) > 1.0:
        raise ValueError(f"need 2(alpha + beta) > 1 for a finite loss, got alpha = {alpha}, "
                         f"beta = {beta} (2(alpha+beta) = {2 * (alpha + beta):g})")
    return alpha, beta


def _check_v_d(alpha: float, v: Any, d: Any) -> Tuple[float, int]:
    d = check_int("d", d, minimum=1, maximum=10**8)
    if isinstance(v, str) and v.strip().lower() in ("inf", "infinity"):
        v = math.inf
    vv = check_real("v", v, minimum=1.0, allow_inf=True)
    if math.isinf(vv):
        if not 2.0 * alpha > 1.0:
            raise ValueError(f"v = inf needs 2 alpha > 1 (the sums over j diverge), got alpha = {alpha}")
    elif vv != int(vv):
        raise ValueError(f"v must be an integer or inf, got {v!r}")
    if not vv > d:
        raise ValueError(f"need v > d (v >= d + 1), got v = {vv:g}, d = {d}")
    if not math.isinf(vv) and vv > 1e15:
        raise ValueError(f"v must be <= 1e15 or inf, got {v}")
    return vv, d


def _threads(threads: Optional[int]) -> int:
    return 0 if threads is None else check_int("threads", threads, minimum=1, maximum=1024)


# ------------------------------------------------------------------------------ spectrum
@dataclass
class Spectrum:
    """A discrete spectral input of the Volterra equation.

    ``eigenvalues`` (descending) lambda_k of K = W^T D W, ``rho`` the weights
    rho_k = (u_k . theta*)^2, ``limit_loss`` P_inf = F_0 = min_theta P. With theta_0 = 0,
    P(0) = limit_loss + sum_k lambda_k rho_k (no 1/2).
    """

    eigenvalues: np.ndarray
    rho: Optional[np.ndarray]
    limit_loss: Optional[float]
    lambda_min: float
    kind: str
    params: Dict[str, Any] = field(default_factory=dict)
    grid: Optional[np.ndarray] = None            # x grid of the densities (descending)
    density: Optional[np.ndarray] = None         # eigenvalue density (integrates to d)
    rho_density: Optional[np.ndarray] = None     # (1/pi) Im(S_F(x)/x); rho-measure
    total_count: Optional[float] = None

    @property
    def d(self) -> int:
        return int(self.eigenvalues.size)

    @property
    def target_measure(self) -> Optional[np.ndarray]:
        """Target-weighted spectral density mu_F(dx)/dx = x * rho_density (deterministic only)."""
        if self.rho_density is None or self.grid is None:
            return None
        return self.grid * self.rho_density

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"eigenvalues": [float(x) for x in self.eigenvalues]}
        out["rho"] = None if self.rho is None else [float(x) for x in self.rho]
        out["lambda_min"] = float(self.lambda_min)
        out["limit_loss"] = None if self.limit_loss is None else float(self.limit_loss)
        return out


def resolvent_m(z: Any, alpha: float, v: Size, d: int, *,
                threads: Optional[int] = None) -> np.ndarray:
    """m(z) of the deterministic equivalent (plrf.md 2.2), Im z > 0, branch m -> 1 at infinity.

    ``m = 1 / (1 + (1/d) sum_j j^-2alpha / (j^-2alpha m - z))``; complex128 Newton continuation
    in Im z. Raises RuntimeError with the residual if Newton fails.
    """
    alpha, _ = _check_alpha_beta(alpha)
    v, d = _check_v_d(alpha, v, d)
    zz = np.atleast_1d(np.asarray(z, dtype=np.complex128))
    if not np.all(np.isfinite(zz)):
        raise ValueError("z must be finite")
    if np.any(zz.imag <= 0):
        raise ValueError("z must have Im z > 0 (use x + 1e-10j*x for the real axis)")
    return np.asarray(_core.plrf_solve_m(alpha, v, d, zz.ravel(), _threads(threads))).reshape(zz.shape)


def _edges(alpha: float, beta: Optional[float], v: float, d: int) -> Tuple[float, float, float, float, float]:
    return _core.plrf_edges(alpha, beta, v, d)


def limit_loss(alpha: float, beta: float, v: Size, d: int) -> float:
    """Deterministic limit loss F_0 = P_inf (no 1/2), plrf.md 2.2.

    ``F_0 = sum_{j<=v} j^-(2alpha+2beta) / (1 + c j^-2alpha)`` with c > 0 solving
    ``(1/d) sum_{j<=v} c / (c + j^2alpha) = 1``; valid for 2alpha > 1 (v may be inf) and
    2alpha < 1 (v finite). Sums over j = 1..v (the reference code stops at v - 1).
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    v, d = _check_v_d(alpha, v, d)
    return float(_edges(alpha, beta, v, d)[2])


def lambda_min(alpha: float, v: Size, d: int) -> float:
    """Left edge of the deterministic-equivalent spectrum (plrf.md 2.2), ~ d^-2alpha."""
    alpha, _ = _check_alpha_beta(alpha)
    v, d = _check_v_d(alpha, v, d)
    return float(_edges(alpha, None, v, d)[0])


def deterministic_spectrum(alpha: float, v: Size, d: int, beta: Optional[float] = None, *,
                           points_per_bump: float = 80.0, eta_rel: float = 1e-10,
                           threads: Optional[int] = None) -> Spectrum:
    """Deterministic-equivalent spectrum of K = W^T D W (plrf.md 2.2-2.3).

    The density is computed on a log grid from lambda_min/2 to above the top outlier, with
    ``points_per_bump`` points across the width 4 lambda / sqrt(d) of an outlier bump, at
    z = x + i eta_rel x. Deterministic eigenvalue k (descending) is where the descending
    cumulative count crosses k - 1/2; rho_k integrates the rho-measure (1/pi) Im(S_F/z) between the
    crossings of k - 1 and k (the top window extends to the top of the grid, so it contains the
    whole top bump). ``beta`` is needed for rho and the limit loss. The integrated count must be
    within 2% (+1) of d, else RuntimeError; the small remainder (typically < 1e-4 d) is removed by
    rescaling the count to d before it is inverted. Sum rule: limit_loss + sum_k lambda_k rho_k
    equals ||D^1/2 b||^2 to ~1e-3 (checked in the tests).
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    v, d = _check_v_d(alpha, v, d)
    points_per_bump = check_real("points_per_bump", points_per_bump, minimum=4.0, maximum=1e4)
    eta_rel = check_real("eta_rel", eta_rel, minimum=1e-14, maximum=1e-3)
    lmin, c, f0, target, trace = _edges(alpha, beta, v, d)
    x_hi = 2.0 * (1.0 + trace / d) * (1.0 + 2.0 / math.sqrt(d)) ** 2
    x_lo = 0.5 * lmin
    s = _core.plrf_spectrum(alpha, beta, v, d, x_lo, x_hi, points_per_bump, eta_rel,
                            _threads(threads))
    rho = np.asarray(s["rho"]) if beta is not None else None
    for name, arr in (("eigenvalues", s["eigenvalues"]), ("rho", rho)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise RuntimeError(f"deterministic spectrum produced non-finite {name}")
    return Spectrum(
        eigenvalues=np.asarray(s["eigenvalues"]), rho=rho,
        limit_loss=None if beta is None else float(f0), lambda_min=float(lmin),
        kind="deterministic",
        params={"alpha": alpha, "beta": beta, "v": v, "d": d, "c": c, "trace_D": trace,
                "target_norm": target, "lam_rho_mass": float(s["total_lam_rho"])},
        grid=np.asarray(s["x"]), density=np.asarray(s["density"]),
        rho_density=np.asarray(s["rho_density"]) if beta is not None else None,
        total_count=float(s["total_count"]),
    )


def empirical_spectrum(alpha: float, beta: float, v: int, d: int, seed: int = 0, *,
                       threads: Optional[int] = None) -> Spectrum:
    """Exact spectrum of one sampled W (the W of ``simulate_sgd(..., projection_seed=seed)``).

    Eigenvalues of K = W^T D W (descending), rho_k = (u_k . theta*)^2 and P_inf = min P.
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    vv, d = _check_v_d(alpha, v, d)
    if math.isinf(vv):
        raise ValueError("empirical_spectrum needs a finite v")
    seed = check_int("seed", seed, minimum=0, maximum=2**63 - 1)
    prob = Problem.paquette(alpha, beta, int(vv), d)
    s, e0, p_inf = _core.sgd_setup(prob.lam, prob.wstar, d, seed, _threads(threads))
    s = np.asarray(s)[::-1].copy()
    rho = (np.asarray(e0) ** 2)[::-1].copy()
    return Spectrum(eigenvalues=s, rho=rho, limit_loss=float(p_inf), lambda_min=float(s[-1]),
                    kind="empirical", params={"alpha": alpha, "beta": beta, "v": int(vv), "d": d,
                                              "seed": seed})


# ------------------------------------------------------------------------------ loss curves
def _gamma(lr: float, batch: int, lr_convention: str) -> float:
    if lr_convention not in ("sum", "mean"):
        raise ValueError(f"lr_convention must be 'sum' or 'mean', got {lr_convention!r}")
    return lr / batch if lr_convention == "mean" else lr


def max_stable_lr(spectrum: Spectrum, batch: int = 1, lr_convention: str = "sum") -> float:
    """Largest stable learning rate (plrf.md 1.3): gamma (B+1) lambda_max < 2 and kernel norm
    sum_k gamma lambda_k / (2 - gamma (B+1) lambda_k) < 1 (gamma per sample, batch-sum)."""
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    g = float(_core.sgd_max_stable_gamma(np.asarray(spectrum.eigenvalues, float), batch))
    return g * batch if lr_convention == "mean" else g


def _check_lr(spectrum: Spectrum, lr: Any, batch: int, lr_convention: str) -> float:
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    gamma = _gamma(lr, batch, lr_convention)
    bound = max_stable_lr(spectrum, batch, "sum")
    if not gamma < bound:
        lr_bound = bound * batch if lr_convention == "mean" else bound
        raise ValueError(
            f"lr = {lr:g} is unstable: with batch B = {batch} ({lr_convention} convention) the "
            f"Volterra kernel norm sum_k g lam_k / (2 - g (B+1) lam_k) < 1 and g (B+1) lam_max < 2 "
            f"require lr < {lr_bound:.6g} for this spectrum")
    return gamma


def forcing_kernel(spectrum: Spectrum, lr: float, steps: Sequence[float], *, batch: int = 1,
                   lr_convention: str = "sum",
                   threads: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Forcing F(r) = P_inf + sum_k lam_k rho_k q_k^r and kernel K(r) = gamma^2 B sum_k lam_k^2 q_k^r,
    q = 1 - 2 gamma B lam + gamma^2 B (B+1) lam^2 (batch-sum gamma; P without 1/2)."""
    if spectrum.rho is None or spectrum.limit_loss is None:
        raise ValueError("the spectrum has no target (pass beta)")
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    gamma = _check_lr(spectrum, lr, batch, lr_convention)
    r = check_array("steps", steps)
    if np.any(r < 0):
        raise ValueError("steps must be >= 0")
    F, K = _core.plrf_forcing_kernel(spectrum.eigenvalues, spectrum.rho, gamma, batch,
                                     list(map(float, r)), _threads(threads))
    return np.asarray(F) + spectrum.limit_loss, np.asarray(K)


@dataclass
class LossCurve:
    """Expected loss P(r) (no 1/2) at whole steps r."""

    steps: np.ndarray
    loss: np.ndarray
    params: Dict[str, Any] = field(default_factory=dict)

    @property
    def flops(self) -> np.ndarray:
        """f = B d r."""
        return self.steps * self.params.get("batch", 1) * self.params.get("d", 1)

    def to_dict(self) -> Dict[str, Any]:
        return {"steps": [int(s) for s in self.steps], "loss": [float(x) for x in self.loss]}


def volterra_loss(spectrum: Spectrum, lr: float, steps: int, *, batch: int = 1,
                  lr_convention: str = "sum", checkpoints: Optional[Sequence[int]] = None,
                  n_checkpoints: int = 100, exact_steps: int = 2000,
                  block_rel: float = 0.01) -> LossCurve:
    """Solve P(r) = F(r) + sum_{s<r} K(r-1-s) P(s) for r <= steps (plrf.md 2.1).

    Mode recursion m_k(r+1) = q_k m_k(r) + gamma^2 B lam_k P(r), m_k(0) = rho_k,
    P = P_inf + sum_k lam_k m_k: exact for r <= ``exact_steps``; afterwards blocks of
    n = floor(block_rel * r) steps in which P is taken linear (closed-form geometric sums, implicit
    in the block's end value), error O(block_rel^2) relative. Cost O(d (exact_steps +
    log(steps)/block_rel)). Refuses unstable lr (plrf.md 1.3).
    """
    if spectrum.rho is None or spectrum.limit_loss is None:
        raise ValueError("the spectrum has no target (pass beta)")
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    steps = check_int("steps", steps, minimum=1, maximum=10**15)
    exact_steps = check_int("exact_steps", exact_steps, minimum=0)
    block_rel = check_real("block_rel", block_rel, minimum=0.0, maximum=0.5, min_open=True)
    gamma = _check_lr(spectrum, lr, batch, lr_convention)
    cps = log_spaced_steps(steps, check_int("n_checkpoints", n_checkpoints, minimum=1,
                                            maximum=10**6))
    if checkpoints is not None:
        extra = check_array("checkpoints", list(checkpoints))
        if np.any(extra < 0) or np.any(extra > steps) or np.any(extra != np.round(extra)):
            raise ValueError(f"checkpoints must be whole numbers in [0, steps={steps}]")
        cps = np.unique(np.concatenate([cps, extra.astype(np.int64)]))
    P = np.asarray(_core.plrf_volterra(spectrum.eigenvalues, spectrum.rho,
                                       float(spectrum.limit_loss), gamma, batch,
                                       [int(c) for c in cps], exact_steps, block_rel))
    if not np.all(np.isfinite(P)):
        raise RuntimeError("Volterra solution is not finite")
    return LossCurve(steps=cps, loss=P,
                     params={"lr": lr, "gamma": gamma, "batch": batch,
                             "lr_convention": lr_convention, "d": spectrum.d,
                             "spectrum": spectrum.kind, **spectrum.params})


def loss_curve(alpha: float, beta: float, v: Size, d: int, lr: float, steps: int, *,
               batch: int = 1, lr_convention: str = "sum", empirical: bool = False,
               seed: int = 0, n_checkpoints: int = 100,
               threads: Optional[int] = None, **kwargs: Any) -> LossCurve:
    """Expected SGD loss curve P(r) (no 1/2) from the deterministic equivalent (default) or the
    exact spectrum of the W drawn with ``seed`` (``empirical=True``)."""
    if empirical:
        spec = empirical_spectrum(alpha, beta, v, d, seed, threads=threads)
    else:
        spec = deterministic_spectrum(alpha, v, d, beta, threads=threads)
    return volterra_loss(spec, lr, steps, batch=batch, lr_convention=lr_convention,
                         n_checkpoints=n_checkpoints, **kwargs)


# ------------------------------------------------------------------------------ phases
def phase(alpha: float, beta: float) -> str:
    """Phase of (alpha, beta) (plrf.md 3.2). Boundaries: beta >= alpha counts as III, 2beta = 1
    as Ia/Ib, 2alpha = 1 as the 2alpha < 1 side (IVa / Ib)."""
    alpha, beta = _check_alpha_beta(alpha, beta)
    if 2 * beta <= 1:
        return "Ia" if 2 * alpha > 1 else "Ib"
    if 2 * alpha > 1:
        return "III" if beta >= alpha else "II"
    if alpha < 0.25:
        return "Ic"
    if alpha < 1 - 1 / math.sqrt(2):
        return "IVb"
    return "IVa"


def compute_optimal_exponents(alpha: float, beta: float) -> Tuple[str, float, float]:
    """(phase, xi, eta): d* ~ f^xi, P* ~ f^-eta (closed forms of plrf.md 3.2, Table 2)."""
    ph = phase(alpha, beta)
    a, b = float(alpha), float(beta)
    if ph == "Ia":
        xi, eta = 1 / (2 * a + 1), (2 * a + 2 * b - 1) / (2 * a + 1)
    elif ph == "Ib":
        xi, eta = 0.5, (2 * a + 2 * b - 1) / 2
    elif ph == "Ic":
        den = 3 * a + 2 * b - 1 - 2 * a * b
        xi, eta = (2 * a + 2 * b - 1) / (2 * den), a * (2 * a + 2 * b - 1) / den
    elif ph == "II":
        xi, eta = b / (a + b), (2 * a + 2 * b - 1) / (2 * (a + b))
    elif ph == "III":
        xi, eta = 0.5, 1 - 1 / (4 * a)
    elif ph == "IVa":
        xi, eta = 0.5, a
    else:  # IVb
        den = 2 * b * (1 - a) - a
        xi, eta = (b - a) / den, (1 - 2 * a) * (2 * a + 2 * b - 1) / (2 * den)
    return ph, float(xi), float(eta)


def _power_sum(p: float, n: int, head: int = 100_000) -> float:
    """sum_{j=1}^{n} j^-p: exact up to ``head`` terms, then Euler-Maclaurin for the rest
    (integral + endpoint halves + the first derivative correction; relative error < 1e-15 for
    head = 1e5)."""
    m = min(n, head)
    s = float(np.sum(np.arange(1, m + 1, dtype=np.float64) ** (-p)))
    if n <= m:
        return s
    a, b = float(m), float(n)
    integral = math.log(b / a) if p == 1.0 else (b ** (1 - p) - a ** (1 - p)) / (1 - p)
    # sum_{j=m+1}^{n} f(j) = int_m^n f + (f(n) - f(m))/2 + (f'(n) - f'(m))/12, f = x^-p
    return s + integral + 0.5 * (b ** -p - a ** -p) - p * (b ** (-p - 1) - a ** (-p - 1)) / 12.0


def loss_components(alpha: float, beta: float, d: int, r: Any, lr: float, batch: int = 1,
                    v: Optional[Size] = None) -> Dict[str, Any]:
    """Large-d forms of the loss components (plrf.md 3.1), with t = 2 gamma B r (batch-sum gamma):

    * F_0: exact deterministic limit loss (needs v; v = inf allowed for 2 alpha > 1);
    * F_pp(r) ~ (2a)^-1 Gamma(1 + (2b-1)/(2a)) t^-(2a+2b-1)/(2a);
    * F_ac(r) ~ (sum_{j<=d} j^-2b / d) (2a)^-1 Gamma(1 - 1/(2a)) t^-(1-1/(2a)) for 2b > 1, 2a > 1
      (0 otherwise: its form below the line is not known);
    * K_pp(r) ~ gamma^2 B (2a)^-1 Gamma(2 - 1/(2a)) t^-(2-1/(2a)) (power law for alpha > 1/4),
      and the noise term K_pp / (gamma B) that enters P.
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    d = check_int("d", d, minimum=1)
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    batch = check_int("batch", batch, minimum=1)
    rr = np.asarray(r, dtype=np.float64)
    t = 2.0 * lr * batch * rr
    a, b = alpha, beta
    out: Dict[str, Any] = {"t": t}
    out["F_0"] = None if v is None else limit_loss(a, b, v, d)
    out["F_pp"] = (1 / (2 * a)) * math.gamma(1 + (2 * b - 1) / (2 * a)) * t ** (-(2 * a + 2 * b - 1) / (2 * a))
    if 2 * b > 1 and 2 * a > 1:
        out["F_ac"] = (_power_sum(2 * b, d) / d) * (1 / (2 * a)) * math.gamma(1 - 1 / (2 * a)) * \
            t ** (-(1 - 1 / (2 * a)))
    else:
        out["F_ac"] = np.zeros_like(t)
    if a > 0.25:
        out["K_pp"] = lr**2 * batch * (1 / (2 * a)) * math.gamma(2 - 1 / (2 * a)) * \
            t ** (-(2 - 1 / (2 * a)))
        out["noise"] = out["K_pp"] / (lr * batch)
    else:
        out["K_pp"] = None
        out["noise"] = None
    return out


def measure_compute_optimal(alpha: float, beta: float, ds: Sequence[int], *,
                            v_ratio: Optional[float] = None, lr_scale: float = 0.5,
                            batch: int = 1, flops: Optional[Sequence[float]] = None,
                            n_flops: int = 40, block_rel: float = 0.02,
                            fit_flops: Optional[Tuple[float, float]] = None,
                            threads: Optional[int] = None) -> Dict[str, Any]:
    """Measure xi (d* ~ f^xi) and eta (P* ~ f^-eta) from deterministic-equivalent Volterra curves.

    For each d: the deterministic spectrum with v = inf (2 alpha > 1 and v_ratio None) or
    v = v_ratio d, gamma = lr_scale / tr D (batch-sum; so gamma ~ d^(2alpha-1) below the line),
    and P(r) on a log grid of r up to max(flops)/(B d). For each flop budget f = B d r:
    *frontier*: P*(f) = min_d P(f/(Bd), d) over the d grid; *IsoFLOP*: a parabola in log d through
    the discrete minimum and its neighbours gives d*(f) and P*(f). The exponents are least-squares
    slopes in log-log over the budgets whose minimum is interior to the d grid (and inside
    ``fit_flops = (f_lo, f_hi)`` if given).
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    ds = sorted(set(check_int("d", x, minimum=2) for x in ds))
    if len(ds) < 3:
        raise ValueError("need at least 3 model sizes d")
    if flops is None:
        f_lo = 10 * ds[-1] * batch * 10
        f_hi = 1e4 * ds[0] ** (2 * max(alpha, 0.5) + 1) * batch
        flops = np.logspace(math.log10(f_lo), math.log10(max(f_hi, 100 * f_lo)), n_flops)
    flops = np.asarray(flops, dtype=np.float64)
    logP = np.empty((len(ds), flops.size))
    curves = []
    for i, d in enumerate(ds):
        v = _v_for(alpha, d, v_ratio)
        spec = deterministic_spectrum(alpha, v, d, beta, threads=threads)
        gamma = lr_scale / spec.params["trace_D"]
        steps = int(math.ceil(flops[-1] / (batch * d))) + 1
        curve = volterra_loss(spec, gamma, steps, batch=batch, n_checkpoints=400,
                              block_rel=block_rel)
        curves.append(curve)
        r = flops / (batch * d)
        m = curve.steps > 0
        logP[i] = np.interp(np.log(r), np.log(curve.steps[m]), np.log(curve.loss[m]),
                            left=np.nan)
    logd = np.log(np.asarray(ds, dtype=np.float64))
    idx = np.nanargmin(np.where(np.isnan(logP), np.inf, logP), axis=0)
    interior = (idx > 0) & (idx < len(ds) - 1) & np.all(np.isfinite(logP), axis=0)
    P_front = np.exp(logP[idx, np.arange(flops.size)])
    d_front = np.asarray(ds, dtype=np.float64)[idx]
    d_iso = np.full(flops.size, np.nan)
    P_iso = np.full(flops.size, np.nan)
    for k in np.nonzero(interior)[0]:
        i = idx[k]
        xs, ys = logd[i - 1:i + 2], logP[i - 1:i + 2, k]
        c2, c1, c0 = np.polyfit(xs, ys, 2)
        if c2 > 0:
            x0 = -c1 / (2 * c2)
            d_iso[k] = math.exp(x0)
            P_iso[k] = math.exp(c0 + c1 * x0 + c2 * x0 * x0)
    ph, xi_th, eta_th = compute_optimal_exponents(alpha, beta)
    out = {
        "phase": ph, "xi_theory": xi_th, "eta_theory": eta_th,
        "flops": flops, "P_frontier": P_front, "d_frontier": d_front, "P_isoflop": P_iso,
        "d_isoflop": d_iso, "interior": interior, "ds": np.asarray(ds), "curves": curves,
    }
    out.update(fit_compute_optimal(out, fit_flops))
    return out


def fit_compute_optimal(measurement: Dict[str, Any],
                        fit_flops: Optional[Tuple[float, float]] = None) -> Dict[str, float]:
    """Exponents of a :func:`measure_compute_optimal` result, refitted over a flops window.

    Least-squares slopes in log-log of the frontier (P*, d* on the d grid) and of the IsoFLOP
    parabola minima, over the budgets f whose minimum is interior to the d grid and, if given,
    ``f_lo <= f <= f_hi`` with ``fit_flops = (f_lo, f_hi)``. Returns ``eta_frontier``,
    ``xi_frontier``, ``eta_isoflop``, ``xi_isoflop`` and ``n_fit``. A window with fewer than 3
    such budgets raises ValueError; without a window the exponents are NaN when fewer than 3
    budgets qualify (e.g. the optimum leaves the d grid), so that sweeps over (alpha, beta) can
    mark the point as unmeasured.
    """
    flops = np.asarray(measurement["flops"], dtype=np.float64)
    mask = np.asarray(measurement["interior"], dtype=bool).copy()
    if fit_flops is not None:
        if len(fit_flops) != 2:
            raise ValueError(f"fit_flops must be a pair (f_lo, f_hi), got {fit_flops!r}")
        lo = check_real("fit_flops[0]", fit_flops[0], minimum=0.0, min_open=True)
        hi = check_real("fit_flops[1]", fit_flops[1], minimum=0.0, min_open=True)
        if not hi > lo:
            raise ValueError(f"fit_flops must be (f_lo, f_hi) with f_hi > f_lo, got {fit_flops}")
        mask &= (flops >= lo) & (flops <= hi)
        if mask.sum() < 3:
            raise ValueError(f"fit_flops = ({lo:g}, {hi:g}) holds {int(mask.sum())} budget(s) with "
                             "an interior optimum; at least 3 are needed (widen the window, the "
                             "flops grid or the d grid)")
    lf = np.log(flops)

    def slope(y: np.ndarray, m: np.ndarray) -> float:
        if m.sum() < 3:
            return float("nan")
        return float(np.polyfit(lf[m], np.log(y[m]), 1)[0])

    ok_iso = mask & np.isfinite(measurement["d_isoflop"])
    return {
        "eta_frontier": -slope(measurement["P_frontier"], mask),
        "xi_frontier": slope(measurement["d_frontier"], mask),
        "eta_isoflop": -slope(measurement["P_isoflop"], ok_iso),
        "xi_isoflop": slope(measurement["d_isoflop"], ok_iso),
        "n_fit": int(mask.sum()),
    }


# ------------------------------------------------------------------------------ figure data
def figure_spectrum(alpha: float = 1.0, beta: float = 2.0, v: int = 10000, d: int = 1000,
                    draws: int = 100, bins: int = 200, seed: int = 0) -> Dict[str, Any]:
    """Empirical vs deterministic spectrum (plrf.md 4, appendix figure).

    Histogram (log bins) of the target-weighted spectral measure sum_k lambda_k rho_k delta_k of
    ``draws`` sampled W (atom at 0 removed), averaged, against the deterministic target measure
    x * rho_density; also the mean sorted eigenvalues vs the deterministic ones.
    """
    draws = check_int("draws", draws, minimum=1, maximum=10000)
    det = deterministic_spectrum(alpha, v, d, beta)
    lo, hi = 0.5 * det.lambda_min, 2.0 * det.eigenvalues[0]
    edges = np.logspace(math.log10(lo), math.log10(hi), bins + 1)
    hist = np.zeros(bins)
    eig = np.zeros(d)
    for s in range(draws):
        e = empirical_spectrum(alpha, beta, v, d, seed + s)
        hist += np.histogram(e.eigenvalues, edges, weights=e.eigenvalues * e.rho)[0]
        eig += e.eigenvalues
    hist /= draws * np.diff(edges)
    return {"edges": edges, "empirical_density": hist, "grid": det.grid,
            "deterministic_density": det.target_measure, "empirical_eigenvalues": eig / draws,
            "deterministic_eigenvalues": det.eigenvalues, "lambda_min": det.lambda_min}


def figure_phase_diagram(alphas: Sequence[float], betas: Sequence[float], ds: Sequence[int], *,
                         flops: Optional[Sequence[float]] = None, **kwargs: Any) -> Dict[str, Any]:
    """Measured (IsoFLOP) and closed-form xi, eta on an (alpha, beta) grid (Fig. 4a heat maps;
    a single alpha and many betas gives the Fig. 4b sweep). Points with 2(alpha+beta) <= 1 are
    NaN."""
    A, Bt = np.asarray(alphas, float), np.asarray(betas, float)
    out = {k: np.full((A.size, Bt.size), np.nan) for k in
           ("xi", "eta", "xi_theory", "eta_theory", "xi_frontier", "eta_frontier")}
    phases = np.full((A.size, Bt.size), "", dtype=object)
    for i, a in enumerate(A):
        for j, b in enumerate(Bt):
            if not 2 * (a + b) > 1:
                continue
            r = measure_compute_optimal(a, b, ds, flops=flops, **kwargs)
            out["xi"][i, j], out["eta"][i, j] = r["xi_isoflop"], r["eta_isoflop"]
            out["xi_frontier"][i, j], out["eta_frontier"][i, j] = r["xi_frontier"], r["eta_frontier"]
            out["xi_theory"][i, j], out["eta_theory"][i, j] = r["xi_theory"], r["eta_theory"]
            phases[i, j] = r["phase"]
    out.update(alphas=A, betas=Bt, phases=phases)
    return out


def figure_boundary(alpha: float = 0.7, beta: float = 0.7, ds: Sequence[int] = (100, 200, 400, 800),
                    v_ratio: float = 4.0, lr_scale: float = 0.5, flops_max: float = 1e9,
                    sgd_runs: int = 0, seed: int = 0, measure: bool = True,
                    n_checkpoints: int = 60) -> Dict[str, Any]:
    """Fig. 3 (II/III boundary): Volterra (deterministic) loss vs flops f = d r for several d,
    optionally with the mean of ``sgd_runs`` simulated SGD runs (v = v_ratio d, B = 1,
    gamma = lr_scale / tr D; each run draws its own W, so the mean is over W and data), plus,
    if ``measure``, the compute-optimal measurement (IsoFLOP slices, d* fit). Also used for the
    negative-beta appendix figure (Phase Ia extends to beta < 0 while 2(alpha + beta) > 1)."""
    from .simulate import simulate_sgd

    curves = []
    for d in ds:
        v = int(round(v_ratio * d))
        det = deterministic_spectrum(alpha, v, d, beta)
        lr = lr_scale / det.params["trace_D"]
        steps = int(flops_max // d)
        c = volterra_loss(det, lr, steps)
        row: Dict[str, Any] = {"d": d, "flops": c.steps * d, "volterra": c.loss}
        if sgd_runs > 0:
            res = simulate_sgd(Problem.paquette(alpha, beta, v, d), lr, steps, seeds=sgd_runs,
                               seed=seed, n_checkpoints=n_checkpoints)
            row.update(sgd_flops=res.steps * d, sgd_mean=res.test_loss_mean,
                       sgd_sem=res.test_loss_sem)
        curves.append(row)
    if not measure:
        return {"curves": curves, "compute_optimal": None}
    meas = measure_compute_optimal(alpha, beta, ds, v_ratio=v_ratio, lr_scale=lr_scale,
                                   flops=np.logspace(math.log10(10 * max(ds)),
                                                     math.log10(flops_max), 30))
    return {"curves": curves, "compute_optimal": meas}


def figure_finite_size(alpha: float, beta: float, ds: Sequence[int] = (200, 800, 3200), *,
                       v_ratio: Optional[float] = None, lr_scale: float = 0.5,
                       steps: int = 10**7) -> Dict[str, Any]:
    """Fig. 5 (finite-size effects): ratio of the exact (deterministic-equivalent) Volterra
    solution to the large-d estimate F_0 + F_pp + F_ac + K_pp / (gamma B) of plrf.md 3.1-3.2,
    for several d (B = 1, gamma = lr_scale / tr D, v = inf above the line, else v_ratio d)."""
    alpha, beta = _check_alpha_beta(alpha, beta)
    rows = []
    for d in ds:
        v = _v_for(alpha, int(d), v_ratio)
        det = deterministic_spectrum(alpha, v, d, beta)
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps)
        r = c.steps[1:].astype(float)
        comp = loss_components(alpha, beta, d, r, lr, 1, v=v)
        est = comp["F_0"] + comp["F_pp"] + comp["F_ac"]
        if comp["noise"] is not None:
            est = est + comp["noise"]
        rows.append({"d": d, "steps": c.steps[1:], "loss": c.loss[1:], "estimate": est,
                     "ratio": c.loss[1:] / est})
    return {"alpha": alpha, "beta": beta, "rows": rows}


def _v_for(alpha: float, d: int, v_ratio: Optional[float]) -> Size:
    """v = inf above the high-dimensional line unless ``v_ratio`` is given; v = v_ratio d
    (default 4 d) below it, where the sums over j diverge as v grows."""
    if v_ratio is None:
        return math.inf if 2 * alpha > 1 else int(round(4.0 * d))
    return int(round(check_real("v_ratio", v_ratio, minimum=1.0, min_open=True) * d))


def estimate_compute_optimal(alpha: float, beta: float, flops: Sequence[float], *,
                             d_range: Tuple[float, float] = (10.0, 1e8), n_d: int = 400,
                             v_ratio: Optional[float] = None,
                             lr_scale: float = 0.5) -> Dict[str, Any]:
    """Compute-optimal d*(f) and P*(f) of the large-d estimate F_0 + F_pp + F_ac + K_pp/(gamma B)
    (:func:`loss_components`, plrf.md 3.1-3.2) minimised over a fine log grid of d in
    ``d_range``, with the same conventions as :func:`measure_compute_optimal` (B = 1,
    gamma = lr_scale / tr D, v as there, r = f/d). Unlike the closed-form exponents of
    :func:`compute_optimal_exponents` this keeps every term at finite f, so it shows the
    crossovers (e.g. in Phase IVa F_pp still matters at f ~ 1e8 and xi > 1/2 until f ~ 1e13).
    Returns ``flops``, ``d_star``, ``P_star`` and the fitted ``xi``, ``eta`` (log-log slopes over
    the given flops; budgets whose optimum is at the edge of ``d_range`` raise ValueError)."""
    alpha, beta = _check_alpha_beta(alpha, beta)
    f = check_array("flops", list(flops))
    if f.size < 3 or np.any(f <= 0):
        raise ValueError("flops needs at least 3 positive budgets")
    n_d = check_int("n_d", n_d, minimum=20, maximum=100000)
    lo = check_real("d_range[0]", d_range[0], minimum=1.0)
    hi = check_real("d_range[1]", d_range[1], minimum=lo, min_open=True)
    ds = np.unique(np.round(np.logspace(math.log10(lo), math.log10(hi), n_d)).astype(np.int64))
    P = np.empty((ds.size, f.size))
    for i, d in enumerate(ds):
        v = _v_for(alpha, int(d), v_ratio)
        gamma = lr_scale / _edges(alpha, beta, float(v), int(d))[4]
        c = loss_components(alpha, beta, int(d), f / d, gamma, v=v)
        P[i] = c["F_0"] + c["F_pp"] + c["F_ac"] + (c["noise"] if c["noise"] is not None else 0.0)
    best = np.argmin(P, axis=0)
    if np.any(best == 0) or np.any(best == ds.size - 1):
        raise ValueError(f"the optimal d of some budgets is at the edge of d_range={d_range}: "
                         "widen d_range or narrow flops")
    d_star, P_star = ds[best].astype(np.float64), P[best, np.arange(f.size)]
    lf = np.log(f)
    return {"flops": f, "d_star": d_star, "P_star": P_star,
            "xi": float(np.polyfit(lf, np.log(d_star), 1)[0]),
            "eta": float(-np.polyfit(lf, np.log(P_star), 1)[0])}


def kernel_norm(spectrum: Spectrum, lr: float, batch: int = 1, lr_convention: str = "sum") -> float:
    """||K|| = sum_r K(r) = sum_k gamma lam_k / (2 - gamma (B+1) lam_k) (batch-sum gamma).

    For a stable lr, P(r) -> P_inf / (1 - ||K||) as r -> inf (the fixed point of the Volterra
    equation P = F + K * P with F -> P_inf)."""
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    gamma = _check_lr(spectrum, lr, batch, lr_convention)
    lam = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    return float(np.sum(gamma * lam / (2.0 - gamma * (batch + 1) * lam)))


def figure_fronts(cases: Sequence[Tuple[float, float]], ds: Sequence[int], *,
                  flops: Optional[Sequence[float]] = None, v_ratio: Optional[float] = None,
                  lr_scale: float = 0.5,
                  windows: Optional[Sequence[Tuple[float, float]]] = None,
                  threads: Optional[int] = None) -> List[Dict[str, Any]]:
    """Compute-optimal fronts (Fig. 1 and the appendix figures on fronts and IsoFLOP windows).

    For each (alpha, beta) in ``cases``: :func:`measure_compute_optimal` over the model sizes
    ``ds`` (B = 1, gamma = lr_scale / tr D in the batch-sum convention, v = inf above the
    high-dimensional line, v = 4 d below it unless ``v_ratio`` is given), i.e. the deterministic
    Volterra loss P (no 1/2) against flops f = B d r for every d, the frontier min_d P and the
    IsoFLOP minima, with fitted and closed-form exponents. With ``windows`` (a list of
    (f_lo, f_hi)), the exponents are also refitted over each window (:func:`fit_compute_optimal`)
    and returned as ``row["windows"]``.
    """
    out = []
    for a, b in cases:
        alpha, beta = _check_alpha_beta(a, b)
        m = measure_compute_optimal(alpha, beta, ds, v_ratio=v_ratio, lr_scale=lr_scale,
                                    flops=flops, threads=threads)
        row: Dict[str, Any] = {k: m[k] for k in (
            "phase", "xi_theory", "eta_theory", "eta_frontier", "xi_frontier", "eta_isoflop",
            "xi_isoflop", "n_fit", "flops", "P_frontier", "d_frontier", "P_isoflop",
            "d_isoflop", "interior", "ds")}
        row.update(alpha=alpha, beta=beta,
                   v=[_v_for(alpha, int(d), v_ratio) for d in m["ds"]],
                   curve_flops=[c.flops for c in m["curves"]],
                   curve_loss=[c.loss for c in m["curves"]],
                   gamma=[c.params["gamma"] for c in m["curves"]])
        if windows is not None:
            row["windows"] = [dict(window=(float(w[0]), float(w[1])),
                                   **fit_compute_optimal(m, w)) for w in windows]
        out.append(row)
    return out


#: one representative (alpha, beta) per phase, in the order of PHASES
PHASE_EXAMPLES: Dict[str, Tuple[float, float]] = {
    "Ia": (1.0, 0.3), "Ib": (0.4, 0.3), "Ic": (0.2, 0.8), "II": (1.0, 0.7), "III": (0.7, 1.2),
    "IVa": (0.4, 0.8), "IVb": (0.27, 0.8)}


def figure_phase_curves(cases: Optional[Sequence[Tuple[float, float]]] = None, d: int = 400, *,
                        steps: int = 10**7, v_ratio: Optional[float] = None,
                        lr_scale: float = 0.5, n_checkpoints: int = 120) -> List[Dict[str, Any]]:
    """Fig. 2b: the loss curve of each phase with its components.

    For each (alpha, beta) (default :data:`PHASE_EXAMPLES`): the deterministic Volterra loss P(r)
    (no 1/2; B = 1, gamma = lr_scale / tr D batch-sum, v as in :func:`figure_fronts`), the
    large-d components of :func:`loss_components` (F_0, F_pp, F_ac and the noise term
    K_pp / (gamma B); ``None`` -> NaN where they are not defined: K_pp for alpha <= 1/4), the
    exact forcing F(r) and kernel term K(r) / (gamma B) of the same discrete spectrum
    (:func:`forcing_kernel`), and the plateau P_inf / (1 - ||K||).
    """
    if cases is None:
        cases = list(PHASE_EXAMPLES.values())
    d = check_int("d", d, minimum=2, maximum=10**7)
    rows = []
    for a, b in cases:
        alpha, beta = _check_alpha_beta(a, b)
        v = _v_for(alpha, d, v_ratio)
        det = deterministic_spectrum(alpha, v, d, beta)
        lr = lr_scale / det.params["trace_D"]
        c = volterra_loss(det, lr, steps, n_checkpoints=n_checkpoints)
        r = c.steps[1:]
        comp = loss_components(alpha, beta, d, r.astype(float), lr, 1, v=v)
        F, K = forcing_kernel(det, lr, r.astype(float))
        nan = np.full(r.size, np.nan)
        rows.append({
            "alpha": alpha, "beta": beta, "phase": phase(alpha, beta), "d": d, "v": v,
            "gamma": lr, "steps": r, "loss": c.loss[1:], "F_0": float(comp["F_0"]),
            "F_pp": comp["F_pp"], "F_ac": comp["F_ac"],
            "noise": nan if comp["noise"] is None else comp["noise"],
            "F_exact": F, "noise_exact": K / lr,
            "plateau": float(det.limit_loss) / (1.0 - kernel_norm(det, lr))})
    return rows


def _gl_panels(a: float, b: float, panels: int, order: int = 8) -> Tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [a, b] (no node at an end point)."""
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(a, b, panels + 1)
    c, h = 0.5 * (edges[1:] + edges[:-1]), 0.5 * np.diff(edges)
    return (c[:, None] + h[:, None] * x[None, :]).ravel(), (h[:, None] * w[None, :]).ravel()


def figure_contour(alpha: float = 1.0, beta: float = 0.7, v: int = 2000, d: int = 200, *,
                   phi: float = 0.3, lr_scale: float = 0.5,
                   steps: Sequence[int] = (0, 10, 100, 1000, 10000), panels: int = 120,
                   threads: Optional[int] = None) -> Dict[str, Any]:
    """The contour Gamma = Gamma_0 + Gamma_c + Gamma_caps of plrf.md 2.1, and the forcing
    F(r) = -(1/2 pi i) oint_Gamma S_F(z) q(z)^r dz computed on it.

    S_F(z) = sum_{j<=v} j^-(2alpha+2beta) / (j^-2alpha m(z) - z) is the deterministic equivalent
    of <(K_hat - z)^-1 b_hat, b_hat> (direct sum over j, so v must be finite), with m(z) from
    :func:`resolvent_m` (m(conj z) = conj m(z) below the axis); q(z) = 1 - 2 gamma z + 2 gamma^2 z^2
    (B = 1, gamma = lr_scale / tr D batch-sum). The pieces, all counter-clockwise:

    * Gamma_0: the circle |z| = x_L / 2 around the atom at 0 (its integral is F_0);
    * Gamma_c: the rays z = x e^{+-i phi}, x in [x_L, x_R] with x_L = lambda_min / 2 (inside the
      spectral gap (0, lambda_min)) and x_R = 1.5 x the top deterministic eigenvalue;
    * Gamma_caps: the arcs |z| = x_L and |z| = x_R, |arg z| <= phi, closing the rays.

    Gamma_c + Gamma_caps encloses the support [lambda_min, lambda_max] and its integral is
    F(r) - F_0. Returned with the same quantities from the deterministic eigenvalues and
    rho-weights (``F_spectrum``, via :func:`forcing_kernel`) and the limit loss F_0
    (:func:`limit_loss`). Only the upper half is integrated: the lower half is its mirror image
    (the integrand is real on the real axis), so each closed piece gives -Im(I_upper) / pi.
    """
    alpha, beta = _check_alpha_beta(alpha, beta)
    vv, d = _check_v_d(alpha, v, d)
    if math.isinf(vv):
        raise ValueError("figure_contour sums over j directly: v must be finite")
    phi = check_real("phi", phi, minimum=0.0, maximum=1.5, min_open=True)
    panels = check_int("panels", panels, minimum=4, maximum=10**5)
    st = check_array("steps", list(steps))
    if np.any(st < 0) or np.any(st != np.round(st)):
        raise ValueError("steps must be whole numbers >= 0")
    det = deterministic_spectrum(alpha, vv, d, beta, threads=threads)
    lr = lr_scale / det.params["trace_D"]
    lmin, lmax = det.lambda_min, float(det.eigenvalues[0])
    # the right end must lie above the whole top outlier bump (plrf.md 2.3 item 7): take the top
    # of the density grid, which extends to 2 (1 + tr D/d)(1 + 2/sqrt d)^2
    xL, xR, r0 = 0.5 * lmin, max(1.5 * lmax, float(det.grid[-1])), 0.25 * lmin
    # upper halves, each as (z, dz/dt * weight): caps and Gamma_0 in the angle, rays in log x
    pieces: Dict[str, List[Tuple[np.ndarray, np.ndarray]]] = {}
    th, wt = _gl_panels(0.0, phi, max(4, panels // 10))
    zc = xR * np.exp(1j * th)                         # right cap, real axis -> ray
    pieces["caps"] = [(zc, 1j * zc * wt)]
    u, wu = _gl_panels(math.log(xR), math.log(xL), panels)  # ray, from x_R inwards to x_L
    zr = np.exp(u + 1j * phi)
    pieces["c"] = [(zr, zr * wu)]
    th2, wt2 = _gl_panels(phi, 0.0, max(4, panels // 10))   # left cap, ray -> real axis
    zl = xL * np.exp(1j * th2)
    pieces["caps"].append((zl, 1j * zl * wt2))
    th0, wt0 = _gl_panels(0.0, math.pi, max(8, panels // 4))  # Gamma_0, upper semicircle
    z0 = r0 * np.exp(1j * th0)
    pieces["0"] = [(z0, 1j * z0 * wt0)]
    j = np.arange(1, int(vv) + 1, dtype=np.float64)
    lam_j, w_j = j ** (-2 * alpha), j ** (-2 * alpha - 2 * beta)

    def integral(z: np.ndarray, dz: np.ndarray, rs: np.ndarray = st) -> np.ndarray:
        m = resolvent_m(z, alpha, vv, d, threads=threads)
        sf = np.empty(z.size, dtype=np.complex128)
        for i0 in range(0, z.size, 256):                  # S_F by direct sum, in chunks
            sl = slice(i0, i0 + 256)
            sf[sl] = (w_j[None, :] / (lam_j[None, :] * m[sl, None] - z[sl, None])).sum(1)
        q = 1.0 - 2.0 * lr * z + 2.0 * lr * lr * z * z
        return np.array([-np.imag(np.sum(sf * q ** r * dz)) / math.pi for r in rs])

    zs = {k: np.concatenate([p[0] for p in v_]) for k, v_ in pieces.items()}
    dzs = {k: np.concatenate([p[1] for p in v_]) for k, v_ in pieces.items()}
    # Gamma_0 encloses only the atom at 0, whose residue is F_0 q(0)^r = F_0 for every r: on its
    # left half |q| > 1, so q^r is evaluated at r = 0 only (large r would overflow)
    F0_contour = np.full(st.size, integral(zs["0"], dzs["0"], np.zeros(1))[0])
    Fc_contour = integral(np.concatenate([zs["c"], zs["caps"]]),
                          np.concatenate([dzs["c"], dzs["caps"]]))
    if not (np.all(np.isfinite(F0_contour)) and np.all(np.isfinite(Fc_contour))):
        raise RuntimeError("figure_contour: the contour integral is not finite (steps too large "
                           "for the quadrature?)")
    F_spec, _ = forcing_kernel(det, lr, st)
    # closed lower-half mirror images for drawing
    close = lambda z: np.concatenate([z, np.conj(z[::-1])])  # noqa: E731
    return {
        "alpha": alpha, "beta": beta, "v": int(vv), "d": d, "gamma": lr, "phi": phi,
        "lambda_min": lmin, "lambda_max": lmax, "x_L": xL, "x_R": xR, "r0": r0,
        "steps": st, "F0_contour": F0_contour, "F_contour": F0_contour + Fc_contour,
        "F_spectrum": F_spec, "F_0": float(det.limit_loss),
        "gamma_0": close(zs["0"]), "gamma_c_upper": zs["c"],
        "gamma_caps_right": zc, "gamma_caps_left": zl,
        "contour": close(np.concatenate([zc, zr, zl])),
        "grid": det.grid, "density": det.density, "eigenvalues": det.eigenvalues}
