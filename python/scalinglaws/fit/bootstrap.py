"""Seeded, parallel resampling: the machinery behind every bootstrap interval of this package.

Work items (bootstrap resamples, or starts of a multi-start optimisation) are cut into chunks of a
fixed size keyed by item index, and item ``i`` of a seeded run draws from
``numpy.random.SeedSequence(seed).spawn(n)[i]``. A result is therefore a pure function of the
seed, whatever the number of worker processes (``n_jobs``) or the order in which chunks finish.

Worker processes are started with the ``spawn`` method (safe with threaded parents); as for any
``multiprocessing`` code, a script calling with ``n_jobs > 1`` should guard its entry point with
``if __name__ == "__main__":``. ``n_jobs=1`` runs everything in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterator, List, Optional, Tuple

import numpy as np

from .._validate import check_int

__all__ = [
    "map_chunks",
    "resample_seeds",
    "percentile_interval",
    "resolve_jobs",
    "resample_indices",
]


def resolve_jobs(n_jobs: Optional[int], n_chunks: int) -> int:
    """Worker count: ``None`` means the CPUs this process may use; never more than the chunks.

    Parameters
    ----------
    n_jobs : int or None
        Requested workers (>= 1), or None.
    n_chunks : int
        Number of chunks of work.

    Returns
    -------
    int
        ``max(1, min(n_jobs, n_chunks))``.

    Raises
    ------
    ParameterError
        ``n_jobs < 1``.

    Examples
    --------
    >>> resolve_jobs(8, 3), resolve_jobs(2, 10)
    (3, 2)
    """
    if n_jobs is None:
        try:
            n_jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - non-Linux
            n_jobs = os.cpu_count() or 1
    n_jobs = check_int("n_jobs", n_jobs, minimum=1)
    return max(1, min(n_jobs, n_chunks))


def resample_seeds(seed: int, start: int, stop: int) -> List[np.random.SeedSequence]:
    """Child seed sequences ``start..stop-1`` of ``SeedSequence(seed)``.

    Item i of a seeded run always gets child i, whatever the chunking.

    Parameters
    ----------
    seed : int
        Root seed.
    start, stop : int
        Item range (``stop`` exclusive).

    Returns
    -------
    list of numpy.random.SeedSequence
        ``stop - start`` child sequences.

    Examples
    --------
    >>> a = resample_seeds(0, 2, 4)[0].generate_state(1)
    >>> b = resample_seeds(0, 0, 4)[2].generate_state(1)
    >>> bool(a[0] == b[0])
    True
    """
    return np.random.SeedSequence(seed).spawn(stop)[start:stop]


def resample_indices(ss: np.random.SeedSequence, n: int) -> np.ndarray:
    """Multiplicities (length ``n``) of a bootstrap resample of ``n`` rows drawn with replacement.

    Parameters
    ----------
    ss : numpy.random.SeedSequence
        Seed of this resample.
    n : int
        Number of rows.

    Returns
    -------
    ndarray of float
        How often each row is drawn (sums to ``n``); used as fit weights.

    Examples
    --------
    >>> w = resample_indices(np.random.SeedSequence(0), 5)
    >>> w.shape, float(w.sum())
    ((5,), 5.0)
    """
    idx = np.random.default_rng(ss).integers(0, n, size=n)
    return np.bincount(idx, minlength=n).astype(np.float64)


_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """One BLAS thread here and in worker processes started meanwhile: the fits are many tiny
    problems, for which idle BLAS threads only spin and steal the cores."""
    saved = {k: os.environ.get(k) for k in _BLAS_VARS}
    os.environ.update({k: "1" for k in _BLAS_VARS})
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - optional
            yield
        else:
            with threadpool_limits(limits=1, user_api="blas"):
                yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def map_chunks(
    fn: Callable[[Any, int, int], np.ndarray],
    payload: Any,
    n_items: int,
    *,
    chunk: int,
    n_jobs: Optional[int] = None,
    progress: bool = False,
    desc: str = "bootstrap",
) -> np.ndarray:
    """``concatenate([fn(payload, i, min(i + chunk, n)) for i in range(0, n, chunk)])``.

    ``fn`` must be a module-level function (it is pickled to the workers); its result for a chunk
    must depend only on ``payload`` and the chunk's bounds. ``progress`` draws a ``tqdm`` bar on
    stderr when tqdm is installed. BLAS runs single-threaded meanwhile.

    Parameters
    ----------
    fn : callable
        ``fn(payload, start, stop)`` returning an array whose first axis has ``stop - start``
        entries.
    payload : object
        Data shared by all chunks (pickled to the workers).
    n_items : int
        Number of items.
    chunk : int
        Items per chunk (fixed, so results do not depend on ``n_jobs``).
    n_jobs : int, optional
        Worker processes (default: the usable CPUs; 1: in-process).
    progress : bool, optional
        Show a progress bar.
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    ndarray
        The chunk results concatenated along the first axis, in item order.

    Examples
    --------
    >>> map_chunks(lambda p, i, j: p * np.arange(i, j), 2.0, 5, chunk=2, n_jobs=1)
    array([0., 2., 4., 6., 8.])
    """
    bounds: List[Tuple[int, int]] = [(i, min(i + chunk, n_items)) for i in range(0, n_items, chunk)]
    jobs = resolve_jobs(n_jobs, len(bounds))
    bar = _bar(n_items, desc) if progress else None
    out: List[Optional[np.ndarray]] = [None] * len(bounds)
    try:
        with single_threaded_blas():
            _run(fn, payload, bounds, jobs, bar, out)
    finally:
        if bar is not None:
            bar.close()
    return np.concatenate([np.asarray(o) for o in out], axis=0)


def _run(
    fn: Callable[[Any, int, int], np.ndarray],
    payload: Any,
    bounds: List[Tuple[int, int]],
    jobs: int,
    bar: Any,
    out: List[Optional[np.ndarray]],
) -> None:
    if jobs == 1:
        for k, (a, b) in enumerate(bounds):
            out[k] = fn(payload, a, b)
            if bar is not None:
                bar.update(b - a)
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
            futures = {ex.submit(fn, payload, a, b): k for k, (a, b) in enumerate(bounds)}
            for fut in as_completed(futures):
                k = futures[fut]
                out[k] = fut.result()
                if bar is not None:
                    bar.update(bounds[k][1] - bounds[k][0])


def _bar(total: int, desc: str) -> Any:
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None
    return tqdm(total=total, desc=desc, file=sys.stderr, leave=False)


def percentile_interval(samples: Any, confidence: float, axis: int = 0) -> np.ndarray:
    """Percentile interval(s) ``[(1-c)/2, (1+c)/2]`` of the finite samples along ``axis``.

    Parameters
    ----------
    samples : array_like
        Samples (non-finite values are ignored).
    confidence : float
        Confidence level c in (0, 1).
    axis : int, optional
        Axis of the samples.

    Returns
    -------
    ndarray
        First axis of length 2 (lo, hi); NaN where no sample is finite.

    Examples
    --------
    >>> percentile_interval(np.arange(101.0), 0.9)
    array([ 5., 95.])
    """
    s = np.moveaxis(np.asarray(samples, dtype=np.float64), axis, 0)
    s = np.where(np.isfinite(s), s, np.nan)
    q = [50 * (1 - confidence), 50 * (1 + confidence)]
    if s.shape[0] == 0 or np.all(np.isnan(s)):
        return np.full((2,) + s.shape[1:], np.nan)
    with np.errstate(all="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns -> NaN
            return np.nanpercentile(s, q, axis=0)


def interval_pairs(lo_hi: np.ndarray) -> List[Tuple[float, float]]:
    """``[(lo, hi), ...]`` from an array of shape (2, k).

    Parameters
    ----------
    lo_hi : ndarray, shape (2, k)
        Lower and upper bounds.

    Returns
    -------
    list of (float, float)
        One pair per column.

    Examples
    --------
    >>> interval_pairs(np.array([[1, 2], [3, 4]]))
    [(1.0, 3.0), (2.0, 4.0)]
    """
    return [(float(a), float(b)) for a, b in zip(lo_hi[0], lo_hi[1])]


def finite_or_none(v: Any) -> Any:
    """JSON-safe copy: floats that are NaN/inf become None (lists/dicts/tuples recursively).

    Parameters
    ----------
    v : object
        A value, list, tuple, dict or array.

    Returns
    -------
    object
        The copy (arrays and tuples become lists, numpy scalars Python numbers).

    Examples
    --------
    >>> finite_or_none({"a": [1.0, float("nan")], "b": np.int64(3)})
    {'a': [1.0, None], 'b': 3}
    """
    if isinstance(v, dict):
        return {k: finite_or_none(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite_or_none(x) for x in v]
    if isinstance(v, np.ndarray):
        return finite_or_none(v.tolist())
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


__all__ += ["interval_pairs", "finite_or_none"]
