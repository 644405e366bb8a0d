"""Small data sets shipped by optional dependencies (scikit-learn digits)."""

from __future__ import annotations

from typing import Tuple

import numpy as np

from ..errors import ParameterError

__all__ = ["DATASETS", "load_dataset"]


DATASETS = ("digits",)


# ----------------------------------------------------------------------------------- datasets
def load_dataset(name: str) -> Tuple[np.ndarray, np.ndarray]:
    """A dataset that ships inside a PyPI package (no download at run time).

    ``"digits"``: scikit-learn's ``load_digits`` (1797 handwritten digits, 8 x 8 pixels, needs
    the optional dependency scikit-learn). Returns ``X`` (1797 x 64) standardised per pixel
    (zero mean, unit variance; constant pixels stay 0) and ``y`` (1797 x 10) one-hot labels
    minus their mean (0.9 on the true class, -0.1 elsewhere), so ``mean(|y|^2) = 0.9``.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS` (``"digits"``).

    Returns
    -------
    (ndarray, ndarray)
        ``(X, y)`` as described above.

    Raises
    ------
    ParameterError
        An unknown name.
    ImportError
        scikit-learn is not installed (extra ``data``).

    Examples
    --------
    >>> X, y = load_dataset("digits")
    >>> X.shape, y.shape, round(float(np.mean(np.sum(y**2, axis=1))), 6)
    ((1797, 64), (1797, 10), 0.9)
    """
    if name not in DATASETS:
        raise ParameterError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "the 'digits' dataset needs scikit-learn (an optional dependency): "
            "pip install scikit-learn"
        ) from exc
    d = load_digits()
    X = np.asarray(d.data, dtype=np.float64)
    X = X - X.mean(axis=0)
    sd = X.std(axis=0)
    X = X / np.where(sd > 0, sd, 1.0)
    labels = np.asarray(d.target, dtype=np.int64)
    y = np.full((labels.size, 10), -0.1)
    y[np.arange(labels.size), labels] = 0.9
    return X, y
