"""Small dense solvers: ``da.linalg.solve``, ``inv``, ``lstsq``, ``cholesky``.

Map
---
- :func:`one_block` -- the policy: the matrix is joined into one task's value (one
  block); above :data:`LARGE` bytes a :class:`PerformanceWarning` says so
  (:func:`warn_large`, also used by the spectral norms), since one worker then holds it.
- :func:`solve`, :func:`inv`, :func:`cholesky` -- one NumPy call in one task; the result
  is rechunked like the right-hand side (``solve``) or the input (``inv``,
  ``cholesky``).
- :func:`lstsq` -- ``np.linalg.lstsq`` in one task; for a tall-and-skinny ``a``
  (several blocks of rows, one of columns) by TSQR instead: ``x = pinv(R) @ (Q.H @ b)``
  with NumPy's rank cut-off, then the residuals from ``a @ x - b``.  ``residuals``
  has unknown (``nan``) length, as its size depends on the rank (NumPy's rule).

Policy: NumPy's results and errors (``LinAlgError`` for a non-square or singular matrix,
raised when computing for singularity).  For tall-and-skinny least squares or
factorizations see :mod:`~tessera.array.linalg_tsqr`.  ``cholesky`` follows Dask's
signature: the upper factor by default, ``lower=True`` for NumPy's.

>>> import numpy as np, tessera.array as da
>>> from tessera.array.linalg_solve import inv, solve
>>> a = da.from_array(np.array([[3.0, 1.0], [1.0, 2.0]]), chunks=1)
>>> solve(a, da.from_array(np.array([9.0, 8.0]))).compute()
array([2., 3.])
>>> (inv(a) @ a).compute()
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from tessera.array.core import Array
from tessera.array.masking import check_known
from tessera.array.rechunk import rechunk
from tessera.array.routines_common import as_array, gather, item_task, single
from tessera.hashing import tokenize

__all__ = [
    "LARGE",
    "PerformanceWarning",
    "cholesky",
    "inv",
    "lstsq",
    "one_block",
    "solve",
    "warn_large",
]

LARGE = 256 * 2**20
"""Bytes above which joining a matrix into one block warns."""


class PerformanceWarning(UserWarning):
    """An operation will be slow or hold much memory in one task."""


def one_block(x: Array, what: str) -> Any:
    """A task joining ``x`` into one NumPy array, warning if it is larger than ``LARGE``.

    Examples
    --------
    >>> import tessera.array as da
    >>> one_block(da.ones((2, 2), chunks=1), "solve")[2]
    2
    """
    check_known(x, what)
    warn_large(x.nbytes, what, stacklevel=3)
    return gather(x)


def warn_large(nbytes: float, what: str, stacklevel: int = 3) -> None:
    """Warn (:class:`PerformanceWarning`) if one block of ``nbytes`` is above ``LARGE``.

    ``stacklevel`` is :func:`warnings.warn`'s, counted from the function calling this one.

    >>> warn_large(10, "solve")
    """
    if nbytes > LARGE:
        warnings.warn(
            f"{what} joins {nbytes / 2**20:.0f} MiB into one block held by one worker; for "
            "tall-and-skinny matrices use tessera.array.linalg_tsqr (qr, svd)",
            PerformanceWarning,
            stacklevel=stacklevel + 1,
        )


def _square(x: Array, what: str) -> None:
    if x.ndim != 2:
        raise np.linalg.LinAlgError(
            f"{x.ndim}-dimensional array given. {what} needs a 2-d array (stacks of "
            "matrices are not supported)"
        )
    if x.shape[0] != x.shape[1]:
        raise np.linalg.LinAlgError(
            f"Last 2 dimensions of the array must be square, got shape {x.shape}"
        )


def solve(a: Any, b: Any) -> Array:
    """Solve ``a @ x = b`` for a square ``a`` (:func:`numpy.linalg.solve`).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> solve(da.eye(2) * 2, da.ones((2, 3))).compute()
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]])
    >>> solve(da.ones((2, 3)), da.ones(2))
    Traceback (most recent call last):
    ...
    numpy.linalg.LinAlgError: Last 2 dimensions of the array must be square, got shape (2, 3)
    """
    x, y = as_array(a), as_array(b)
    _square(x, "solve")
    if y.ndim not in (1, 2) or y.shape[0] != x.shape[0]:
        raise ValueError(
            f"solve: b must have shape ({x.shape[0]},) or ({x.shape[0]}, k) to match a of "
            f"shape {x.shape}, got {y.shape}"
        )
    dtype = np.linalg.solve(np.eye(1, dtype=x.dtype), np.ones(1, dtype=y.dtype)).dtype
    name = f"solve-{tokenize(x, y)}"
    task = (np.linalg.solve, one_block(x, "solve"), one_block(y, "solve"))
    return rechunk(single(name, {}, task, y.shape, dtype, [x, y]), y.chunks)


def inv(a: Any) -> Array:
    """The inverse of a square matrix (:func:`numpy.linalg.inv`).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> inv(da.from_array(np.diag([2.0, 4.0]), chunks=1)).compute()
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    x = as_array(a)
    _square(x, "inv")
    dtype = np.linalg.inv(np.eye(1, dtype=x.dtype)).dtype
    name = f"inv-{tokenize(x)}"
    task = (np.linalg.inv, one_block(x, "inv"))
    return rechunk(single(name, {}, task, x.shape, dtype, [x]), x.chunks)


def _cholesky(a: np.ndarray, lower: bool) -> np.ndarray:
    low = np.linalg.cholesky(a)
    return low if lower else low.conj().T


def cholesky(a: Any, lower: bool = False) -> Array:
    """Cholesky factor of a Hermitian positive-definite matrix (Dask's signature).

    Parameters
    ----------
    a : 2-d square array-like
    lower : bool
        Return ``L`` with ``a = L @ L.H`` (NumPy's default); by default, as in Dask,
        the upper factor ``U`` with ``a = U.H @ U``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> a = da.from_array(np.array([[4.0, 2.0], [2.0, 5.0]]), chunks=1)
    >>> cholesky(a).compute()
    array([[2., 1.],
           [0., 2.]])
    >>> cholesky(a, lower=True).compute()
    array([[2., 0.],
           [1., 2.]])
    """
    x = as_array(a)
    _square(x, "cholesky")
    dtype = np.linalg.cholesky(np.eye(1, dtype=x.dtype)).dtype
    name = f"cholesky-{tokenize(x, lower)}"
    task = (_cholesky, one_block(x, "cholesky"), lower)
    return rechunk(single(name, {}, task, x.shape, dtype, [x]), x.chunks)


def lstsq(a: Any, b: Any, rcond: Any = None) -> tuple[Array, Array, Array, Array]:
    """Least-squares solution of ``a @ x = b`` (:func:`numpy.linalg.lstsq`).

    Returns
    -------
    x : Array
        ``(n,)`` or ``(n, k)``.
    residuals : Array
        Squared residual norms: ``(k,)`` or ``(1,)`` if ``a`` has full column rank and
        ``m > n``, else empty -- unknown (``nan``) length until computed.
    rank : Array
        0-d, the rank of ``a``.
    s : Array
        ``(min(m, n),)`` singular values of ``a``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> a = da.from_array(np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]), chunks=2)
    >>> x, res, rank, s = lstsq(a, da.from_array(np.array([1.0, 2.0, 4.0])))
    >>> np.round(x.compute(), 4), np.round(res.compute(), 4), int(rank.compute())
    (array([0.8333, 1.5   ]), array([0.1667]), 2)
    """
    x, y = as_array(a), as_array(b)
    if x.ndim != 2:
        raise np.linalg.LinAlgError(
            f"{x.ndim}-dimensional array given. Array must be two-dimensional"
        )
    if y.ndim not in (1, 2) or y.shape[0] != x.shape[0]:
        raise np.linalg.LinAlgError("Incompatible dimensions")
    m, n = (int(s) for s in x.shape)
    probe = np.linalg.lstsq(np.eye(1, dtype=x.dtype), np.ones(1, dtype=y.dtype), rcond=rcond)
    dtypes = [np.asarray(p).dtype for p in probe]
    name = f"lstsq-{tokenize(x, y, rcond)}"
    sol_shape = (n,) if y.ndim == 1 else (n, int(y.shape[1]))
    if x.numblocks[0] > 1 and x.numblocks[1] == 1 and m >= n:
        return _lstsq_tall(name, x, y, rcond, sol_shape, dtypes)
    whole = (f"{name}-all",)
    layer = {whole: (np.linalg.lstsq, one_block(x, "lstsq"), one_block(y, "lstsq"), rcond)}
    shapes: list[tuple[float, ...]] = [sol_shape, (np.nan,), (), (min(m, n),)]
    parts = [
        single(f"{name}-{i}", layer, item_task(whole, i), shape, dt, [x, y])
        for i, (shape, dt) in enumerate(zip(shapes, dtypes, strict=True))
    ]
    return parts[0], parts[1], parts[2], parts[3]


def _small_lstsq(r: np.ndarray, qtb: np.ndarray, m: int, rcond: Any) -> tuple[Any, Any, Any]:
    """``(x, rank, s)`` of ``min |r x - qtb|`` by SVD, with NumPy's rank cut-off."""
    u, s, vh = np.linalg.svd(r, full_matrices=False)
    cut = np.finfo(s.dtype).eps * max(m, r.shape[1]) if rcond is None else rcond
    keep = s > cut * (s.max() if s.size else 0)
    inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0)
    coef = u.conj().T @ qtb
    coef = inv_s * coef if coef.ndim == 1 else inv_s[:, None] * coef
    return vh.conj().T @ coef, int(keep.sum()), s


def _pick_residuals(res: np.ndarray, rank: int, m: int, n: int) -> np.ndarray:
    res = np.atleast_1d(res)
    return res if rank == n and m > n else res[:0]


def _lstsq_tall(
    name: str, x: Array, y: Array, rcond: Any, sol_shape: tuple[int, ...], dtypes: list[Any]
) -> tuple[Array, Array, Array, Array]:
    """Least squares through TSQR: ``x = pinv(R) @ (Q.H @ b)``, no big block anywhere."""
    from tessera.array import reductions as red
    from tessera.array.linalg_tsqr import tsqr

    m, n = (int(s) for s in x.shape)
    q, r = tsqr(x)
    qtb: Any = q.conj().T @ y  # type: ignore[attr-defined]
    small = (f"{name}-small",)
    layer = {small: (_small_lstsq, (r.name, 0, 0), gather(qtb), m, rcond)}
    sol = single(
        f"{name}-0",
        layer,
        (np.asarray, item_task(small, 0), dtypes[0]),
        sol_shape,
        dtypes[0],
        [r, qtb],
    )
    rank = single(
        f"{name}-2", layer, (np.asarray, item_task(small, 1), dtypes[2]), (), dtypes[2], [sol]
    )
    s = single(f"{name}-3", layer, item_task(small, 2), (n,), dtypes[3], [sol])
    err: Any = x @ sol - y  # type: ignore[operator]
    total = red.sum(np.real(err.conj() * err), axis=0)
    task = (_pick_residuals, gather(total), (rank.name,), m, n)
    res = single(f"{name}-1", {}, task, (np.nan,), dtypes[1], [total, rank])
    return sol, res, rank, s
