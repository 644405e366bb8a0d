"""DMFT loss curves L(t), Lhat(t) (theory page "DMFT", sections "Contour route", "T x T recipe"
and "One-pass SGD"). The one-pass SGD route is in ``dmft/_sgd.py``, the train-test gap in
:mod:`scalinglaws.dmft.gap`."""

from __future__ import annotations

from typing import Any, Iterable, Optional

import numpy as np

from .._backend import _core
from .._validate import check_int, threads_arg
from ..errors import ParameterError
from ..problem import Problem
from ..results import LossCurve
from ._common import (
    AUTO_MOMENTUM_RECIPE_STEPS,
    INF,
    Size,
    check_momentum,
    check_problem,
    check_recipe_steps,
    check_stable,
    gd_steps,
    inv,
    size,
    theory_curve,
    times_array,
)
from ._sgd import _sgd_curve
from ._spectrum import core_spectrum, head_arrays, recipe_modes
from .contour import check_edge_stable, gd_contour_u_max, momentum_contour_ok, spectral_edge
from .gap import train_test_gap  # noqa: F401 (the old path dmft.curves.train_test_gap)
from .recipe import recipe

__all__ = ["loss_curve"]


def loss_curve(
    problem: Problem,
    P: Size,
    times: Iterable[float],
    *,
    lr: Optional[float] = None,
    flow: bool = False,
    batch: Optional[int] = None,
    N: Size = None,
    momentum: Optional[float] = None,
    method: str = "auto",
    nodes: int = 14,
    threads: Optional[int] = None,
    max_recipe_steps: int = 2000,
    ensemble: Size = 1,
    bags: Size = 1,
    lr_convention: Optional[str] = None,
    schedule: Any = None,
) -> LossCurve:
    """Test and train loss of the DMFT theory at the given times.

    Routes and their validity: :ref:`dmft-contour`, :ref:`dmft-recipe`, :ref:`dmft-sgd`;
    ensembles and bagging :ref:`dmft-ensembles`, momentum :ref:`dmft-momentum`; time and
    learning-rate conventions :ref:`conv-time`, :ref:`conv-lr`.

    Parameters
    ----------
    problem : Problem
        Spectrum ``lam``, target ``wstar``, label noise ``sigma`` and (default) model size ``N``.
    P : int or math.inf
        Number of training samples (ignored for one-pass SGD).
    times : sequence of float
        GD: ``t = lr * steps`` (rounded to whole steps, as :func:`simulate_gd`); flow: ``t``;
        SGD (``batch`` given): step counts.
    lr : float
        Learning rate (discrete GD / SGD). Not used with ``flow=True``.
    flow : bool
        Gradient flow instead of discrete GD.
    batch : int
        One-pass SGD with this batch size (fresh samples every step; ``P`` is not used). Times
        are step counts. Default route (``method="auto"`` or ``"volterra"``): the exact
        expected-loss recursion (Volterra equation) on the deterministic-equivalent spectrum of
        the projected covariance (:func:`scalinglaws.plrf.loss_curve`), any number of steps at a
        cost that grows like log(steps). ``method="recipe"``: the DMFT one-pass SGD recipe
        (Bordelon et al. eqs. 142-144; cost O(M T^2), steps <= ``max_recipe_steps``). The
        recipe's closure treats the batch noise to leading order only: it is accurate for
        lr x lambda_max(K) << 1, and underestimates the loss at moderate learning rates (about 6%
        after one step at batch 1, lr = 0.3); prefer the default.
    schedule : Schedule or str
        Learning-rate schedule (:mod:`scalinglaws.schedules`; ``lr`` is the peak), bound to the
        last step. One-pass SGD (``batch``): the Volterra route with a step-dependent rate
        (exact per step, :func:`scalinglaws.plrf.volterra_loss`). Discrete GD: the contour route
        with the schedule's polynomial transfer (:mod:`scalinglaws.dmft.scheduled_contour`; any
        number of steps), and the general (non-Toeplitz) T x T recipe
        (:func:`scalinglaws.dmft.scheduled.recipe_scheduled`) while sum(lr_r)/lr < nodes, or
        with ``method="recipe"``. None or ``"constant"``: the constant-lr code, bitwise.
    lr_convention : "mean" | "sum"
        One-pass SGD: ``lr`` averages (``"mean"``, Bordelon et al. eq. 142) or sums the batch.
        Default: :attr:`Problem.lr_convention` (mean for ``Problem.bordelon``).
    N : int or math.inf
        Overrides ``problem.N``.
    momentum : float
        Discrete GD: heavy-ball coefficient mu in [0, 1) (App. K.2, eqs. 139-141):
        ``b(n) = v4(n) + mu b(n-1)``, ``v0(n+1) = v0(n) - lr b(n)``, ``b(-1) = 0``, reported at
        ``t = lr * n`` (as without momentum; the effective step is ``lr/(1-mu)``). Stable iff
        ``lr u < 2 (1 + mu)`` for every eigenvalue u of K. Flow: continuous momentum beta >= 0,
        ``beta v0'' + v0' = -v4`` with ``v0(0) = w*``, ``v0'(0) = 0`` (eqs. 137-138; contour
        only). Not available for one-pass SGD.
    method : "auto" | "contour" | "recipe" | "volterra"
        ``volterra``: one-pass SGD only (see ``batch``). ``contour``: fixed-Talbot 2-D inversion (fast, any t; GD needs steps >= nodes/2).
        Discrete GD with lr x lambda_max(K) in [1, 2): the contour gets a second petal around
        z = 1 - lr u in (-1, 0) (:ref:`dmft-contour`), same accuracy, ~4x the cost of one petal.
        ``recipe``: the paper's T x T recipe (exact for discrete GD; cost O(M T^2) with T = steps).
        ``auto``: GD/flow use the contour, except GD steps < 2 * nodes which use the recipe. With
        momentum the contour must also enclose the (complex) singularities of the transfer
        functions (see :func:`~scalinglaws.dmft.contour.momentum_contour_ok`); steps where it
        does not use the recipe.
    nodes : int
        Talbot nodes on the upper half contour. Measured relative error against the exact
        T x T recipe: ~2e-8 (12 nodes), ~1e-9 (14, default), ~1e-10 (16); cost grows as nodes^2.
    threads : int, optional
        Worker threads of the C++ contour (default: all cores). The result does not depend on it.
    max_recipe_steps : int
        Largest number of steps the T x T recipe may run (cost O(M T^2), memory O(T^2)); routes
        that would need more raise ParameterError up front instead (default 2000).
    ensemble, bags : int or math.inf
        E independent projections ``A_e`` and B independent data sets ``Psi_b`` (each of P
        samples, each shared by all E members; label noise shared within a data set): the loss
        of the averaged predictor ``v0bar = (1/EB) sum_{e,b} v0_{e,b}`` (App. H, eqs. 108-113;
        :func:`scalinglaws.simulate_gd` with ``ensemble=E, bags=B``). Per mode,
        ``<v0bar v0bar'> = H H' [w*^2 + (1/(N E)) ((1/B) C3 + (1-1/B) C3x)
        + (lambda_k/(P B)) R3 R3' ((1/E) C1 + (1-1/E) C1x)]`` with the cross-system correlations
        of eq. 110 (C0x across members on one data set, C2x across data sets of one member).
        E = B = 1 is the single model; E, B = inf gives :func:`irreducible_bias`. Full-batch GD
        and flow only (not with ``batch``). ``train_loss`` is then the training loss of the
        E-member average on the shared data set for B = 1, and None for B > 1 (no single
        training set).

    Returns
    -------
    LossCurve
        ``test_loss`` has no 1/2 and no sigma^2 floor; ``train_loss`` has no 1/2 and includes the
        label noise (as the simulator); None for one-pass SGD and for bagging with B > 1. Time
        unit ``"lr*steps"`` (GD), ``"time"`` (flow) or ``"steps"`` (SGD).

    Raises
    ------
    ParameterError
        An invalid or inconsistent argument (named in the message, with its valid range), an
        unstable ``lr`` (the message gives the bound), a route outside its validity range
        (e.g. the contour for fewer than ``nodes/2`` GD steps), or a recipe beyond
        ``max_recipe_steps`` steps.
    ConvergenceError
        The solver produced non-finite values.

    See Also
    --------
    scalinglaws.simulate_gd, scalinglaws.simulate_sgd : the simulations of the same curves.
    scalinglaws.plrf.loss_curve : the Volterra route of one-pass SGD.
    train_test_gap, infinite_width_loss, final_losses : the gap and the limits.

    Examples
    --------
    >>> import scalinglaws as sl
    >>> p = sl.Problem.bordelon(a=1.5, b=1.25, M=2048, N=128)
    >>> c = sl.dmft.loss_curve(p, 512, [1, 10, 100], lr=0.5)
    >>> c.time_unit, c.test_loss.shape
    ('lr*steps', (3,))
    """
    if not isinstance(problem, Problem):
        raise ParameterError(f"problem must be a scalinglaws.Problem, got {type(problem).__name__}")
    if batch is None:
        check_problem(problem)
    Nv = size("N", N, problem.N)
    t = times_array(times)
    nodes = check_int("nodes", nodes, minimum=4, maximum=200)
    if method not in ("auto", "contour", "recipe", "volterra"):
        raise ParameterError(
            f"method must be 'auto', 'contour', 'recipe' or 'volterra', got {method!r}"
        )
    if method == "volterra" and batch is None:
        raise ParameterError("method='volterra' is the one-pass SGD route: give batch=")
    mu = check_momentum(momentum, flow)
    lam, w2 = head_arrays(problem)  # all modes; the explicit head at M = inf
    sigma2 = problem.sigma**2
    L0 = problem.initial_loss
    th = threads_arg(threads)
    Ev = size("ensemble", ensemble)
    Bv = size("bags", bags)
    invE, invB = inv(Ev), inv(Bv)
    ens = {"ensemble": Ev, "bags": Bv}
    if batch is not None:
        if Ev != 1 or Bv != 1:
            raise ParameterError(
                "ensemble and bags are for full-batch GD / gradient flow; drop batch"
            )
        if flow:
            raise ParameterError("batch (one-pass SGD) is discrete-time; drop flow")
        if mu != 0.0:
            raise ParameterError("momentum is not available for one-pass SGD (batch)")
        return _sgd_curve(
            problem,
            t,
            lr=lr,
            batch=batch,
            N=Nv,
            method=method,
            lr_convention=lr_convention,
            max_recipe_steps=max_recipe_steps,
            threads=threads,
            schedule=schedule,
        )
    from ..schedules import as_schedule

    if as_schedule(schedule) is not None:
        if flow or mu != 0.0:
            raise ParameterError(
                "schedule applies to discrete GD without momentum and to one-pass SGD (batch=)"
            )
        from .scheduled import scheduled_curve

        return scheduled_curve(
            problem,
            P,
            t,
            lr=lr,
            N=Nv,
            schedule=schedule,
            max_recipe_steps=max_recipe_steps,
            ensemble=Ev,
            bags=Bv,
            method=method,
            nodes=nodes,
            threads=threads,
        )
    if lr_convention is not None:
        raise ParameterError("lr_convention applies to one-pass SGD (batch=...) only")
    Pv = size("P", P)
    if flow:
        if lr is not None:
            raise ParameterError("lr is for discrete GD; drop it with flow=True")
        if method == "recipe":
            raise ParameterError(
                "the T x T recipe is for discrete GD; use method='contour' for flow"
            )
        test = np.full(t.size, L0)
        train = np.full(t.size, L0 + sigma2)
        pos = t > 0
        if np.any(pos):
            if mu != 0.0:
                ok = momentum_contour_ok(problem, Nv, Pv, t[pos], nodes, beta=mu)
                if not np.all(ok):
                    raise ParameterError(
                        f"continuous momentum beta = {mu:g}: the Talbot contour does not enclose "
                        f"the oscillatory singularities (beta * max eigenvalue(K) > 1/4) at "
                        f"t = {t[pos][~ok][0]:g}; use a smaller beta, larger nodes, or t >> beta"
                    )
            a, b = _core.dmft.loss_curve(
                core_spectrum(problem, inv(Nv), inv(Pv)),
                list(t[pos]),
                _core.dmft.CurveOptions(
                    flow=True, lr=0.0, nodes=nodes, threads=th, inv_E=invE, inv_B=invB, momentum=mu
                ),
            )
            test[pos] = a
            train[pos] = b
        params = {"N": Nv, "P": Pv, "flow": True, "nodes": nodes, **ens}
        if mu != 0.0:
            params["momentum"] = mu
        return theory_curve(problem, t, test, train, "contour", params, bags=Bv, time_unit="time")
    lr, steps = gd_steps(t, lr)
    check_stable(lam, lr, mu)
    u_max = None
    if mu != 0.0 or (int(steps.max()) >= 2 and (Nv != INF or Pv != INF)):
        # the finite-size spectrum of K reaches beyond max(lambda): check stability on its DMFT
        # edge up front (the recipe would otherwise only find the divergence late); the edge
        # carries a 2% margin, removed here
        u_max = spectral_edge(problem, Nv, Pv)
        if mu == 0.0:
            check_edge_stable(lr, u_max)
        if mu != 0.0 and lr * u_max >= 2.0 * (1.0 + mu):
            raise ParameterError(
                f"lr = {lr:g} is unstable for heavy-ball GD with momentum = {mu:g}: "
                f"the DMFT spectrum of K reaches u = {u_max:.4g} and stability "
                f"needs lr * u < 2 (1 + momentum), i.e. lr < {2 * (1 + mu) / u_max:.4g}"
            )
    test = np.empty(t.size)
    train = np.empty(t.size)
    if method == "recipe":
        use_recipe = np.ones(t.size, bool)
    elif method == "contour":
        use_recipe = steps == 0
        if np.any((steps > 0) & (steps < (nodes + 1) // 2)):
            raise ParameterError(
                f"method='contour' needs >= {(nodes + 1) // 2} steps for discrete GD"
            )
        if mu != 0.0:
            ok = momentum_contour_ok(
                problem, Nv, Pv, steps[~use_recipe].astype(float), nodes, lr=lr, mu=mu, u_max=u_max
            )
            if not np.all(ok):
                raise ParameterError(
                    f"method='contour' with momentum = {mu:g}: the Talbot contour does not "
                    f"enclose the complex poles of heavy-ball GD at step "
                    f"{int(steps[~use_recipe][~ok][0])} (they contribute ~ momentum^(steps/2)); "
                    "use method='recipe' or 'auto', or more nodes"
                )
    else:
        use_recipe = steps < 2 * nodes
        if not np.all(use_recipe):
            if mu != 0.0:
                idx = np.flatnonzero(~use_recipe)
                ok = momentum_contour_ok(
                    problem, Nv, Pv, steps[idx].astype(float), nodes, lr=lr, mu=mu, u_max=u_max
                )
                use_recipe[idx[~ok]] = True
                limit = min(max_recipe_steps, AUTO_MOMENTUM_RECIPE_STEPS)
                if np.any(use_recipe) and int(steps[use_recipe].max()) > limit:
                    raise ParameterError(
                        f"momentum = {mu:g}, lr = {lr:g}: the contour does not enclose the "
                        f"heavy-ball poles up to step {int(steps[use_recipe].max())}, and the exact "
                        f"recipe there needs ~T sweeps of T x T products (minutes beyond "
                        f"{limit} steps at high momentum). Ask for later times, or pass "
                        "method='recipe' (with max_recipe_steps) to run it anyway"
                    )
    if np.any(use_recipe):
        T = int(steps[use_recipe].max()) + 1
        check_recipe_steps(T, max_recipe_steps, "the T x T recipe is", "; use method='contour'")
        rl, rw, rm = recipe_modes(problem, lr * T)
        a, b = recipe(
            rl, rw, inv(Nv), inv(Pv), sigma2, lr, T, momentum=mu, invE=invE, invB=invB, mult=rm
        )
        test[use_recipe] = a[steps[use_recipe]]
        train[use_recipe] = b[steps[use_recipe]]
    cont = ~use_recipe
    petal_u = 0.0
    if np.any(cont):
        if mu == 0.0:  # lr * max eig(K) >= 1: a second contour petal encloses z in (-1, 0)
            petal_u = gd_contour_u_max(problem, Nv, Pv, lr, u_max)
            if petal_u > 0.0 and np.any(steps[cont] <= (4 * nodes) // 5):
                raise ParameterError(
                    f"method='contour' with lr * max eigenvalue(K) >= 1 needs >= "
                    f"{(4 * nodes) // 5 + 1} steps for discrete GD"
                )
        a, b = _core.dmft.loss_curve(
            core_spectrum(problem, inv(Nv), inv(Pv)),
            [float(n) for n in steps[cont]],
            _core.dmft.CurveOptions(
                flow=False,
                lr=lr,
                nodes=nodes,
                threads=th,
                inv_E=invE,
                inv_B=invB,
                momentum=mu,
                u_max=petal_u,
            ),
        )
        test[cont] = a
        train[cont] = b
    mixed = (
        "recipe (< 2 nodes steps) + contour"
        if mu == 0.0
        else "recipe (momentum poles outside the contour) + contour"
    )
    used = "recipe" if np.all(use_recipe) else ("contour" if not np.any(use_recipe) else mixed)
    if petal_u > 0.0:
        used = used.replace("contour", "contour (two petals)")
    params = {"N": Nv, "P": Pv, "lr": lr, "nodes": nodes, **ens}
    if mu != 0.0:
        params["momentum"] = mu
    return theory_curve(problem, steps * lr, test, train, used, params, bags=Bv, steps=steps)
