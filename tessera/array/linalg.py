"""Linear algebra on tessera arrays: ``tensordot``, ``dot``, ``matmul``, ``outer``, ``vdot``.

Map
---
- :func:`tensordot` -- the contraction everything else here is written with (``dot``,
  ``vdot``); :func:`matmul` shares its engine, :func:`contract`.
- :func:`~tessera.array.contract.contract` (in its own module) -- the engine.
- :func:`dot`, :func:`matmul` (also ``x @ y``, ``np.matmul(x, y)``, ``Array.dot``),
  :func:`outer`, :func:`vdot`.
- ``da.linalg.norm`` (:mod:`~tessera.array.linalg_norm`), ``qr``, ``svd``, ``tsqr``
  (:mod:`~tessera.array.linalg_tsqr`), ``solve``, ``inv``, ``lstsq``, ``cholesky``
  (:mod:`~tessera.array.linalg_solve`): imported here, not in ``__all__`` (so not
  ``da.qr``), as in Dask.

Policy: NumPy's semantics (shapes, broadcasting of ``matmul``'s leading axes, 1-d
operands, result dtype) and NumPy's error types and wording for mismatched shapes.
When a contracted axis is split into at most ``split_every`` blocks (4 by default), each
output block is one task that sums the block products in place.  With more blocks, each
pair of blocks is multiplied in its own task and the products are added in a tree of
fan-in ``split_every``, so no task holds more than ``2 * split_every`` blocks and memory
stays bounded however long the contracted axis is.  Chunks of contracted axes are unified
first (both operands are rechunked to common block boundaries if they differ); contracted
axes of unknown chunk sizes (``m.T @ m`` after ``m = x[mask]``) must have the same chunk
pattern, and are then assumed equal (as in Dask).

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(6.0).reshape(2, 3), chunks=(1, 2))
>>> (x @ x.compute().T).compute()
array([[ 5., 14.],
       [14., 50.]])
>>> da.tensordot(x, np.ones(3), axes=1).compute()
array([ 3., 12.])
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from tessera.array import elementwise
from tessera.array.blockwise import blockwise, lengths_match
from tessera.array.contract import contract
from tessera.array.core import Array
from tessera.array.linalg_norm import norm  # noqa: F401 - da.linalg.norm
from tessera.array.linalg_solve import cholesky, inv, lstsq, solve  # noqa: F401
from tessera.array.linalg_tsqr import qr, svd, tsqr  # noqa: F401
from tessera.hashing import tokenize

__all__ = ["dot", "matmul", "outer", "tensordot", "vdot"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _as_array(x: Any) -> Array:
    from tessera.array.creation import asarray

    return x if isinstance(x, Array) else asarray(x)


def _shape_str(shape: Sequence[int]) -> str:
    """A shape as NumPy prints it in error messages: ``(2,3)``, ``(5,)``."""
    inner = ",".join(str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _probe(x: Array) -> np.ndarray:
    return np.zeros((1,) * x.ndim, dtype=x.dtype)


# -- public functions --------------------------------------------------------------------


def _normalize_axes(axes: Any, a: Array, b: Array) -> tuple[list[int], list[int]]:
    from numpy.exceptions import AxisError

    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        axes_a, axes_b = list(range(-n, 0)), list(range(n))
    else:
        try:
            axes_a, axes_b = axes
        except (TypeError, ValueError):
            raise ValueError(
                f"axes must be an int or a pair of axis sequences, got {axes!r}"
            ) from None
        axes_a = [int(axes_a)] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
        axes_b = [int(axes_b)] if isinstance(axes_b, (int, np.integer)) else list(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError(
            f"shape-mismatch for sum: {len(axes_a)} axes of a ({axes_a}) are contracted with "
            f"{len(axes_b)} axes of b ({axes_b}); give the same number of axes for both"
        )
    out = []
    for which, x, ax in (("a", a, axes_a), ("b", b, axes_b)):
        checked = []
        for i in ax:
            if not -x.ndim <= int(i) < x.ndim:
                raise AxisError(
                    f"tensordot: axis {i} is out of bounds for {which}, an array of "
                    f"dimension {x.ndim} (shape {x.shape})"
                )
            checked.append(int(i) % x.ndim)
        if len(set(checked)) != len(checked):
            raise ValueError(f"duplicate axes are not allowed in tensordot: {ax} for {which}")
        out.append(checked)
    return out[0], out[1]


def tensordot(a: Any, b: Any, axes: Any = 2, *, split_every: int | None = None) -> Array:
    """Sum products over the given axes, like :func:`numpy.tensordot`.

    Parameters
    ----------
    a, b : array-like
        Tessera arrays, or anything :func:`~tessera.array.asarray` takes.
    axes : int or (sequence, sequence)
        ``N``: the last ``N`` axes of ``a`` with the first ``N`` of ``b``; or the axes
        of ``a`` and of ``b`` to contract, pairwise.
    split_every : int, optional
        Most contracted blocks summed in one task; see the module docstring.

    Returns
    -------
    Array
        The free axes of ``a`` followed by the free axes of ``b``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = np.arange(24.0).reshape(2, 3, 4)
    >>> t = da.tensordot(da.from_array(x, chunks=2), np.ones((4, 3)), axes=([1, 2], [1, 0]))
    >>> t.compute()
    array([ 66., 210.])
    >>> da.tensordot(np.ones((2, 3)), np.ones((4, 5)), axes=1)
    Traceback (most recent call last):
    ...
    ValueError: shape-mismatch for sum: axis 1 of a (length 3) and axis 0 of b (length 4) ...
    """
    a, b = _as_array(a), _as_array(b)
    axes_a, axes_b = _normalize_axes(axes, a, b)
    for i, j in zip(axes_a, axes_b, strict=True):
        if not lengths_match(a.chunks[i], b.chunks[j], "tensordot"):
            raise ValueError(
                f"shape-mismatch for sum: axis {i} of a (length {a.shape[i]}) and axis {j} "
                f"of b (length {b.shape[j]}) are contracted together but differ (shapes "
                f"{a.shape} and {b.shape}); contract axes of equal length"
            )
    if a.ndim + b.ndim - len(axes_a) > len(_LETTERS):
        raise ValueError(f"tensordot supports at most {len(_LETTERS)} axes in all")
    a_ind = _LETTERS[: a.ndim]
    spare = iter(_LETTERS[a.ndim :])
    b_ind = "".join(
        a_ind[axes_a[axes_b.index(j)]] if j in axes_b else next(spare) for j in range(b.ndim)
    )
    out_ind = "".join(a_ind[i] for i in range(a.ndim) if i not in axes_a) + "".join(
        b_ind[j] for j in range(b.ndim) if j not in axes_b
    )
    pair = (tuple(axes_a), tuple(axes_b))
    dtype = np.tensordot(_probe(a), _probe(b), axes=pair).dtype
    name = f"tensordot-{tokenize(a, b, pair, split_every)}"
    return contract(
        partial(np.tensordot, axes=pair),
        a,
        a_ind,
        b,
        b_ind,
        out_ind,
        dtype=dtype,
        name=name,
        split_every=split_every,
    )


def dot(a: Any, b: Any) -> Any:
    """Dot product of two arrays, like :func:`numpy.dot`.

    0-d operands multiply; otherwise the last axis of ``a`` is summed against the only
    axis of a 1-d ``b`` or the second-to-last axis of ``b``.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(6).reshape(2, 3), chunks=1)
    >>> da.dot(x, np.arange(3)).compute()
    array([ 5, 14])
    >>> x.dot(np.ones((4, 5)))
    Traceback (most recent call last):
    ...
    ValueError: shapes (2,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)
    """
    a, b = _as_array(a), _as_array(b)
    if a.ndim == 0 or b.ndim == 0:
        return elementwise.elemwise(np.multiply, a, b)
    jb = 0 if b.ndim == 1 else b.ndim - 2
    if not lengths_match(a.chunks[-1], b.chunks[jb], "dot"):
        raise ValueError(
            f"shapes {_shape_str(a.shape)} and {_shape_str(b.shape)} not aligned: "
            f"{a.shape[-1]} (dim {a.ndim - 1}) != {b.shape[jb]} (dim {jb})"
        )
    return tensordot(a, b, axes=([a.ndim - 1], [jb]))


_SIGNATURE = "(n?,k),(k,m?)->(n?,m?)"


def matmul(a: Any, b: Any, *, split_every: int | None = None) -> Array:
    """Matrix product, like :func:`numpy.matmul` (and ``a @ b``).

    Leading axes broadcast; a 1-d ``a`` acts as a row and a 1-d ``b`` as a column,
    and that axis is removed from the result.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x = da.from_array(np.arange(12.0).reshape(3, 2, 2), chunks=1)
    >>> (x @ np.eye(2)).shape
    (3, 2, 2)
    >>> da.matmul(np.ones(2), x).compute()
    array([[ 2.,  4.],
           [10., 12.],
           [18., 20.]])
    >>> da.matmul(x, np.ones(3))
    Traceback (most recent call last):
    ...
    ValueError: matmul: Input operand 1 has a mismatch in its core dimension 0, ... (size 3 ...
    """
    a, b = _as_array(a), _as_array(b)
    for i, x in enumerate((a, b)):
        if x.ndim == 0:
            raise ValueError(
                f"matmul: Input operand {i} does not have enough dimensions (has 0, gufunc "
                f"core with signature {_SIGNATURE} requires 1); use * to multiply by a scalar"
            )
    ka, kb = a.shape[-1], b.shape[0 if b.ndim == 1 else -2]
    if not lengths_match(a.chunks[-1], b.chunks[0 if b.ndim == 1 else -2], "matmul"):
        raise ValueError(
            f"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature {_SIGNATURE} (size {kb} is different from {ka}); shapes "
            f"{a.shape} and {b.shape}"
        )
    a_batch, b_batch = a.shape[:-2], b.shape[:-2]
    try:
        batch = np.broadcast_shapes(a_batch, b_batch)
    except ValueError:
        raise ValueError(
            f"matmul: operands could not be broadcast together: leading shapes {a_batch} and "
            f"{b_batch} (of shapes {a.shape} and {b.shape}) do not broadcast"
        ) from None
    letters = _LETTERS[: len(batch)]
    a_ind = letters[len(batch) - len(a_batch) :] + ("n" * (a.ndim > 1)) + "k"
    b_ind = letters[len(batch) - len(b_batch) :] + "k" + ("m" * (b.ndim > 1))
    out_ind = letters + ("n" * (a.ndim > 1)) + ("m" * (b.ndim > 1))
    dtype = np.matmul(_probe(a), _probe(b)).dtype
    name = f"matmul-{tokenize(a, b, split_every)}"
    return contract(
        np.matmul, a, a_ind, b, b_ind, out_ind, dtype=dtype, name=name, split_every=split_every
    )


def _ravel(x: Array) -> Array:
    if x.ndim == 1:
        return x
    if x.ndim == 0:
        return blockwise(np.atleast_1d, "i", x, "", dtype=x.dtype, new_axes={"i": 1})
    ravel = getattr(x, "ravel", None)
    if ravel is None:
        raise NotImplementedError(
            "flattening an array with more than one axis needs Array.ravel "
            "(tessera.array.routines); pass 1-d arrays"
        )
    return ravel()


def outer(a: Any, b: Any) -> Array:
    """Outer product of the flattened arrays, like :func:`numpy.outer`.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.outer(da.arange(3, chunks=2), [1, 10]).compute()
    array([[ 0,  0],
           [ 1, 10],
           [ 2, 20]])
    """
    a, b = _ravel(_as_array(a)), _ravel(_as_array(b))
    dtype = np.outer(_probe(a), _probe(b)).dtype
    return blockwise(np.outer, "ij", a, "i", b, "j", dtype=dtype)


def vdot(a: Any, b: Any) -> Array:
    """``sum(conj(a) * b)`` over the flattened arrays, like :func:`numpy.vdot`.

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> da.vdot(da.from_array(np.array([1 + 2j, 3 - 1j]), chunks=1), np.array([1j, 2])).compute()
    array(8.+3.j)
    """
    a, b = _as_array(a), _as_array(b)
    one_d = a.ndim == b.ndim == 1
    if not lengths_match(a.chunks[0], b.chunks[0], "vdot") if one_d else a.size != b.size:
        raise ValueError(
            f"vdot: the arrays have different sizes ({a.size} and {b.size}, shapes "
            f"{a.shape} and {b.shape}); vdot needs the same number of elements"
        )
    if a.dtype.kind == "c":
        a = elementwise.elemwise(np.conjugate, a)
    if a.shape != b.shape:
        a, b = _ravel(a), _ravel(b)
    return tensordot(a, b, axes=a.ndim)


# -- methods and operators on Array -------------------------------------------------------

_OPERANDS = (Array, np.ndarray, np.generic, list, tuple, int, float, complex, bool)


def _matmul_method(self: Array, other: Any) -> Any:
    return matmul(self, other) if isinstance(other, _OPERANDS) else NotImplemented


def _rmatmul_method(self: Array, other: Any) -> Any:
    return matmul(other, self) if isinstance(other, _OPERANDS) else NotImplemented


def _install() -> None:
    """Attach ``@`` and ``Array.dot`` to :class:`Array`."""
    for name, method in [
        ("__matmul__", _matmul_method),
        ("__rmatmul__", _rmatmul_method),
        ("dot", dot),
    ]:
        setattr(Array, name, method)


_install()
