"""Counting into bins: :func:`bincount` and :func:`histogram`.

Map
---
- :func:`bincount` -- ``np.bincount`` of each block (with its block of ``weights``),
  the partial counts added in a tree of fan-in ``split_every``.  The length of the
  result depends on the largest value, so it is one block of ``nan`` length (as in
  Dask), unless the data are known to fit: never assumed.
- :func:`histogram` -- ``np.histogram`` of each block with the same bins, partial
  counts added in a tree; the bin edges are computed eagerly (a NumPy array), so the
  counts have known shape ``(nbins,)``.  Like Dask, ``bins`` given as a number needs
  ``range=``, since finding the data's range would need a pass over the data.  A lazy
  ``range`` (``(x.min(), x.max())``) or lazy ``bins`` (a tessera array of edges) make the
  edges a lazy one-block array too, computed once and passed to every block's task.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([0, 1, 1, 3, 2, 1, 7]), chunks=3)
>>> da.bincount(x).compute()
array([1, 3, 1, 1, 0, 0, 0, 1])
>>> counts, edges = da.histogram(x, bins=4, range=(0, 8))
>>> counts.compute(), edges
(array([4, 2, 0, 1]), array([0., 2., 4., 6., 8.]))
"""

from __future__ import annotations

import operator
from functools import partial, reduce
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.routines_common import as_array, gather, per_block, single, tree
from tessera.hashing import tokenize

__all__ = ["bincount", "histogram"]


def _add_padded(parts: list[np.ndarray]) -> np.ndarray:
    """Sum 1-d arrays of different lengths, the shorter ones padded with zeros."""
    size = max(len(p) for p in parts)
    out = np.zeros(size, dtype=np.result_type(*parts))
    for p in parts:
        out[: len(p)] += p
    return out


def _like(x: Array, weights: Any) -> Array | None:
    """``weights`` as an array chunked like ``x``, checking its shape."""
    if weights is None:
        return None
    w = as_array(weights)
    check_known(x, "weights")
    check_known(w, "weights")
    if w.shape != x.shape:
        raise ValueError(
            f"weights should have the same shape as a: a has shape {x.shape}, weights {w.shape}"
        )
    return w if w.chunks == x.chunks else rechunk(w, x.chunks)


def bincount(
    x: Any, weights: Any = None, minlength: int = 0, *, split_every: int | None = None
) -> Array:
    """Number of occurrences of each value in the 1-d non-negative int array ``x``.

    Like :func:`numpy.bincount`: ``out[n]`` is the count (or the summed ``weights``) of
    the elements equal to ``n``; ``len(out)`` is ``max(x.max() + 1, minlength)``.

    Parameters
    ----------
    x : 1-d array-like of non-negative ints
    weights : array-like, optional
        Same shape as ``x``.
    minlength : int
        A minimum number of bins.
    split_every : int, optional
        Fan-in of the tree adding the partial counts (default 8).

    Returns
    -------
    Array
        One block of unknown (``nan``) length.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.from_array([1, 1, 3], chunks=2)
    >>> bincount(x, weights=da.from_array([0.5, 0.25, 2.0], chunks=2)).compute()
    array([0.  , 0.75, 0.  , 2.  ])
    >>> bincount(x, minlength=6).compute()
    array([0, 2, 0, 1, 0, 0])
    >>> bincount(da.ones(3))
    Traceback (most recent call last):
    ...
    TypeError: Cannot cast array data from dtype('float64') to dtype('int64') ...
    """
    a = as_array(x)
    if a.ndim != 1:
        raise ValueError(f"bincount needs a 1-d array, got {a.ndim} dimensions")
    minlength = operator.index(minlength)
    w = _like(a, weights)
    wprobe = None if w is None else np.ones(1, dtype=w.dtype)  # (empty: always int)
    dtype = np.bincount(np.zeros(1, a.dtype), wprobe, minlength).dtype  # NumPy's errors
    name = f"bincount-{tokenize(a, w, minlength, split_every)}"
    arrays = [a] if w is None else [a, w]
    parts = per_block(f"{name}-part", partial(_bincount_block, minlength=minlength), arrays)
    merged, final = tree(f"{name}-sum", list(parts), _add_padded, split_every)
    return single(name, {**parts, **merged}, final, (np.nan,), dtype, arrays)


def _bincount_block(block: np.ndarray, weights: Any = None, *, minlength: int) -> np.ndarray:
    return np.bincount(block, weights, minlength)


def _histogram_block(
    block: np.ndarray, weights: Any = None, *, bins: Any, range: Any
) -> np.ndarray:
    return np.histogram(block, bins=bins, range=range, weights=weights)[0]


def histogram(
    a: Any,
    bins: Any = 10,
    range: Any = None,
    density: bool | None = None,
    weights: Any = None,
    *,
    split_every: int | None = None,
) -> tuple[Array, Any]:
    """Histogram of ``a`` (flattened), like :func:`numpy.histogram`.

    Parameters
    ----------
    a : array-like
    bins : int or 1-d sequence of scalars
        A number of equal-width bins (then ``range`` is required) or the bin edges.
    range : (float, float), optional
        The lower and upper range of the bins.
    density : bool, optional
        Return the probability density (integral 1 over the range) instead of counts.
    weights : array-like, optional
        Same shape as ``a``: each element counts its weight.
    split_every : int, optional
        Fan-in of the tree adding the partial counts (default 8).

    Returns
    -------
    hist : Array
        Counts (or densities), one block of shape ``(nbins,)``.
    bin_edges : numpy.ndarray or Array
        The ``nbins + 1`` edges (a lazy one-block array when ``bins`` or ``range`` are).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.array([0.5, 1.5, 1.7, 3.2]), chunks=2)
    >>> hist, edges = histogram(x, bins=[0, 1, 2, 4], density=True)
    >>> hist.compute()
    array([0.25 , 0.5  , 0.125])
    >>> hist, edges = histogram(x, bins=2, range=(x.min(), x.max()))  # lazy range
    >>> hist.compute(), edges.compute()
    (array([3, 1]), array([0.5 , 1.85, 3.2 ]))
    >>> histogram(x, bins=3)
    Traceback (most recent call last):
    ...
    ValueError: histogram with bins=3 (a number of bins) needs range=(low, high): ...
    """
    x = as_array(a)
    if isinstance(range, Array):
        raise TypeError(
            "histogram: range must be a pair (low, high), each a number or a 0-d tessera "
            f"array, not one tessera array of shape {range.shape}"
        )
    lazy = isinstance(bins, Array) or any(isinstance(r, Array) for r in range or ())
    if (
        not isinstance(bins, Array)
        and np.ndim(bins) == 0
        and not isinstance(bins, str)
        and range is None
    ):
        raise ValueError(
            f"histogram with bins={bins!r} (a number of bins) needs range=(low, high): "
            "finding the data's range would need a pass over the data. Pass range=, or "
            "explicit bin edges as bins."
        )
    if isinstance(bins, str):
        raise NotImplementedError(
            f"histogram does not support bins={bins!r} (a method estimating bins from the "
            "data); pass a number of bins with range=, or the bin edges"
        )
    w = _like(x, weights)
    if lazy:
        return _lazy_histogram(x, w, bins, range, density, split_every)
    edges = np.histogram_bin_edges(np.zeros(0, x.dtype), bins=bins, range=range)
    wprobe = None if w is None else np.ones(1, w.dtype)
    dtype = np.histogram(np.zeros(1, x.dtype), bins=edges, weights=wprobe)[0].dtype
    name = f"histogram-{tokenize(x, w, edges, bins, range, split_every)}"
    arrays = [x] if w is None else [x, w]
    block_bins = edges if np.ndim(bins) else bins  # a number: NumPy's own equal-width path
    func = partial(_histogram_block, bins=block_bins, range=range)
    parts = per_block(f"{name}-part", func, arrays)
    merged, final = tree(f"{name}-sum", list(parts), partial(reduce, np.add), split_every)
    hist = single(name, {**parts, **merged}, final, (len(edges) - 1,), dtype, arrays)
    if density:
        widths = np.diff(edges)
        hist = hist / hist.sum() / widths  # type: ignore[attr-defined]
    return hist, edges


def _value(v: Any) -> Any:
    """A lazy array as the task gathering it; anything else as it is."""
    return gather(v) if isinstance(v, Array) else v


def _edges(bins: Any, low: Any, high: Any, dtype: Any) -> np.ndarray:
    """NumPy's bin edges for data of ``dtype`` (``low``/``high``: the range, or None)."""
    span = None if low is None and high is None else (low, high)
    return np.histogram_bin_edges(np.zeros(0, dtype), bins=bins, range=span)


def _histogram_part(*args: Any) -> np.ndarray:
    """Counts of one block: ``(block[, weights], edges, nbins)``; with a number of bins,
    NumPy's own equal-width path over the range ``edges[0], edges[-1]``."""
    *blocks, edges, nbins = args
    weights = blocks[1] if len(blocks) > 1 else None
    if nbins is None:
        return np.histogram(blocks[0], bins=edges, weights=weights)[0]
    span = (edges[0], edges[-1])
    return np.histogram(blocks[0], bins=nbins, range=span, weights=weights)[0]


def _lazy_histogram(
    x: Array, w: Array | None, bins: Any, range: Any, density: Any, split_every: Any
) -> tuple[Array, Array]:
    """:func:`histogram` with lazy ``bins`` or ``range``: lazy counts and edges."""
    low, high = range if range is not None else (None, None)
    lazy = [v for v in (bins, low, high) if isinstance(v, Array)]
    if isinstance(bins, Array) and bins.ndim != 1:
        raise ValueError(f"histogram: bins must be 1-d edges, got shape {bins.shape}")
    probes = [np.zeros(v.shape, v.dtype) if isinstance(v, Array) else v for v in (low, high)]
    bin_probe = np.arange(2, dtype=bins.dtype) if isinstance(bins, Array) else bins
    edge_dtype = _edges(bin_probe, probes[0], probes[1], x.dtype).dtype  # also NumPy's errors
    nbins = bins.shape[0] - 1 if isinstance(bins, Array) else operator.index(bins)
    name = f"histogram-{tokenize(x, w, bins, low, high, split_every)}"
    task = (_edges, _value(bins), _value(low), _value(high), x.dtype)
    edges = single(f"{name}-edges", {}, task, (nbins + 1,), edge_dtype, lazy)
    arrays = [x] if w is None else [x, w]
    per_part = None if isinstance(bins, Array) else nbins
    parts = per_block(f"{name}-part", _histogram_part, arrays, (edges.name, 0), per_part)
    merged, final = tree(f"{name}-sum", list(parts), partial(reduce, np.add), split_every)
    wprobe = None if w is None else np.ones(1, w.dtype)
    dtype = np.histogram(np.zeros(1, x.dtype), bins=2, range=(0, 1), weights=wprobe)[0].dtype
    hist = single(name, {**parts, **merged}, final, (nbins,), dtype, [*arrays, edges])
    if density:
        widths = edges[1:] - edges[:-1]  # type: ignore[index]
        hist = hist / hist.sum() / widths  # type: ignore[attr-defined]
    return hist, edges
