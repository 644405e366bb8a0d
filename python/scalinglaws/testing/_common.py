"""What the plain numpy references share: docstring entries and the step-to-checkpoint loop."""

from __future__ import annotations

from typing import Callable, List, Sequence, TypeVar, Union

import numpy as np

T = TypeVar("T")

#: numpydoc entries of the references (expanded by :func:`scalinglaws._docstrings.fill_doc`)
DOCS = {
    "problem": "problem : Problem\n    Finite problem with N set (:ref:`conv-problem`).",
    "P": "P : int\n    Number of samples.",
    "momentum": "momentum : float\n    mu in [0, 1).",
    "phi_y": (
        "phi : ndarray, shape (P, N)\n    Features of the training set.\n"
        "y : ndarray, shape (P,)\n    Labels."
    ),
    "moments": (
        "sigma_mat, q, c0 : ndarray (N, N), ndarray (N,), float\n"
        "    Population moments ``E[phi phi^T]``, ``E[phi y]`` and the initial loss"
        " ``E[(x.w*)^2]``;\n    the test loss is ``c0 - 2 w.q + w^T sigma_mat w``."
    ),
    "sgd_batch": "batch : int\n    Batch size B.",
    "batch_mean": (
        "batch_mean : bool, optional\n    ``lr`` in the batch-mean convention (:ref:`conv-lr`)."
    ),
}


def at_steps(
    steps: Union[Sequence[int], np.ndarray], step: Callable[[], None], measure: Callable[[], T]
) -> List[T]:
    """Call ``step()`` up to each step count (in increasing order) and ``measure()`` there.

    Returns the measurements in the order of ``steps``.
    """
    counts = np.asarray(steps, dtype=np.int64)
    out: List[T] = [None] * len(counts)  # type: ignore[list-item]
    n = 0
    for idx in np.argsort(counts, kind="stable"):
        while n < counts[idx]:
            step()
            n += 1
        out[idx] = measure()
    return out
