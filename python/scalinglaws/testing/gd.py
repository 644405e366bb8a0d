"""Plain numpy references of full-batch GD, heavy-ball GD and ridge regression (test oracles).

The dynamics are stepped one update at a time with the conventions of :func:`scalinglaws.simulate_gd`
(losses without 1/2; GD ``w <- w + (lr/P) Phi^T (y - Phi w)``, :ref:`sim-gd`).
"""

from __future__ import annotations

import math
from typing import Callable, Dict, Sequence, Tuple, Union

import numpy as np

from .._docstrings import fill_doc
from ..problem import Problem
from ._common import DOCS, at_steps

__all__ = [
    "gd_stepping",
    "heavy_ball_stepping",
    "draw_explicit",
    "gd_explicit",
    "heavy_ball_explicit",
    "ridge_regression_explicit",
]


@fill_doc(DOCS)
def gd_stepping(
    phi: np.ndarray,
    y: np.ndarray,
    sigma_mat: np.ndarray,
    q: np.ndarray,
    c0: float,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
) -> Dict[str, np.ndarray]:
    """Step full-batch GD on a given draw and record the losses at the given step counts.

    ``w <- w + (lr/P) Phi^T (y - Phi w)`` from ``w = 0`` (:ref:`sim-gd`); losses without 1/2.

    Parameters
    ----------
    {phi_y}
    {moments}
    {lr}
    {steps}

    Returns
    -------
    dict
        ``"test"`` (population loss, without sigma^2) and ``"train"`` (``mean (y - Phi w)^2``)
        at ``steps``.

    Examples
    --------
    >>> phi, y = np.eye(2), np.array([1.0, 2.0])
    >>> gd_stepping(phi, y, np.eye(2) / 2, y / 2, 2.5, 1.0, [0, 1])["train"]
    array([2.5 , 0.625])
    """
    P = phi.shape[0]
    w = np.zeros(phi.shape[1])

    def step() -> None:
        nonlocal w
        w = w + (lr / P) * (phi.T @ (y - phi @ w))

    return _losses_at(steps, step, lambda: w, phi, y, sigma_mat, q, c0)


@fill_doc(DOCS)
def heavy_ball_stepping(
    phi: np.ndarray,
    y: np.ndarray,
    sigma_mat: np.ndarray,
    q: np.ndarray,
    c0: float,
    lr: float,
    momentum: float,
    steps: Union[Sequence[int], np.ndarray],
) -> Dict[str, np.ndarray]:
    """Step full-batch heavy-ball GD on a given draw; losses at the given step counts.

    ``b <- (1/P) Phi^T (y - Phi w) + mu b``, ``w <- w + lr b`` from ``w = b = 0``
    (:ref:`dmft-momentum`).

    Parameters
    ----------
    {phi_y}
    {moments}
    {lr}
    {momentum}
    {steps}

    Returns
    -------
    dict
        As :func:`gd_stepping`.

    Examples
    --------
    >>> phi, y = np.eye(2), np.array([1.0, 2.0])
    >>> heavy_ball_stepping(phi, y, np.eye(2) / 2, y / 2, 2.5, 1.0, 0.0, [0, 1])["train"]
    array([2.5 , 0.625])
    """
    P = phi.shape[0]
    w = np.zeros(phi.shape[1])
    b = np.zeros(phi.shape[1])

    def step() -> None:
        nonlocal w, b
        b = (phi.T @ (y - phi @ w)) / P + momentum * b
        w = w + lr * b

    return _losses_at(steps, step, lambda: w, phi, y, sigma_mat, q, c0)


def _losses_at(
    steps: Union[Sequence[int], np.ndarray],
    step: Callable[[], None],
    weights: Callable[[], np.ndarray],
    phi: np.ndarray,
    y: np.ndarray,
    sigma_mat: np.ndarray,
    q: np.ndarray,
    c0: float,
) -> Dict[str, np.ndarray]:
    """Test loss ``c0 - 2 w.q + w^T sigma_mat w`` and train loss ``mean (y - Phi w)^2`` of the
    weights ``weights()`` at the step counts ``steps``, advancing with ``step()``."""

    def losses() -> Tuple[float, float]:
        w = weights()
        return float(c0 - 2.0 * w @ q + w @ sigma_mat @ w), float(np.mean((y - phi @ w) ** 2))

    rows = np.array(at_steps(steps, step, losses), dtype=np.float64).reshape(-1, 2)
    return {"test": rows[:, 0], "train": rows[:, 1]}


@fill_doc(DOCS)
def draw_explicit(problem: Problem, P: int, rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """Draw F (N x M, N(0, 1/N)), Psi (P x M, N(0, lam)) and noisy labels with numpy.

    Parameters
    ----------
    {problem}
    {P}
    {rng}

    Returns
    -------
    dict
        ``"F"`` (N, M), ``"psi"`` (P, M) and ``"y" = psi w* + sigma n`` (P,).

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> d = draw_explicit(p, 20, np.random.default_rng(0))
    >>> {k: v.shape for k, v in d.items()}
    {'F': (10, 50), 'psi': (20, 50), 'y': (20,)}
    """
    N, M = problem.require_N(), problem.M
    F = rng.standard_normal((N, M)) / np.sqrt(N)
    psi = rng.standard_normal((P, M)) * np.sqrt(problem.lam)
    y = psi @ problem.wstar + problem.sigma * rng.standard_normal(P)
    return {"F": F, "psi": psi, "y": y}


@fill_doc(DOCS)
def gd_explicit(
    problem: Problem,
    P: int,
    lr: float,
    steps: Union[Sequence[int], np.ndarray],
    rng: np.random.Generator,
) -> Dict[str, np.ndarray]:
    """The straightforward numpy pipeline of GD: draw, project, step, evaluate.

    Draws with :func:`draw_explicit`, projects ``Phi = Psi F^T`` and steps with
    :func:`gd_stepping`; the population loss ``sum_k lam_k (w*_k - (F^T w)_k)^2`` comes from the
    covariance.

    Parameters
    ----------
    {problem}
    {P}
    {lr}
    {steps}
    {rng}

    Returns
    -------
    dict
        ``"test"`` and ``"train"`` losses at ``steps`` (as :func:`gd_stepping`).

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> r = gd_explicit(p, 20, 0.5, [0, 10], np.random.default_rng(0))
    >>> bool(np.isclose(r["test"][0], p.initial_loss)), bool(r["test"][1] < r["test"][0])
    (True, True)
    """
    return gd_stepping(*_projected_draw(problem, P, rng), problem.initial_loss, lr, steps)


@fill_doc(DOCS)
def heavy_ball_explicit(
    problem: Problem,
    P: int,
    lr: float,
    momentum: float,
    steps: Union[Sequence[int], np.ndarray],
    rng: np.random.Generator,
) -> Dict[str, np.ndarray]:
    """:func:`gd_explicit` with heavy-ball momentum (:func:`heavy_ball_stepping`).

    Parameters
    ----------
    {problem}
    {P}
    {lr}
    {momentum}
    {steps}
    {rng}

    Returns
    -------
    dict
        The losses of :func:`gd_explicit`, with momentum.

    Examples
    --------
    >>> p = Problem.bordelon(1.5, 1.25, M=50, N=10)
    >>> a = heavy_ball_explicit(p, 20, 0.5, 0.0, [10], np.random.default_rng(0))["test"]
    >>> b = gd_explicit(p, 20, 0.5, [10], np.random.default_rng(0))["test"]
    >>> bool(np.allclose(a, b))                        # mu = 0 is plain GD
    True
    """
    return heavy_ball_stepping(
        *_projected_draw(problem, P, rng), problem.initial_loss, lr, momentum, steps
    )


def _projected_draw(
    problem: Problem, P: int, rng: np.random.Generator
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``Phi = Psi F^T``, labels y, and the population moments ``F diag(lam) F^T`` and
    ``F diag(lam) w*`` of one :func:`draw_explicit`."""
    d = draw_explicit(problem, P, rng)
    F = d["F"]
    FL = F * problem.lam
    return d["psi"] @ F.T, d["y"], FL @ F.T, FL @ problem.wstar


def ridge_regression_explicit(
    lam: np.ndarray, wstar: np.ndarray, P: int, ridge: float, noise: float, rng: np.random.Generator
) -> float:
    """Kernel ridge regression on P Gaussian samples in feature space, in plain numpy.

    Features ``x ~ N(0, diag lam)``, labels ``y = <x, w*> + sqrt(noise) n``, predictor
    ``w = X^T (X X^T + ridge I)^-1 y``. The reference of
    :func:`scalinglaws.spectra.kernel_regression_loss` (its average over draws).

    Parameters
    ----------
    lam, wstar : ndarray
        Eigenvalues and target weights.
    P : int
        Number of samples.
    ridge : float
        Ridge >= 0.
    noise : float
        Label-noise variance.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    float
        The population loss ``sum_k lam_k (w*_k - w_k)^2`` (no 1/2, without the noise floor).

    Examples
    --------
    >>> lam = np.arange(1, 41.0) ** -1.5
    >>> L = ridge_regression_explicit(lam, np.ones(40), 10, 1e-3, 0.0, np.random.default_rng(0))
    >>> bool(0 < L < lam.sum())
    True
    """
    X = rng.standard_normal((P, lam.size)) * np.sqrt(lam)
    y = X @ wstar + math.sqrt(noise) * rng.standard_normal(P)
    K = X @ X.T
    K[np.diag_indices(P)] += ridge
    w = X.T @ np.linalg.solve(K, y)
    return float(np.sum(lam * (wstar - w) ** 2))
