"""QR and SVD of tall-and-skinny arrays by TSQR (``da.linalg.qr``, ``da.linalg.svd``).

Map
---
- :func:`tsqr` -- the engine.  For an ``(m, n)`` array chunked along its rows only:
  ``q_i, r_i = qr(block_i)`` in one task per block; one task stacks the ``r_i`` and
  factors them again, ``q2, r = qr(vstack(r_i))``; block ``i`` of ``Q`` is
  ``q_i @ q2_i`` (``q2_i``: the rows of ``q2`` that came from ``r_i``).  ``R`` is one
  small ``(k, n)`` block, ``k = min(m, n)``.
- :func:`qr` -- ``Q, R`` (NumPy's ``mode="reduced"``).
- :func:`svd` -- ``u_r, s, vh = svd(R)`` in one task, then ``U = Q @ u_r`` block by
  block.  A short-and-fat array (one block of rows) is handled through its transpose;
  a one-block array directly.

Policy: only the small ``(nblocks * n, n)`` stack of ``R`` factors lives in one task, so
``n`` must be small (tall-and-skinny) while ``m`` may be large.  Arrays chunked along
both axes raise ``ValueError`` (rechunk to one block of columns first), as in Dask.
Factors are unique only up to signs; ``Q @ R`` and ``U * s @ Vh`` equal the input.

>>> import numpy as np, tessera.array as da
>>> from tessera.array.linalg_tsqr import qr, svd
>>> a = np.arange(24.0).reshape(8, 3) ** 2
>>> x = da.from_array(a, chunks=(3, 3))
>>> q, r = qr(x)
>>> q.chunks, r.chunks
(((3, 3, 2), (3,)), ((3,), (3,)))
>>> np.allclose((q @ r).compute(), a)
True
>>> u, s, vh = svd(x)
>>> np.allclose(s.compute(), np.linalg.svd(a, compute_uv=False))
True
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.masking import check_known
from tessera.array.routines_common import as_array, item_task
from tessera.hashing import tokenize

__all__ = ["qr", "svd", "tsqr"]


def _check_2d(x: Array, what: str) -> None:
    if x.ndim != 2:
        raise ValueError(f"{what} needs a 2-d array, got {x.ndim} dimensions")
    check_known(x, what)


def _stack_and_factor(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[Any], Any]:
    rs = [r for _, r in parts]
    q2, r = np.linalg.qr(np.concatenate(rs, axis=0))
    edges = np.cumsum([0] + [r_i.shape[0] for r_i in rs])
    return [q2[lo:hi] for lo, hi in pairwise(edges)], r


def _q_block(part: tuple[np.ndarray, np.ndarray], q2: list[np.ndarray], i: int) -> Any:
    return part[0] @ q2[i]


def tsqr(x: Array) -> tuple[Array, Array]:
    """``Q, R`` of a 2-d array chunked along rows only (see the module docstring).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> q, r = tsqr(da.from_array(np.eye(4)[:, :2], chunks=(1, 2)))
    >>> np.abs(r.compute())
    array([[1., 0.],
           [0., 1.]])
    """
    _check_2d(x, "qr")
    if x.numblocks[1] != 1:
        raise ValueError(
            "qr/svd of a tall-and-skinny array needs one block of columns, but the chunks "
            f"are {x.chunks}. Rechunk first: x.rechunk({{1: -1}})"
        )
    m, n = (int(s) for s in x.shape)
    k = min(m, n)
    dtype = np.linalg.qr(np.ones((1, 1), dtype=x.dtype))[0].dtype
    name = f"tsqr-{tokenize(x)}"
    rows = range(x.numblocks[0])
    layer: dict[Any, Any] = {(f"{name}-qr", i): (np.linalg.qr, (x.name, i, 0)) for i in rows}
    stack_key = (f"{name}-stack",)
    layer[stack_key] = (_stack_and_factor, [(f"{name}-qr", i) for i in rows])
    q2_key = (f"{name}-q2",)
    layer[q2_key] = item_task(stack_key, 0)
    for i in rows:
        layer[(f"{name}-q", i, 0)] = (_q_block, (f"{name}-qr", i), q2_key, i)
    q = new_array(f"{name}-q", layer, (x.chunks[0], (k,)), dtype, inputs=[x])
    r_layer = {(f"{name}-r", 0, 0): item_task(stack_key, 1)}
    r = new_array(f"{name}-r", r_layer, ((k,), (n,)), dtype, inputs=[q])
    return q, r


def qr(a: Any) -> tuple[Array, Array]:
    """QR factorization ``a = Q @ R`` of a tall-and-skinny array (``np.linalg.qr``, reduced).

    Parameters
    ----------
    a : 2-d array-like
        Chunked along its rows only (one block of columns).

    Returns
    -------
    q : Array
        ``(m, k)`` with orthonormal columns, chunked like ``a``'s rows.
    r : Array
        ``(k, n)`` upper triangular, one block.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> q, r = qr(da.ones((6, 2), chunks=(2, 2)))
    >>> np.allclose((q.T @ q).compute(), np.eye(2))
    True
    >>> qr(da.ones((6, 4), chunks=2))
    Traceback (most recent call last):
    ...
    ValueError: qr/svd of a tall-and-skinny array needs one block of columns, ...
    """
    return tsqr(as_array(a))


def _svd_small(r: np.ndarray) -> tuple[Any, Any, Any]:
    return np.linalg.svd(r, full_matrices=False)


def _svd_tall(x: Array) -> tuple[Array, Array, Array]:
    q, r = tsqr(x)
    k, n = r.shape
    name = f"svd-{tokenize(q, r)}"
    small = (f"{name}-small",)
    layer: dict[Any, Any] = {small: (_svd_small, (r.name, 0, 0))}
    for i in range(q.numblocks[0]):
        layer[(f"{name}-u", i, 0)] = (_matmul_first, (q.name, i, 0), small)
    u = new_array(f"{name}-u", layer, q.chunks, q.dtype, inputs=[q, r])
    s_dtype = np.linalg.svd(np.ones((1, 1), q.dtype), compute_uv=False).dtype
    s = new_array(f"{name}-s", {(f"{name}-s", 0): item_task(small, 1)}, ((k,),), s_dtype, [u])
    vh_layer = {(f"{name}-vh", 0, 0): item_task(small, 2)}
    vh = new_array(f"{name}-vh", vh_layer, ((k,), (n,)), q.dtype, inputs=[u])
    return u, s, vh


def _matmul_first(qi: np.ndarray, factors: tuple[Any, Any, Any]) -> Any:
    return qi @ factors[0]


def svd(a: Any) -> tuple[Array, Array, Array]:
    """Singular value decomposition ``a = u * s @ vh`` (``np.linalg.svd``, not full).

    ``a`` must be chunked along one axis only: tall-and-skinny (one block of columns)
    or short-and-fat (one block of rows, computed on the transpose).

    Returns
    -------
    u : Array
        ``(m, k)``, chunked like ``a``'s rows.
    s : Array
        ``(k,)`` singular values, descending.
    vh : Array
        ``(k, n)``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> a = np.array([[3.0, 1.0, 1.0], [-1.0, 3.0, 1.0]])
    >>> u, s, vh = svd(da.from_array(a, chunks=(2, 1)))
    >>> np.round(s.compute() ** 2, 6)
    array([12., 10.])
    >>> svd(da.ones((4, 4), chunks=2))
    Traceback (most recent call last):
    ...
    ValueError: svd needs an array chunked along one axis only, got chunks ((2, 2), (2, 2))....
    """
    x = as_array(a)
    _check_2d(x, "svd")
    if x.numblocks[1] == 1:
        return _svd_tall(x)
    if x.numblocks[0] == 1:
        u, s, vh = _svd_tall(x.T)  # type: ignore[attr-defined]
        return vh.T, s, u.T  # type: ignore[attr-defined]
    raise ValueError(
        f"svd needs an array chunked along one axis only, got chunks {x.chunks}. Rechunk "
        "first, e.g. x.rechunk({1: -1}) for a tall-and-skinny array."
    )
