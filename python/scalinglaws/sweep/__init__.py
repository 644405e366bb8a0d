"""Parameter sweeps on local cores or a Dask cluster, with resumable, data-only results.

A sweep runs one *point function* over a grid (or a list) of parameter points. Each point returns
a curve: a 1-D ``time`` axis (times, or SGD steps) and variables along it (losses, standard
errors), plus optional scalars. Built-in point functions (see :data:`POINT_FUNCTIONS`):

* ``"simulate.gd"``  -- :func:`scalinglaws.simulate_gd` (mean and SEM over ``seeds``);
* ``"simulate.sgd"`` -- :func:`scalinglaws.simulate_sgd`;
* ``"dmft.loss_curve"`` -- :func:`scalinglaws.dmft.loss_curve` (theory: test and train loss);
* ``"plrf.loss_curve"`` -- :func:`scalinglaws.plrf.loss_curve` (theory: Volterra loss P(r));

theory modules register theirs the same way (:func:`point_function`). A user function can be given
as ``"package.module:function"``; it must accept keyword parameters and return a mapping with a
``"time"`` array and arrays of the same length (or scalars).

A grid axis ``schedule.<key>`` (TOML: ``schedule.decay = [...]`` under ``[grid]``) varies one
parameter of the base ``schedule`` spec (:func:`~scalinglaws.sweep.points.fold_schedule`), e.g.
the decay fraction of a WSD schedule (``examples/sweeps/wsd_decay.toml``).

Results directory (data only: JSON, no pickle, so loading someone else's results runs no code)::

    DIR/sweep.json             the sweep: function, grid or points, fixed parameters, version
    DIR/points/KEY.json        one record per finished point (written atomically when it ends):
                               params, outputs or error, package version, seed, wall time

``KEY`` is a hash of the point's parameters. An interrupted sweep (Ctrl-C, killed worker, crashed
machine) keeps every finished record; ``resume=True`` recomputes only the missing points. A point
that raises is recorded with its error and does not stop the sweep. :func:`load` returns an
``xarray.Dataset`` with the swept parameters (plus ``time``) as dimensions.

Local runs use a process pool (``workers`` processes; each point then runs its C++ core on one
thread). ``scheduler="tcp://host:8786"`` (or an ``executor``) runs the points on a Dask
distributed cluster through Dask's own ``Client.get_executor()``; records are written by this
process, so workers need no shared file system.
"""

from __future__ import annotations

from .dataset import load
from .execute import SweepSummary, run
from .points import POINT_FUNCTIONS, point_function
from .spec import SweepSpec, point_key, read_toml

__all__ = [
    "SweepSpec",
    "SweepSummary",
    "POINT_FUNCTIONS",
    "point_function",
    "run",
    "load",
    "read_toml",
    "point_key",
]
