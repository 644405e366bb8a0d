"""From a kernel spectrum to predicted scaling laws: :class:`SpectrumAnalysis`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

from .._validate import check_int
from ..errors import ParameterError
from ..problem import Problem
from .fits import PowerLawFit, auto_k_range, check_range, fit_power_law, scaling_exponents
from .spectrum import kernel_spectrum
from .theory import kernel_regression_loss

__all__ = ["SpectrumAnalysis", "analyze_spectrum"]


# ----------------------------------------------------------------------------------- analysis
@dataclass
class SpectrumAnalysis:
    """Measured kernel spectrum and task power, with the fitted exponents.

    Attributes
    ----------
    eigenvalues : ndarray
        Eigenvalues of K / n, decreasing (may end with round-off values <= 0).
    power : ndarray
        Target power per eigenmode, ``|u_k^T y|^2 / n`` (sums to ``mean_square`` with a full
        Gram matrix).
    mean_square : float
        ``mean(|y|^2)`` over points (summed over outputs): the normalisation of C(k).
    n : int
        Number of points.
    fit_b, fit_a : PowerLawFit
        ``eigenvalues ~ k^-b`` and ``tail ~ k^-(a-1)``.
    info : dict
        Extra entries merged into :meth:`to_dict` (e.g. the kernel and data set of the CLI).

    Returned by :func:`analyze_spectrum`; guide: :ref:`tutorial-kernel-spectrum`. The exponents
    are those of the DMFT task (:ref:`dmft-model`): ``lambda_k ~ k^-b``,
    ``lambda_k w*_k^2 ~ k^-a``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> k = np.arange(1, 101)
    >>> X = rng.standard_normal((400, 100)) * k**-0.75     # feature variances k^-1.5
    >>> an = analyze_spectrum(features=X, y=X.sum(axis=1), b_range=(2, 40), a_range=(2, 40))
    >>> round(an.b, 1), an.fit_b.k_range
    (1.5, (2, 40))
    >>> round(float(an.predicted_time_curve([0.0, 10.0])[0]), 12)   # normalised: starts at 1
    1.0
    """

    eigenvalues: np.ndarray
    power: np.ndarray
    mean_square: float
    n: int
    fit_b: PowerLawFit
    fit_a: PowerLawFit
    info: Dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ measured quantities
    @property
    def cumulative_power(self) -> np.ndarray:
        """C(k) = sum_{k' <= k} power_k' / mean(|y|^2), k = 1..len."""
        return np.cumsum(self.power) / self.mean_square

    @property
    def tail(self) -> np.ndarray:
        """The tail 1 - C(k), k = 1..len, without cancellation.

        Computed as a reverse cumulative sum, plus the residual power outside the modes
        (feature-matrix input)."""
        rev = np.cumsum(self.power[::-1])[::-1]
        after = np.concatenate([rev[1:], [0.0]]) + self.residual_power
        return np.maximum(after, 0.0) / self.mean_square

    @property
    def residual_power(self) -> float:
        """Target power outside the eigenmodes (zero up to round-off for a full Gram matrix)."""
        return max(self.mean_square - float(np.sum(self.power)), 0.0)

    @property
    def b(self) -> float:
        """Fitted spectrum exponent b (``lambda_k ~ k^-b``)."""
        return self.fit_b.exponent

    @property
    def b_interval(self) -> Tuple[float, float]:
        """Interval of b (see :class:`PowerLawFit`)."""
        return self.fit_b.interval

    @property
    def a(self) -> float:
        """Fitted task exponent a (``1 - C(k) ~ k^-(a-1)``, i.e. ``lambda_k w*_k^2 ~ k^-a``)."""
        return 1.0 + self.fit_a.exponent

    @property
    def a_interval(self) -> Tuple[float, float]:
        """Interval of a (``1 +`` the interval of the tail exponent)."""
        lo, hi = self.fit_a.interval
        return (1.0 + lo, 1.0 + hi)

    # ------------------------------------------------------------------ predictions
    def exponents(self) -> Dict[str, Any]:
        """:func:`scaling_exponents` of the fitted (a, b) (a must be > 1).

        Returns
        -------
        dict
            As :func:`scaling_exponents`.

        Raises
        ------
        ParameterError
            Fitted a <= 1 or b <= 0.
        """
        return scaling_exponents(self.a, self.b)

    def positive_modes(self, rtol: float = 1e-12) -> np.ndarray:
        """Indices of the modes with ``lambda_k > rtol * lambda_1`` (numerically non-zero).

        Parameters
        ----------
        rtol : float, optional
            Relative threshold.

        Returns
        -------
        ndarray of int
            0-based indices.
        """
        lam = self.eigenvalues
        return np.nonzero(lam > rtol * lam[0])[0]

    def problem(self, N: Optional[int] = None, *, rtol: float = 1e-12) -> Problem:
        """The :class:`~scalinglaws.Problem` of the measured arrays.

        ``Problem.from_spectrum(lam, wstar, N)`` with ``lam_k`` = the eigenvalues above
        ``rtol * lambda_1`` and ``wstar_k = sqrt(power_k / lam_k)``, so the problem's target
        power per mode is the measured one. Losses are in the units of ``mean(|y|^2)`` times
        ``initial_loss / mean_square``; the power of the dropped (numerically zero) modes is
        left out (``info['dropped_power']``).

        Parameters
        ----------
        N : int, optional
            Model size of the problem.
        rtol : float, optional
            Threshold of :meth:`positive_modes`.

        Returns
        -------
        Problem
            A custom-spectrum problem (no power law).
        """
        idx = self.positive_modes(rtol)
        lam = self.eigenvalues[idx]
        wstar = np.sqrt(self.power[idx] / lam)
        return Problem.from_spectrum(lam, wstar, N)

    def predicted_time_curve(self, t: Any, *, extend_to: Optional[int] = None) -> np.ndarray:
        """Predicted test loss of gradient flow at N, P = inf from the measured arrays.

        ``sum_k power_k exp(-2 lambda_k t)`` (Problem.infinite_limit_loss), divided by
        ``mean(|y|^2)`` (so it starts at 1). Time convention of :mod:`scalinglaws.simulate`:
        ``dw/dt = (1/P) Phi^T (y - Phi w)``, i.e. kernel flow ``df/dt = -(1/P) K (f - y)``.
        ``extend_to=M`` uses :meth:`extended_arrays` (without it the curve falls to 0 once the
        n measured modes are learned).

        Parameters
        ----------
        t : float or array_like
            Flow times >= 0.
        extend_to : int, optional
            Number of modes M of the extended spectrum.

        Returns
        -------
        ndarray
            The normalised test loss at each time (1 at t = 0).
        """
        if extend_to is None:
            return self.problem().infinite_limit_loss(t) / self.mean_square
        lam, pw = self.extended_arrays(extend_to)
        return (
            Problem.from_spectrum(lam, np.sqrt(pw / lam)).infinite_limit_loss(t) / self.mean_square
        )

    def extended_arrays(self, M: int) -> Tuple[np.ndarray, np.ndarray]:
        """Eigenvalues and powers with the finite-n end replaced by the fitted power laws.

        Modes ``k <= kc`` (kc = the larger upper end of the two fit ranges) keep their measured
        values; modes ``kc < k <= M`` get ``lambda_k = lambda_kc (k/kc)^-b`` and
        ``power_k = mean(|y|^2) [T(k-1) - T(k)]`` with ``T(k) = (1 - C(kc)) (k/kc)^-(a-1)``.
        The measured modes beyond kc are distorted by the finite sample (they must sum to the
        total, and there are only n of them); the extension is what the fitted exponents say
        the population spectrum does. The power beyond M (``T(M)``) is dropped.

        Parameters
        ----------
        M : int
            Total number of modes, > kc.

        Returns
        -------
        (ndarray, ndarray)
            ``(eigenvalues, power)`` of length M.

        Raises
        ------
        ParameterError
            ``M <= kc``.
        """
        kc = max(self.fit_b.k_range[1], self.fit_a.k_range[1])
        M = check_int("M", M, minimum=kc + 1)
        k = np.arange(kc + 1, M + 1, dtype=np.float64)
        lam = np.concatenate(
            [self.eigenvalues[:kc], self.eigenvalues[kc - 1] * (k / kc) ** -self.b]
        )
        T0 = float(self.tail[kc - 1])
        kk = np.concatenate([[float(kc)], k])
        T = T0 * (kk / kc) ** -(self.a - 1.0)
        power = np.concatenate([self.power[:kc], self.mean_square * (T[:-1] - T[1:])])
        return lam, power

    def predicted_data_curve(
        self,
        P: Any,
        *,
        method: str = "theory",
        N: Optional[int] = None,
        seeds: int = 4,
        t: float = 1e12,
        seed: int = 0,
        extend_to: Optional[int] = None,
    ) -> np.ndarray:
        """Predicted test loss after training to convergence on P points, from the measured arrays.

        Divided by ``mean(|y|^2)``.

        ``method="theory"``: the N, t = inf kernel-regression (ridgeless) limit,
        :func:`kernel_regression_loss`; the modes' power is the measured one (noise 0).
        ``method="simulate"``: :func:`scalinglaws.simulate_gd` with gradient flow to time ``t``
        on Gaussian features with the measured spectrum, width ``N`` (default: the number of
        modes), mean over ``seeds`` draws.

        ``extend_to=M`` (theory only): use :meth:`extended_arrays` (measured modes up to the
        fit range, fitted power laws from there to M modes). Without it the prediction uses the
        n measured modes only and is reliable for P well below n (at P -> n it wrongly goes to
        0 because the measured spectrum has only n modes).

        Parameters
        ----------
        P : int or array_like of int
            Numbers of training points.
        method : {"theory", "simulate"}, optional
            Kernel-regression theory or finite-width simulation.
        N : int, optional
            Width of the simulation (default: the number of modes).
        seeds : int, optional
            Simulation draws averaged.
        t : float, optional
            Flow time of the simulation (``inf`` in practice).
        seed : int, optional
            First seed of the simulation.
        extend_to : int, optional
            Number of modes of the extended spectrum (theory only).

        Returns
        -------
        ndarray
            The normalised test loss at each P.

        Raises
        ------
        ParameterError
            An unknown method, ``extend_to`` with ``method="simulate"``, invalid P.
        """
        if extend_to is not None:
            if method != "theory":
                raise ParameterError("extend_to is only for method='theory'")
            lam, pw = self.extended_arrays(extend_to)
            Ps = np.atleast_1d(np.asarray(P, dtype=np.float64))
            return kernel_regression_loss(lam, pw, Ps) / self.mean_square
        idx = self.positive_modes()
        lam, pw = self.eigenvalues[idx], self.power[idx]
        Ps = np.atleast_1d(np.asarray(P, dtype=np.float64))
        if method == "theory":
            return kernel_regression_loss(lam, pw, Ps) / self.mean_square
        if method != "simulate":
            raise ParameterError(f"method must be 'theory' or 'simulate', got {method!r}")
        from ..simulate import simulate_gd

        prob = self.problem(N if N is not None else int(lam.size))
        out = []
        for p in Ps:
            p = check_int("P", p, minimum=1)
            res = simulate_gd(prob, p, flow=True, times=[t], seeds=seeds, seed=seed)
            out.append(float(res.test_loss[-1]))
        return np.asarray(out) / self.mean_square

    # ------------------------------------------------------------------ output
    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (the CLI's ``--json`` output plus fit details).

        Returns
        -------
        dict
            ``a``, ``b`` with intervals, ``n``, the two fits, ``exponents`` (None with
            ``exponents_error`` when undefined) and :attr:`info`.
        """
        out: Dict[str, Any] = {
            "a": self.a,
            "a_interval": list(self.a_interval),
            "b": self.b,
            "b_interval": list(self.b_interval),
            "n": self.n,
            "fit_a": self.fit_a.to_dict(),
            "fit_b": self.fit_b.to_dict(),
        }
        try:
            out["exponents"] = self.exponents()
        except ValueError as exc:  # e.g. a <= 1
            out["exponents"] = None
            out["exponents_error"] = str(exc)
        out.update(self.info)
        return out

    def plot(self, path: Optional[str] = None, *, axes: Any = None) -> Any:
        """Two log-log panels: the eigenvalues with the b fit, the tail with the a fit.

        The fit ranges are marked. Needs matplotlib (``pip install matplotlib``).

        Parameters
        ----------
        path : str, optional
            Save the figure there.
        axes : sequence of two matplotlib Axes, optional
            Draw into these (default: a new figure).

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        try:
            import matplotlib

            if path is not None and axes is None:
                matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        else:
            fig = axes[0].figure
        k = np.arange(1, self.eigenvalues.size + 1)
        pos = self.eigenvalues > 0
        axes[0].loglog(k[pos], self.eigenvalues[pos], ".", ms=3, label="eigenvalues of K/n")
        kb = np.arange(self.fit_b.k_range[0], self.fit_b.k_range[1] + 1)
        axes[0].loglog(
            kb,
            self.fit_b.predict(kb),
            "k--",
            label=f"k^-b, b = {self.b:.3f} [{self.b_interval[0]:.3f}, {self.b_interval[1]:.3f}]",
        )
        axes[0].set_xlabel("k")
        axes[0].set_ylabel("lambda_k")
        axes[0].legend()
        tail = self.tail
        tp = tail > 1e-12  # below that the reverse cumulative sum is round-off
        axes[1].loglog(k[tp], tail[tp], ".", ms=3, label="1 - C(k)")
        ka = np.arange(self.fit_a.k_range[0], self.fit_a.k_range[1] + 1)
        axes[1].loglog(
            ka,
            self.fit_a.predict(ka),
            "k--",
            label=f"k^-(a-1), a = {self.a:.3f} [{self.a_interval[0]:.3f}, "
            f"{self.a_interval[1]:.3f}]",
        )
        axes[1].set_xlabel("k")
        axes[1].set_ylabel("1 - C(k)")
        axes[1].legend()
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig


def analyze_spectrum(
    K: Any = None,
    y: Any = None,
    *,
    features: Any = None,
    b_range: Optional[Sequence[int]] = None,
    a_range: Optional[Sequence[int]] = None,
    points: int = 50,
    n_boot: int = 500,
    seed: int = 0,
) -> SpectrumAnalysis:
    """Measure the kernel spectrum and task power and fit b and a.

    Parameters
    ----------
    K : array (n, n)
        Symmetric Gram matrix on n points (e.g. :func:`kernel_matrix`). Or ``features`` (n, p).
    y : array (n,) or (n, c)
        Targets (c outputs: powers are summed over outputs).
    b_range, a_range : (kmin, kmax), optional
        Inclusive 1-based mode ranges of the fits of ``lambda_k ~ k^-b`` and
        ``1 - C(k) ~ k^-(a-1)``. Default (:func:`auto_k_range`): k = 4 .. n/20 (skip the top
        modes and the finite-n end).
    points : int
        Number of log-spaced k in each fit (duplicates after rounding are dropped).
    features : array (n, p), optional
        Feature matrix instead of ``K`` (kernel ``Phi Phi^T``).
    n_boot, seed :
        Bootstrap resamples for the intervals (see :class:`PowerLawFit`) and their seed.

    Returns
    -------
    SpectrumAnalysis
        Arrays, fits and predictions.

    Raises
    ------
    ParameterError
        Invalid inputs (see :func:`kernel_spectrum`), y identically zero, no positive
        eigenvalue, or invalid fit ranges.

    Examples
    --------
    From a Gram matrix (the class example passes the features instead):

    >>> X = np.random.default_rng(0).standard_normal((400, 100)) * np.arange(1, 101) ** -0.75
    >>> an = analyze_spectrum(X @ X.T, X.sum(axis=1), b_range=(2, 40), a_range=(2, 40))
    >>> an.n, round(an.b, 1)
    (400, 1.5)
    """
    lam, power, ms = kernel_spectrum(K, y, features=features)
    n = int(K.shape[0]) if K is not None else int(np.shape(features)[0])
    if not ms > 0:
        raise ParameterError("y is identically zero: no task power to analyse")
    if not lam[0] > 0:
        raise ParameterError("the kernel has no positive eigenvalue")
    n_pos = int(np.count_nonzero(lam > 1e-12 * lam[0]))
    default = auto_k_range(n_pos, n)
    b_rng = check_range(b_range if b_range is not None else default, n_pos, "eigenvalues")
    fit_b = fit_power_law(lam, b_rng, points=points, n_boot=n_boot, seed=seed, name="eigenvalues")
    rev = np.cumsum(power[::-1])[::-1]
    tail = (np.concatenate([rev[1:], [0.0]]) + max(ms - float(np.sum(power)), 0.0)) / ms
    a_default = default
    a_rng = check_range(a_range if a_range is not None else a_default, tail.size, "tail 1 - C(k)")
    fit_a = fit_power_law(
        tail, a_rng, points=points, n_boot=n_boot, seed=seed, name="tail 1 - C(k)"
    )
    return SpectrumAnalysis(lam, power, ms, n, fit_b, fit_a)
