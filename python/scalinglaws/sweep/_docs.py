"""Text shared by the sweep docstrings and the ``scalinglaws sweep`` help: one home for each.

:data:`EXAMPLE_TOML` is the sweep file shown by :func:`~scalinglaws.sweep.read_toml` and by
``scalinglaws sweep --help``. :data:`DOCS` holds the docstring fragments that ``fill_doc``
expands: ``{example_toml}``, and ``{example_run}``, the two-point sweep that the examples of
:func:`~scalinglaws.sweep.run`, :class:`~scalinglaws.sweep.SweepSummary` and
:func:`~scalinglaws.sweep.load` start with.
"""

from __future__ import annotations

__all__ = ["EXAMPLE_TOML", "DOCS"]

#: a sweep file: simulate.gd over a grid of N and P (``sweep.toml``)
EXAMPLE_TOML = """\
function = "simulate.gd"
[fixed]
a = 1.5
b = 1.25
M = 4096
lr = 0.5
times = [1, 10, 100, 1000]
seeds = 8
[grid]
N = [64, 128, 256]
P = [256, 1024]"""

DOCS: dict[str, str] = {
    "example_toml": EXAMPLE_TOML,
    "example_run": """\
>>> import tempfile
>>> from scalinglaws.sweep import SweepSpec, run, load
>>> spec = SweepSpec("dmft.loss_curve", grid={"N": [8, 16]},
...                  fixed={"a": 1.5, "b": 1.25, "M": 64, "P": 32, "times": [1.0, 10.0],
...                         "flow": True})
>>> directory = tempfile.mkdtemp()
>>> summary = run(spec, directory, workers=1, progress=False)""",
}
