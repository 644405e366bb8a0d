"""The forcing and kernel of the Volterra equation of one-pass SGD, and its stability (theory
page "Power-law random features", section "Volterra equation").

With per-sample step gamma, batch B and ``q_k = 1 - 2 gamma B lambda_k + gamma^2 B (B+1)
lambda_k^2``: forcing ``F(r) = P_inf + sum_k lambda_k rho_k q_k^r``, kernel
``K(s) = gamma^2 B sum_k lambda_k^2 q_k^s``; the recursion is stable iff
``gamma (B+1) lambda_max < 2`` and the kernel norm ``sum_s K(s) < 1``. The loss curve itself is
in :mod:`scalinglaws.plrf.volterra`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .._backend import _core
from .._validate import check_array, check_int, check_real, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from .spectrum import Spectrum, deterministic_spectrum

__all__ = ["sgd_gamma", "check_spectrum", "max_stable_lr", "forcing_kernel", "kernel_norm"]


def sgd_gamma(lr: float, batch: int, lr_convention: str) -> float:
    """Per-sample step gamma of the batch-sum update from ``lr`` in the given convention.

    The batch-sum update ``theta -= gamma sum_{i in batch} grad_i`` has ``gamma = lr`` in the
    ``"sum"`` convention and ``gamma = lr / B`` in the ``"mean"`` convention (:ref:`conv-lr`).

    Parameters
    ----------
    lr : float
        Learning rate in ``lr_convention``.
    batch : int
        Batch size B.
    lr_convention : {"sum", "mean"}
        How ``lr`` scales the batch gradient.

    Returns
    -------
    float
        gamma.

    Raises
    ------
    ParameterError
        An unknown convention.

    Examples
    --------
    >>> sgd_gamma(0.8, 4, "mean"), sgd_gamma(0.8, 4, "sum")
    (0.2, 0.8)
    """
    if lr_convention not in ("sum", "mean"):
        raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {lr_convention!r}")
    return lr / batch if lr_convention == "mean" else lr


def check_spectrum(spectrum: Any) -> Spectrum:
    """Return ``spectrum`` after checking its arrays, or raise ParameterError.

    The Volterra functions need a :class:`Spectrum` whose ``eigenvalues`` (> 0) and ``rho``
    (>= 0) are non-empty, finite, 1-D and of the same length, with a finite ``limit_loss`` >= 0.
    The checked arrays are stored back as contiguous float64 (the C++ core trusts them).

    Parameters
    ----------
    spectrum : Spectrum
        The spectrum to check.

    Returns
    -------
    Spectrum
        The same object.

    Raises
    ------
    ParameterError
        Not a Spectrum, or arrays that are empty, non-finite, of different lengths, negative
        (``rho``) or non-positive (``eigenvalues``).

    Examples
    --------
    >>> from scalinglaws.plrf.volterra import exact_spectrum
    >>> s = exact_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=100))
    >>> check_spectrum(s) is s
    True
    """
    if not isinstance(spectrum, Spectrum):
        raise ParameterError(
            f"spectrum must be a scalinglaws.plrf.Spectrum, got {type(spectrum).__name__}"
        )
    eig = check_array("spectrum.eigenvalues", spectrum.eigenvalues, positive=True)
    rho = check_array("spectrum.rho", spectrum.rho)
    if eig.shape != rho.shape:
        raise ParameterError(
            f"spectrum.eigenvalues and spectrum.rho must have the same length, "
            f"got {eig.size} and {rho.size}"
        )
    if np.any(rho < 0):
        raise ParameterError(f"spectrum.rho must be >= 0 (min is {rho.min():g})")
    check_real("spectrum.limit_loss", spectrum.limit_loss, minimum=0.0)
    spectrum.eigenvalues, spectrum.rho = eig, rho
    return spectrum


def max_stable_lr(spectrum: Any, batch: int = 1, lr_convention: Optional[str] = None) -> float:
    """Largest stable learning rate of one-pass SGD on a spectrum.

    Stability needs ``gamma (B+1) lambda_max < 2`` and kernel norm
    ``sum_k gamma lambda_k / (2 - gamma (B+1) lambda_k) < 1`` (gamma per sample, batch-sum);
    returned in the given convention.

    ``spectrum`` is a :class:`Spectrum`, or a :class:`~scalinglaws.Problem` (its
    deterministic-equivalent spectrum; default convention the problem's own). Theory:
    :ref:`plrf-stability`, conventions :ref:`conv-lr`.

    Parameters
    ----------
    spectrum : Spectrum or Problem
        Eigenvalues of K (only they matter).
    batch : int, optional
        Batch size B >= 1.
    lr_convention : {"sum", "mean"}, optional
        Convention of the returned rate (default: the problem's, else ``"sum"``).

    Returns
    -------
    float
        The supremum of the stable learning rates (a rate must be strictly smaller).

    Raises
    ------
    ParameterError
        An invalid spectrum, batch or convention.

    Examples
    --------
    >>> p = Problem.paquette(alpha=1.0, beta=0.7, v=400, d=100)
    >>> lr1 = max_stable_lr(p, lr_convention="sum")
    >>> bool(0 < lr1 < 2), bool(max_stable_lr(p, 8, "mean") > lr1)
    (True, True)
    """
    if isinstance(spectrum, Problem):
        if lr_convention is None:
            lr_convention = spectrum.lr_convention
        spectrum = deterministic_spectrum(spectrum)
    lr_convention = lr_convention or "sum"
    spectrum = check_spectrum(spectrum)
    if lr_convention not in ("sum", "mean"):
        raise ParameterError(f"lr_convention must be 'sum' or 'mean', got {lr_convention!r}")
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    g = float(_core.simulate.sgd_max_stable_gamma(np.asarray(spectrum.eigenvalues, float), batch))
    return g * batch if lr_convention == "mean" else g


def _norm(g: float, lam: np.ndarray, batch: int) -> float:
    """The Volterra kernel norm ``sum_k g lam_k / (2 - g (B+1) lam_k)`` (:ref:`plrf-stability`)."""
    return float(np.sum(g * lam / (2.0 - g * (batch + 1) * lam)))


def _check_lr(
    spectrum: Spectrum, lr: Any, batch: int, lr_convention: str, peak: Optional[float] = None
) -> float:
    lr = check_real("lr", lr, minimum=0.0, min_open=True)
    gamma = sgd_gamma(lr, batch, lr_convention)
    g = gamma * (1.0 if peak is None else peak)
    lam = np.asarray(spectrum.eigenvalues, dtype=np.float64)
    # one O(d) pass decides (the kernel norm increases with the rate); the bisection of
    # max_stable_lr (200 passes) only for the error message
    if g * (batch + 1) * float(lam.max()) < 2.0 and _norm(g, lam, batch) < 1.0:
        return gamma
    bound = max_stable_lr(spectrum, batch, "sum")
    if not g < bound:
        lr_bound = bound * batch if lr_convention == "mean" else bound
        what = "lr" if peak is None else "peak lr"
        raise ParameterError(
            f"{what} = {lr * (1.0 if peak is None else peak):g} is unstable: with batch B = {batch} ({lr_convention} convention) the "
            f"Volterra kernel norm sum_k g lam_k / (2 - g (B+1) lam_k) < 1 and g (B+1) lam_max < 2 "
            f"require lr < {lr_bound:.6g} for this spectrum"
        )
    return gamma


def forcing_kernel(
    spectrum: Spectrum,
    lr: float,
    steps: Union[Sequence[float], np.ndarray],
    *,
    batch: int = 1,
    lr_convention: str = "sum",
    threads: Optional[int] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Forcing F and kernel K of the Volterra equation at the given steps.

    ``F(r) = P_inf + sum_k lam_k rho_k q_k^r`` and ``K(r) = gamma^2 B sum_k lam_k^2 q_k^r`` with
    ``q_k = 1 - 2 gamma B lam_k + gamma^2 B (B+1) lam_k^2`` (module docstring;
    :ref:`plrf-volterra`). Loss without 1/2.

    Parameters
    ----------
    spectrum : Spectrum
        Eigenvalues, weights ``rho`` and limit loss ``P_inf``.
    lr : float
        Learning rate in ``lr_convention``; must be stable (:func:`max_stable_lr`).
    steps : array_like of float
        Steps r >= 0 at which to evaluate.
    batch : int, optional
        Batch size B.
    lr_convention : {"sum", "mean"}, optional
        ``"sum"``: gamma = lr; ``"mean"``: gamma = lr / B (:ref:`conv-lr`).
    threads : int, optional
        Threads (the result does not depend on it).

    Returns
    -------
    (ndarray, ndarray)
        ``(F, K)`` at ``steps``.

    Raises
    ------
    ParameterError
        An unstable ``lr``, negative steps or an invalid spectrum.

    Examples
    --------
    >>> from scalinglaws.plrf.volterra import exact_spectrum
    >>> s = exact_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=100))
    >>> F, K = forcing_kernel(s, 0.1, [0, 10])
    >>> bool(np.isclose(F[0], np.sum(s.eigenvalues * s.rho))), bool(F[1] < F[0])
    (True, True)
    """
    spectrum = check_spectrum(spectrum)
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    gamma = _check_lr(spectrum, lr, batch, lr_convention)
    r = check_array("steps", steps)
    if np.any(r < 0):
        raise ParameterError("steps must be >= 0")
    F, K = _core.plrf.forcing_kernel(
        spectrum.eigenvalues, spectrum.rho, gamma, batch, list(map(float, r)), threads_arg(threads)
    )
    return np.asarray(F) + spectrum.limit_loss, np.asarray(K)


def kernel_norm(spectrum: Spectrum, lr: float, batch: int = 1, lr_convention: str = "sum") -> float:
    """``||K|| = sum_r K(r) = sum_k gamma lam_k / (2 - gamma (B+1) lam_k)`` (batch-sum gamma).

    For a stable lr, ``P(r) -> P_inf / (1 - ||K||)`` as r -> inf (the fixed point of the Volterra
    equation P = F + K * P with F -> P_inf). Theory: :ref:`plrf-stability`.

    Parameters
    ----------
    spectrum : Spectrum
        Eigenvalues of K.
    lr : float
        Learning rate in ``lr_convention``; must be stable.
    batch : int, optional
        Batch size B.
    lr_convention : {"sum", "mean"}, optional
        ``"sum"``: gamma = lr; ``"mean"``: gamma = lr / B (:ref:`conv-lr`).

    Returns
    -------
    float
        ``||K||`` in [0, 1) for a stable rate.

    Raises
    ------
    ParameterError
        An unstable ``lr`` or an invalid spectrum.

    Examples
    --------
    >>> from scalinglaws.plrf.volterra import exact_spectrum
    >>> s = exact_spectrum(Problem.paquette(alpha=1.0, beta=0.7, v=100))
    >>> 0 < kernel_norm(s, 0.1) < 1
    True
    """
    spectrum = check_spectrum(spectrum)
    batch = check_int("batch", batch, minimum=1, maximum=10**9)
    gamma = _check_lr(spectrum, lr, batch, lr_convention)
    return _norm(gamma, np.asarray(spectrum.eigenvalues, dtype=np.float64), batch)
