"""Checking a fitted law: leave-out extrapolation and a data / fit / residual figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

import numpy as np

from .._validate import check_real
from ..errors import ParameterError
from ._data import check_table
from .allocation import FlopModel
from .bootstrap import finite_or_none
from .chinchilla import ChinchillaFit, fit_chinchilla

__all__ = ["leave_out", "HoldoutResult", "plot_fit"]


@dataclass
class HoldoutResult:
    """A fit on the runs below a threshold and its errors on the runs above it.

    ``log_errors`` are ``log(L_hat / L)`` on the held-out runs (natural log: 0.01 ~ 1%);
    ``rmse_log`` and ``max_abs_log`` summarise them; ``train`` is the boolean row mask used for
    fitting (rows in the order given). Returned by :func:`leave_out`.

    Attributes
    ----------
    fit : ChinchillaFit
        The fit on the training runs.
    train : ndarray of bool
        Rows used for fitting.
    threshold : dict
        ``{"C": max_flops}`` and/or ``{"N": max_N}``.
    log_errors : ndarray
        ``log(L_hat / L)`` of the held-out runs.
    rmse_log, mean_log, max_abs_log : float
        Root-mean-square, mean and largest absolute value of ``log_errors``.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs          # Hoffmann et al.'s law
    >>> res = leave_out(*chinchilla_runs(60), max_N=1e9, bootstrap=0, init_grid="coarse",
    ...                 grid_starts=4, n_jobs=1, E=1.69)
    >>> int(res.train.sum()), round(res.rmse_log, 2)             # fitted on the 39 with N <= 1e9
    (39, 0.01)
    """

    fit: ChinchillaFit
    train: np.ndarray
    threshold: Dict[str, float]
    log_errors: np.ndarray
    rmse_log: float
    mean_log: float
    max_abs_log: float

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready summary (NaN/inf become None).

        Returns
        -------
        dict
            ``threshold``, ``n_train``, ``n_test``, ``rmse_log``, ``mean_log``,
            ``max_abs_log``, ``params``.
        """
        return finite_or_none(
            {
                "threshold": self.threshold,
                "n_train": int(self.train.sum()),
                "n_test": int((~self.train).sum()),
                "rmse_log": self.rmse_log,
                "mean_log": self.mean_log,
                "max_abs_log": self.max_abs_log,
                "params": self.fit.params,
            }
        )

    def __repr__(self) -> str:
        thr = ", ".join(f"{k} <= {v:.3g}" for k, v in self.threshold.items())
        return (
            f"HoldoutResult(fit on {int(self.train.sum())} runs with {thr}; on the other "
            f"{int((~self.train).sum())}: rms log error {self.rmse_log:.3g}, mean "
            f"{self.mean_log:+.3g}, max |.| {self.max_abs_log:.3g})"
        )


def leave_out(
    N: Any,
    D: Any,
    loss: Any,
    *,
    max_flops: Optional[float] = None,
    max_N: Optional[float] = None,
    flop_model: Optional[FlopModel] = None,
    **fit_kwargs: Any,
) -> HoldoutResult:
    """Fit on the smaller runs and report the prediction error on the larger ones.

    :func:`fit_chinchilla` is fitted on the runs with ``C <= max_flops`` (and/or
    ``N <= max_N``); the error is measured on the remaining runs. Guide:
    :ref:`tutorial-fitting-chinchilla`.

    Parameters
    ----------
    N, D, loss : array_like
        The runs (parameters, tokens, loss; all > 0).
    max_flops : float, optional
        Compute threshold in FLOPs (``C = flop_model.flops(N, D)``, default ``6 N D``).
    max_N : float, optional
        Model-size threshold. At least one threshold is required.
    flop_model : FlopModel, optional
        Compute model of the threshold and of the fit (default ``C = 6 N D``).
    **fit_kwargs
        Passed to :func:`fit_chinchilla` (e.g. ``bootstrap=0``, ``init_grid="coarse"``).

    Returns
    -------
    HoldoutResult
        The fit and its errors on the held-out runs.

    Raises
    ------
    ParameterError
        Invalid columns, no threshold, or a threshold that does not split the runs.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs          # Hoffmann et al.'s law
    >>> res = leave_out(*chinchilla_runs(60), max_flops=1e20, bootstrap=0, init_grid="coarse",
    ...                 grid_starts=4, n_jobs=1, E=1.69)
    >>> res.threshold, int((~res.train).sum())
    ({'C': 1e+20}, 32)
    """
    N_, D_, L_ = check_table(N, D, loss, min_rows=2)
    flop_model = flop_model or FlopModel()
    if max_flops is None and max_N is None:
        raise ParameterError("leave_out needs max_flops or max_N (a threshold), got neither")
    train = np.ones(N_.size, dtype=bool)
    thr: Dict[str, float] = {}
    if max_flops is not None:
        thr["C"] = check_real("max_flops", max_flops, minimum=0.0, min_open=True)
        train &= flop_model.flops(N_, D_) <= thr["C"]
    if max_N is not None:
        thr["N"] = check_real("max_N", max_N, minimum=0.0, min_open=True)
        train &= N_ <= thr["N"]
    if train.all() or not train.any():
        raise ParameterError(
            f"the threshold ({thr}) leaves {int(train.sum())} of {N_.size} runs "
            "for fitting; it must split the runs"
        )
    fit = fit_chinchilla(N_[train], D_[train], L_[train], flop_model=flop_model, **fit_kwargs)
    err = np.log(fit.predict(N_[~train], D_[~train]) / L_[~train])
    return HoldoutResult(
        fit,
        train,
        thr,
        err,
        float(np.sqrt(np.mean(err**2))),
        float(np.mean(err)),
        float(np.max(np.abs(err))),
    )


def plot_fit(
    fit: ChinchillaFit,
    N: Any,
    D: Any,
    loss: Any,
    *,
    axes: Any = None,
    train: Optional[np.ndarray] = None,
) -> Any:
    """Two panels: loss against compute with the law's prediction, and the log residuals.

    Left: the runs' loss against compute (points coloured by log N, the law's prediction at each
    run as crosses); right: ``log(L / L_hat)`` against compute. Requires matplotlib.

    Parameters
    ----------
    fit : ChinchillaFit
        The fitted law.
    N, D, loss : array_like
        The runs.
    axes : sequence of two matplotlib Axes, optional
        Draw into these (default: a new figure).
    train : ndarray of bool, optional
        Mask of the fitted runs (e.g. ``HoldoutResult.train``); the others are drawn hollow.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Examples
    --------
    >>> from scalinglaws.testing import chinchilla_runs
    >>> N, D, L = chinchilla_runs(60, seed=0)             # Hoffmann et al.'s law, 1% noise
    >>> res = leave_out(N, D, L, max_flops=1e20, bootstrap=0, init_grid="coarse",
    ...                 grid_starts=4, n_jobs=1, E=1.69)
    >>> fig = plot_fit(res.fit, N, D, L, train=res.train)
    >>> len(fig.axes)                                        # two panels and a colour bar
    3
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    N_, D_, L_ = check_table(N, D, loss, min_rows=1)
    C = fit.flop_model.flops(N_, D_)
    pred = fit.predict(N_, D_)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    else:
        fig = axes[0].figure
    mask = np.ones(N_.size, dtype=bool) if train is None else np.asarray(train, dtype=bool)
    ax, axr = axes
    sc = ax.scatter(C[mask], L_[mask], c=np.log10(N_[mask]), s=14, label="runs (fit)")
    if (~mask).any():
        ax.scatter(C[~mask], L_[~mask], facecolors="none", edgecolors="k", s=18, label="held out")
    ax.scatter(C, pred, marker="x", c="r", s=10, label="law")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=f"compute C = {fit.flop_model.name} (FLOPs)",
        ylabel="loss",
    )
    fig.colorbar(sc, ax=ax, label="log10 N")
    ax.legend(fontsize=8)
    axr.axhline(0, color="0.5", lw=0.8)
    axr.scatter(C[mask], np.log(L_[mask] / pred[mask]), s=10)
    if (~mask).any():
        axr.scatter(
            C[~mask], np.log(L_[~mask] / pred[~mask]), facecolors="none", edgecolors="k", s=14
        )
    axr.set(xscale="log", xlabel="compute C (FLOPs)", ylabel="log(L / L_hat)", title="residuals")
    return fig
