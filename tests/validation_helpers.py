"""Shared machinery of the theory-vs-reference validation tests (tests/test_validation*.py).

Every check compares a theory curve with an independent reference (an exact closed form, a
plain-numpy oracle of :mod:`scalinglaws.testing`, or a simulation mean with its standard error)
through :func:`compare`, which states the tolerance and the resolution (the reference's standard
error relative to the tolerance). The sensitivity tests call the same comparison with a
perturbed theory and assert that it FAILS.

With ``SCALINGLAWS_VALIDATION_JSON=path`` set, every comparison made by a test (not the
perturbed ones) appends one JSON line to ``path``; ``docs/scripts/make_validation.py`` turns
them into the validation table of the docs.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import numpy as np

ENV = "SCALINGLAWS_VALIDATION_JSON"


@dataclass
class Check:
    feature: str
    reference: str
    tol: float  # relative tolerance on |theory / reference - 1|
    error: float  # measured max relative error
    sem: float  # max relative standard error of the reference (0: exact)
    seeds: str  # seeds / draws behind the reference
    ok: bool

    @property
    def resolution(self) -> float:
        """Standard error over tolerance (must be <= 1/3 for the check to see its tolerance)."""
        return self.sem / self.tol


def compare(
    theory,
    reference,
    sem=None,
    *,
    tol: float,
    feature: str,
    reference_name: str,
    seeds: str = "exact",
    record: bool = True,
    max_resolution: float = 1 / 3,
) -> Check:
    """``ok`` iff every ``|theory / reference - 1| <= tol``. With ``sem`` (standard errors of
    the reference) asserts that the check resolves its tolerance: ``sem / |reference| <=
    max_resolution * tol`` everywhere (a property of the test, not of the theory)."""
    th = np.atleast_1d(np.asarray(theory, dtype=np.float64))
    ref = np.atleast_1d(np.asarray(reference, dtype=np.float64))
    rel = np.abs(th / ref - 1.0)
    s = 0.0
    if sem is not None:
        s = float(np.max(np.atleast_1d(sem) / np.abs(ref)))
        assert s <= max_resolution * tol, (
            f"{feature}: the reference's relative standard error {s:.3g} exceeds "
            f"{max_resolution:.2g} x tol = {max_resolution * tol:.3g}: the check cannot see "
            "its tolerance"
        )
    c = Check(feature, reference_name, tol, float(np.max(rel)), s, seeds, bool(np.all(rel <= tol)))
    if record and os.environ.get(ENV):
        with open(os.environ[ENV], "a") as f:
            f.write(json.dumps({**asdict(c), "resolution": c.resolution}) + "\n")
    return c


def pooled_ratio(runs: np.ndarray, theory: np.ndarray):
    """Per run, the mean over checkpoints of ``loss / theory``; returns (mean, standard error)
    over runs. Pooling correlated-but-not-identical checkpoints reduces the variance of the
    statistic (variance reduction for heavy-tailed late-time SGD losses)."""
    x = np.mean(runs / theory[None, :], axis=1)
    return float(np.mean(x)), float(np.std(x, ddof=1) / np.sqrt(x.size))
