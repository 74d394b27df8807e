"""Means and variances: ``mean``, ``var``, ``std`` and their ``nan`` versions.

Map
---
- :func:`mean`, :func:`nanmean` -- a sum divided by a count.
- :func:`var`, :func:`std`, :func:`nanvar`, :func:`nanstd` -- from per-block partials
  ``{"n", "mean", "M2"}`` (count, mean, sum of squared deviations from the mean), merged
  with Chan et al.'s parallel formula ``M2 = sum(M2_i) + sum(n_i * (mean_i - mean)**2)``:
  numerically stable, unlike a sum of squares.

Plan: when the chunk sizes on the reduced axes are known, ``mean`` is the tree of
:func:`~tessera.array.reductions.sum` (same chunk and combine tasks, so ``x.sum()`` and
``x.mean()`` of a float array share them) with a final division by the static count;
otherwise, and for ``nanmean``, partials carry ``{"n", "total"}``.  Dtypes, warnings
("Mean of empty slice", "Degrees of freedom <= 0 for slice") and 0-d NumPy scalars
follow NumPy; float16 data are accumulated in float32.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([1.0, 2.0, 3.0, 4.0]), chunks=3)
>>> x.mean().compute(), x.var(ddof=1).compute(), float(x.std())
(np.float64(2.5), np.float64(1.6666666666666667), 1.118033988749895)
"""

from __future__ import annotations

import math
import warnings
from contextlib import nullcontext
from functools import partial
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.reduce_rules import as_result, prepare, result_dtype, static_count
from tessera.array.treereduce import reduce_steps

__all__ = ["mean", "nanmean", "nanstd", "nanvar", "std", "var"]


def _accumulator(dtype_in: np.dtype[Any], dtype: Any) -> np.dtype[Any]:
    """NumPy's accumulator for means: float64 for ints and bools, float32 for float16."""
    if dtype is not None:
        return np.dtype(dtype)
    if dtype_in.kind in "biu":
        return np.dtype("f8")
    if dtype_in == np.float16:
        return np.dtype("f4")
    return dtype_in


def _divide(total: Any, count: Any, dtype: Any, quiet: bool) -> Any:
    """``total / count`` as NumPy's ``mean`` does it (``nanmean``: ``quiet``, no divide
    warnings), warning about empty slices."""
    if np.any(np.asarray(count) == 0):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
    with np.errstate(divide="ignore", invalid="ignore") if quiet else nullcontext():
        if isinstance(total, np.ndarray):
            ratio = np.true_divide(total, count, out=total, casting="unsafe")
        elif isinstance(total, np.generic):
            ratio = total.dtype.type(total / count)
        else:  # a Python object: the 0-d sum of an object array
            ratio = total / count
    return as_result(ratio, dtype)


def _mean_of_sum(total: Any, axis: Any, keepdims: bool, count: int, dtype: Any) -> Any:
    """The last step of a mean with a static count: add up the partial sums, divide."""
    acc = total.dtype
    return _divide(np.sum(total, axis=axis, keepdims=keepdims, dtype=acc), count, dtype, False)


def _reduced_shape(x: Any, axis: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if a in axis else n for a, n in enumerate(np.shape(x)))


def _counts(x: Any, axis: tuple[int, ...], skipna: bool) -> tuple[Any, Any, Any]:
    """Count per reduced slice (keepdims), the data with NaNs zeroed, and the NaN mask."""
    x = np.asarray(x)
    if skipna and x.dtype.kind in "fc":
        mask = np.isnan(x)
        n = np.sum(~mask, axis=axis, dtype=np.intp, keepdims=True)
        return n, np.where(mask, 0, x), mask
    size = math.prod(x.shape[a] for a in axis)
    return np.full(_reduced_shape(x, axis), size, dtype=np.intp), x, None


def _count_sum_chunk(x: Any, axis: Any, keepdims: bool, dtype: Any, skipna: bool) -> Any:
    n, data, _ = _counts(x, axis, skipna)
    return {"n": n, "total": np.sum(data, axis=axis, dtype=dtype, keepdims=True)}


def _count_sum_combine(parts: Any, axis: Any, keepdims: bool) -> Any:
    total = parts["total"]
    return {
        "n": np.sum(parts["n"], axis=axis, keepdims=keepdims),
        "total": np.sum(total, axis=axis, keepdims=keepdims, dtype=total.dtype),
    }


def _count_sum_mean(parts: Any, axis: Any, keepdims: bool, dtype: Any, quiet: bool) -> Any:
    both = _count_sum_combine(parts, axis, keepdims)
    return _divide(both["total"], both["n"], dtype, quiet)


def _whole(x: Array, axes: tuple[int, ...], keepdims: bool) -> bool:
    """Whether a reduction over ``axes`` gives one number (NumPy's float64 for the mean,
    var and std of an object array, where it keeps object dtype along an axis)."""
    return not keepdims and len(axes) == x.ndim


def _mean(
    name: str, a: Any, axis: Any, dtype: Any, keepdims: bool, split_every: Any, out: Any
) -> Array:
    x, axes = prepare(a, axis, name, out)
    skipna = name == "nanmean" and x.dtype.kind in "fc"
    np_func = np.nanmean if skipna else np.mean
    result = result_dtype(partial(np_func, axis=0, keepdims=True), x.dtype, name, dtype=dtype)
    if x.dtype == object and dtype is None and _whole(x, axes, keepdims):
        result = np.dtype("f8")
    # np.nanmean accumulates in the data's float dtype, np.mean upcasts ints and float16
    acc = x.dtype if skipna and dtype is None else _accumulator(x.dtype, dtype)
    count = None if skipna else static_count(x, axes)
    if count is not None:
        step = partial(np.sum, dtype=acc)  # the very tasks of sum(x, dtype=acc)
        final = partial(_mean_of_sum, count=count, dtype=result)
        chunk, combine = step, step
    else:
        chunk = partial(_count_sum_chunk, dtype=acc, skipna=skipna)
        final = partial(_count_sum_mean, dtype=result, quiet=skipna)
        combine = partial(_count_sum_combine)
    return reduce_steps(
        x,
        axes,
        chunk,
        combine,
        final,
        keepdims=keepdims,
        dtype=result,
        split_every=split_every,
        name=name,
    )


def mean(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Arithmetic mean over ``axis`` (:func:`numpy.mean`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(10, chunks=3).mean().compute()
    np.float64(4.5)
    """
    return _mean("mean", a, axis, dtype, keepdims, split_every, out)


def nanmean(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Mean over ``axis`` ignoring NaNs (:func:`numpy.nanmean`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanmean(da.from_array(np.array([1.0, np.nan, 3.0]), chunks=2)).compute()
    np.float64(2.0)
    """
    return _mean("nanmean", a, axis, dtype, keepdims, split_every, out)


def _abs2(d: Any) -> Any:
    """``|d|**2``, real for complex ``d``."""
    return d.real * d.real + d.imag * d.imag if np.iscomplexobj(d) else d * d


def _moment_dtype(x: Array, axes: tuple[int, ...], keepdims: bool, name: str, dtype: Any) -> Any:
    """NumPy's result dtype of ``name`` (var, std, nanvar, nanstd) over ``axes`` of ``x``.

    Object arrays give object results; but NumPy's ``var`` and ``std`` of a whole object
    array are float64 (its last division, and ``np.sqrt``, of a Python number).  (An
    object array's ``np.sqrt`` calls each element's ``sqrt`` method, so a float one
    raises, as in NumPy.)
    """
    if x.dtype == object and dtype is None:
        return np.dtype("f8") if _whole(x, axes, keepdims) else np.dtype(object)
    func = {"var": np.var, "std": np.std, "nanvar": np.nanvar, "nanstd": np.nanstd}[name]
    return result_dtype(partial(func, axis=0, keepdims=True), x.dtype, name, dtype=dtype)


def _moment_chunk(x: Any, axis: Any, keepdims: bool, dtype: Any, skipna: bool) -> Any:
    """Count, mean and M2 of one block (NaNs left out when ``skipna``)."""
    n, data, mask = _counts(x, axis, skipna)
    total = np.sum(data, axis=axis, dtype=dtype, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.where(n > 0, total / np.maximum(n, 1), 0).astype(total.dtype, copy=False)
    dev = np.asarray(_abs2(np.subtract(data, mu, dtype=dtype)))
    if mask is not None:
        dev[mask] = 0
    m2 = np.sum(dev, axis=axis, keepdims=True)
    return {"n": n, "mean": mu, "M2": m2}


def _moment_combine(parts: Any, axis: Any, keepdims: bool) -> Any:
    """Merge partials along ``axis`` (Chan et al.)."""
    n, mu, m2 = parts["n"], parts["mean"], parts["M2"]
    total_n = np.sum(n, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        merged = np.sum(n * mu, axis=axis, keepdims=True) / np.maximum(total_n, 1)
    merged = merged.astype(mu.dtype, copy=False)
    spread = np.sum(n * _abs2(mu - merged), axis=axis, keepdims=True)
    out_m2 = (np.sum(m2, axis=axis, keepdims=True) + spread).astype(m2.dtype, copy=False)
    if not keepdims:
        return {
            "n": total_n.squeeze(axis),
            "mean": merged.squeeze(axis),
            "M2": out_m2.squeeze(axis),
        }
    return {"n": total_n, "mean": merged, "M2": out_m2}


def _moment_result(
    parts: Any, axis: Any, keepdims: bool, ddof: Any, dtype: Any, root: bool, skipna: bool
) -> Any:
    """Variance (or its square root) from the merged partials, with NumPy's warnings."""
    merged = _moment_combine(parts, axis, keepdims)
    n, m2 = merged["n"], merged["M2"]
    if skipna:  # as np.nanvar: NaN where the degrees of freedom are not positive
        dof = n - ddof
        with np.errstate(divide="ignore", invalid="ignore"):
            result = m2 / dof
        bad = dof <= 0
        if np.any(bad):
            warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=2)
            result = np.where(bad, np.nan, result)
    else:  # as np.var: divide by max(n - ddof, 0)
        if np.any(ddof >= n):
            warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        dof = np.maximum(n - ddof, 0)
        result = m2 / dof if m2.ndim else m2[()] / dof[()]  # NumPy's scalar warnings
    return as_result(np.sqrt(result) if root else result, dtype)


def _moments(
    name: str,
    a: Any,
    axis: Any,
    dtype: Any,
    keepdims: bool,
    ddof: Any,
    split_every: Any,
    out: Any,
) -> Array:
    x, axes = prepare(a, axis, name, out)
    skipna = name.startswith("nan") and x.dtype.kind in "fc"
    result = _moment_dtype(x, axes, keepdims, name, dtype)
    acc = _accumulator(x.dtype, dtype)
    return reduce_steps(
        x,
        axes,
        partial(_moment_chunk, dtype=acc, skipna=skipna),
        _moment_combine,
        partial(_moment_result, ddof=ddof, dtype=result, root="std" in name, skipna=skipna),
        keepdims=keepdims,
        dtype=result,
        split_every=split_every,
        name=name,
    )


def var(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    ddof: Any = 0,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Variance over ``axis``: ``sum(|x - mean|**2) / (n - ddof)`` (:func:`numpy.var`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.
    ddof : int
        Delta degrees of freedom.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(4, chunks=3).var().compute()
    np.float64(1.25)
    """
    return _moments("var", a, axis, dtype, keepdims, ddof, split_every, out)


def std(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    ddof: Any = 0,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Standard deviation over ``axis``: the square root of :func:`var` (:func:`numpy.std`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.
    ddof : int
        Delta degrees of freedom.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(4, chunks=3).std(ddof=1).compute()
    np.float64(1.2909944487358056)
    """
    return _moments("std", a, axis, dtype, keepdims, ddof, split_every, out)


def nanvar(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    ddof: Any = 0,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Variance over ``axis`` ignoring NaNs (:func:`numpy.nanvar`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.
    ddof : int
        Delta degrees of freedom.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanvar(da.from_array(np.array([1.0, np.nan, 3.0]), chunks=2)).compute()
    np.float64(1.0)
    """
    return _moments("nanvar", a, axis, dtype, keepdims, ddof, split_every, out)


def nanstd(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    keepdims: bool = False,
    ddof: Any = 0,
    split_every: Any = None,
    out: Any = None,
) -> Array:
    """Standard deviation over ``axis`` ignoring NaNs (:func:`numpy.nanstd`).

    Parameters
    ----------
    a, axis, dtype, keepdims, split_every, out
        See :mod:`tessera.array.reductions`.
    ddof : int
        Delta degrees of freedom.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.nanstd(da.from_array(np.array([1.0, np.nan, 3.0]), chunks=2)).compute()
    np.float64(1.0)
    """
    return _moments("nanstd", a, axis, dtype, keepdims, ddof, split_every, out)
