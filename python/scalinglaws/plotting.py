"""Plot helpers for scaling-law figures (matplotlib, optional: ``pip install scalinglaws[plot]``).

* :func:`loss_curves` -- log-log loss curves coloured by a parameter (N, P, d, ...) with a colour
  bar, optional standard-deviation / error bands and dashed theory lines;
* :func:`power_law` -- a fitted power law drawn and labelled with its exponent;
* :func:`compute_frontier` -- loss against compute for each model size, the lower envelope (the
  compute-optimal frontier) and its fitted exponent;
* :func:`phase_diagram` -- a heat map over (alpha, beta) with the phase boundaries of
  Paquette et al.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from ._docstrings import fill_doc

__all__ = [
    "pyplot",
    "loss_curves",
    "power_law",
    "compute_frontier",
    "frontier_points",
    "phase_diagram",
    "save",
]

#: numpydoc entries shared by the plot helpers (expanded by ``fill_doc``)
_DOCS = {
    "colorbar_label": "label : str, optional\n    Colour-bar label.",
    "cmap": "cmap : str, optional\n    Colour map.",
    "axis_labels": "xlabel, ylabel : str, optional\n    Axis labels.",
    "returns_axes": "Returns\n-------\nmatplotlib.axes.Axes\n    The axes.",
}


def pyplot() -> Any:
    """matplotlib.pyplot with a non-interactive backend (headless-safe).

    Selects the Agg backend unless an inline (notebook) backend is active.

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Raises
    ------
    ImportError
        matplotlib is not installed (extra ``plot``).

    Examples
    --------
    >>> plt = pyplot()
    >>> plt.__name__
    'matplotlib.pyplot'
    """
    try:
        import matplotlib
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'scalinglaws[plot]'") from None
    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg", force=False)
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    plt = pyplot()
    _, ax = plt.subplots(figsize=(5, 3.8))
    return ax


@fill_doc(_DOCS)
def loss_curves(
    times: Any,
    curves: Any,
    values: Union[Sequence[float], np.ndarray],
    *,
    label: str = "N",
    bands: Any = None,
    theory: Any = None,
    theory_times: Any = None,
    ax: Any = None,
    cmap: str = "viridis",
    log_color: bool = True,
    colorbar: bool = True,
    xlabel: str = "t",
    ylabel: str = "test loss",
) -> Any:
    """Curves ``curves[i]`` against ``times`` coloured by ``values[i]``.

    ``bands[i]`` (same shape as curves) shades ``curve +- band``; ``theory[i]`` is drawn dashed
    black over the same colour order (at ``theory_times`` if given). Log-log axes.

    Parameters
    ----------
    times : array_like, shape (T,)
        Common time axis.
    curves : array_like, shape (n, T)
        One curve per parameter value.
    values : sequence of float, length n
        The parameter of each curve (colour).
    {colorbar_label}
    bands : array_like, shape (n, T), optional
        Half-widths of shaded bands (e.g. standard deviations).
    theory : array_like, shape (n, T'), optional
        Theory curves, dashed black.
    theory_times : array_like, shape (T',), optional
        Their times (default ``times``).
    {ax}
    {cmap}
    log_color : bool, optional
        Logarithmic colour scale (when all values are > 0).
    colorbar : bool, optional
        Draw a colour bar.
    {axis_labels}

    {returns_axes}

    Examples
    --------
    >>> t = np.logspace(0, 3, 20)
    >>> ax = loss_curves(t, [t**-0.5, 2 * t**-0.5], [10, 100], theory=[t**-0.5, 2 * t**-0.5])
    >>> ax.get_xscale(), len(ax.lines)
    ('log', 4)
    >>> pyplot().close("all")
    """
    plt = pyplot()
    from matplotlib import cm, colors

    ax = _axes(ax)
    times = np.asarray(times, float)
    curves = np.atleast_2d(np.asarray(curves, float))
    values = np.asarray(values, float)
    norm = (colors.LogNorm if log_color and np.all(values > 0) else colors.Normalize)(
        vmin=values.min(), vmax=values.max() if values.max() > values.min() else values.min() + 1
    )
    cmapper = cm.ScalarMappable(norm=norm, cmap=cmap)
    for i, v in enumerate(values):
        color = cmapper.to_rgba(v)
        ax.plot(times, curves[i], color=color, lw=1.6)
        if bands is not None:
            b = np.asarray(bands, float)[i]
            ax.fill_between(
                times,
                np.maximum(curves[i] - b, 1e-300),
                curves[i] + b,
                color=color,
                alpha=0.25,
                lw=0,
            )
        if theory is not None:
            tt = times if theory_times is None else np.asarray(theory_times, float)
            ax.plot(
                tt, np.asarray(theory, float)[i], "k--", lw=1.0, label="theory" if i == 0 else None
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar:
        cmapper.set_array(values)
        plt.colorbar(cmapper, ax=ax, label=label)
    if theory is not None:
        ax.legend(frameon=False, fontsize=8)
    return ax


@fill_doc(_DOCS)
def power_law(
    x_range: Tuple[float, float],
    exponent: float,
    prefactor: float,
    *,
    ax: Any = None,
    label: Optional[str] = None,
    variable: str = "t",
    **style: Any,
) -> Any:
    """Draw ``prefactor * x^-exponent`` over ``x_range``, labelled ``variable^-exponent``.

    Parameters
    ----------
    x_range : (float, float)
        Positive range of x (50 log-spaced points).
    exponent : float
        Decay exponent.
    prefactor : float
        Value at x = 1.
    {ax}
    label : str, optional
        Legend label (default ``$variable^{-exponent}$``).
    variable : str, optional
        Name of x in the default label.
    **style
        Line style (default red dotted), passed to ``ax.plot``.

    {returns_axes}

    Examples
    --------
    >>> ax = power_law((1, 100), 0.5, 1.0, variable="C")
    >>> ax.lines[0].get_label()
    '$C^{-0.5}$'
    >>> pyplot().close("all")
    """
    ax = _axes(ax)
    x = np.logspace(np.log10(x_range[0]), np.log10(x_range[1]), 50)
    style = {"color": "tab:red", "ls": ":", "lw": 1.5, **style}
    ax.plot(
        x, prefactor * x ** (-exponent), label=label or f"${variable}^{{-{exponent:.3g}}}$", **style
    )
    ax.legend(frameon=False, fontsize=8)
    return ax


def frontier_points(compute: Any, losses: Any) -> Tuple[np.ndarray, np.ndarray]:
    """Lower envelope of several loss-vs-compute curves on a common log grid of compute.

    ``compute[i]`` and ``losses[i]`` are the curve of model i (e.g. C = N t); curves are
    interpolated linearly in log-log on 200 log-spaced compute values. See
    :ref:`dmft-compute-optimal`.

    Parameters
    ----------
    compute : sequence of array_like
        Compute values of each curve.
    losses : sequence of array_like
        Losses of each curve.

    Returns
    -------
    (ndarray, ndarray)
        The grid and the minimum loss over models at each grid point (NaN where no model
        reaches it).

    Examples
    --------
    >>> t = np.logspace(0, 2, 10)
    >>> grid, env = frontier_points([t, 10 * t], [1 / t, 0.5 / t])
    >>> grid.size, float(env[0]), bool(np.all(np.isfinite(env)))
    (200, 1.0, True)
    """
    cs = [np.asarray(c, float) for c in compute]
    ls = [np.asarray(v, float) for v in losses]
    lo = max(min(c[c > 0].min() for c in cs), 1e-300)
    hi = max(c.max() for c in cs)
    grid = np.logspace(np.log10(lo), np.log10(hi), 200)
    env = np.full(grid.size, np.inf)
    for c, v in zip(cs, ls):
        ok = (c > 0) & np.isfinite(v) & (v > 0)
        if ok.sum() < 2:
            continue
        inside = (grid >= c[ok].min()) & (grid <= c[ok].max())
        interp = np.exp(np.interp(np.log(grid[inside]), np.log(c[ok]), np.log(v[ok])))
        env[inside] = np.minimum(env[inside], interp)
    env[~np.isfinite(env)] = np.nan
    return grid, env


@fill_doc(_DOCS)
def compute_frontier(
    compute: Any,
    losses: Any,
    values: Union[Sequence[float], np.ndarray],
    *,
    label: str = "N",
    ax: Any = None,
    fit_range: Optional[Tuple[float, float]] = None,
    xlabel: str = "compute C",
    ylabel: str = "test loss",
) -> Any:
    """Loss-vs-compute curves coloured by model size, their lower envelope and its power-law fit.

    The envelope (:func:`frontier_points`) is fitted over ``fit_range`` (default: the middle two
    thirds in log C) with :func:`scalinglaws.fit.fit_power_law` and drawn labelled with its
    exponent. See :ref:`dmft-compute-optimal`.

    Parameters
    ----------
    compute, losses : sequence of array_like
        The curve of each model (e.g. ``C = N t`` and the test loss).
    values : sequence of float
        Model size of each curve (log colour scale).
    {colorbar_label}
    {ax}
    fit_range : (float, float), optional
        Compute range of the fit.
    {axis_labels}

    {returns_axes}

    Examples
    --------
    >>> t = np.logspace(0, 3, 30)
    >>> ax = compute_frontier([8 * t, 64 * t], [8**-0.5 + t**-0.5, 64**-0.5 + t**-0.5], [8, 64])
    >>> [ln.get_label() for ln in ax.lines][2]
    'frontier'
    >>> pyplot().close("all")
    """
    from .fit import fit_power_law

    ax = _axes(ax)
    plt = pyplot()
    from matplotlib import cm, colors

    values = np.asarray(values, float)
    norm = colors.LogNorm(vmin=values.min(), vmax=max(values.max(), values.min() * 1.0001))
    cmapper = cm.ScalarMappable(norm=norm, cmap="viridis")
    for c, v, val in zip(compute, losses, values):
        ax.plot(c, v, color=cmapper.to_rgba(val), lw=1.2)
    grid, env = frontier_points(compute, losses)
    ok = np.isfinite(env)
    ax.plot(grid[ok], env[ok], color="k", lw=2.2, alpha=0.5, label="frontier")
    if fit_range is None:
        lg = np.log10(grid[ok])
        fit_range = (
            10 ** (lg.min() + (lg.max() - lg.min()) / 6),
            10 ** (lg.max() - (lg.max() - lg.min()) / 6),
        )
    fit = fit_power_law(grid[ok], env[ok], xmin=fit_range[0], xmax=fit_range[1])
    power_law(fit_range, fit.exponent, fit.prefactor, ax=ax, variable="C")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    cmapper.set_array(values)
    plt.colorbar(cmapper, ax=ax, label=label)
    return ax


@fill_doc(_DOCS)
def phase_diagram(
    alphas: Any,
    betas: Any,
    values: Any,
    *,
    ax: Any = None,
    label: str = "",
    cmap: str = "magma",
    boundaries: bool = True,
) -> Any:
    """Heat map over (alpha, beta) with the lines of Paquette et al.'s phase diagram.

    ``values[i, j]`` is drawn at (alpha_j, beta_i); the boundaries are 2 alpha = 1, 2 beta = 1,
    beta = alpha (2 alpha > 1), alpha = 1/4 and alpha = 1 - 1/sqrt(2) (2 beta > 1,
    2 alpha < 1), and 2(alpha + beta) = 1 (:ref:`plrf-phases`).

    Parameters
    ----------
    alphas : array_like, shape (n_a,)
        alpha grid (x axis).
    betas : array_like, shape (n_b,)
        beta grid (y axis).
    values : array_like, shape (n_b, n_a)
        The quantity shown (e.g. a measured exponent).
    {ax}
    {colorbar_label}
    {cmap}
    boundaries : bool, optional
        Draw the phase boundaries (white dashed).

    {returns_axes}

    Examples
    --------
    >>> a, b = np.linspace(0.3, 1.5, 5), np.linspace(0.3, 1.5, 4)
    >>> ax = phase_diagram(a, b, np.add.outer(b, a), label="alpha + beta")
    >>> "alpha" in ax.get_xlabel(), len(ax.collections)     # the heat map
    (True, 1)
    >>> pyplot().close("all")
    """
    plt = pyplot()
    ax = _axes(ax)
    a = np.asarray(alphas, float)
    b = np.asarray(betas, float)
    m = ax.pcolormesh(a, b, np.asarray(values, float), cmap=cmap, shading="nearest")
    plt.colorbar(m, ax=ax, label=label)
    if boundaries:
        amin, amax, bmin, bmax = a.min(), a.max(), b.min(), b.max()
        kw = dict(color="w", lw=1.0, ls="--")
        ax.plot([0.5, 0.5], [bmin, bmax], **kw)
        ax.plot([max(amin, 0.5), amax], [0.5, 0.5], **kw)
        ax.plot([0.5, amax], [0.5, amax], **kw)
        ax.plot([0.25, 0.25], [0.5, bmax], **kw)
        ax.plot([1 - 2**-0.5] * 2, [0.5, bmax], **kw)
        x = np.linspace(amin, amax, 50)
        ax.plot(x, 0.5 - x, **kw)
        ax.set_xlim(amin, amax)
        ax.set_ylim(bmin, bmax)
    ax.set_xlabel(r"$\alpha$")
    ax.set_ylabel(r"$\beta$")
    return ax


def save(fig_or_ax: Any, path: str, dpi: int = 130) -> None:
    """Save a figure (or the figure of an axes) as PNG and close it.

    Parameters
    ----------
    fig_or_ax : matplotlib Figure or Axes
        What to save (an axes' figure is saved).
    path : str or path-like
        Output file.
    dpi : int, optional
        Resolution.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "curve.png")
    >>> save(power_law((1, 10), 1.0, 1.0), path)
    >>> os.path.getsize(path) > 0
    True
    """
    plt = pyplot()
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
