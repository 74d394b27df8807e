"""Element-wise operations: operators, ufuncs, ``where``, ``astype``, ``map_blocks``.

Map
---
- :func:`elemwise` -- ``op(*args)`` element by element with NumPy broadcasting: the one
  call under every operator and ufunc (it builds a :func:`~tessera.array.blockwise.blockwise`).
- :func:`wrap_ufunc` -- a lazy version of a NumPy ufunc (``da.sin``, ``da.add``...).
- :func:`array_ufunc` -- ``Array.__array_ufunc__``: ``np.sin(x)`` stays lazy.
- :func:`map_blocks` -- a function applied to every block (``dtype``, ``chunks``,
  ``drop_axis``, ``new_axis``, ``block_id`` / ``block_info``).
- :func:`astype`, :func:`where`.

Arguments may be tessera arrays, NumPy arrays and scalars; NumPy's broadcasting
and type promotion rules apply (the output dtype comes from running ``op`` on one-element
arrays of the input dtypes, so NumPy's own errors come out early).  ``op`` must work
element by element: its tasks are marked :class:`~tessera.array.pieces.Elementwise`, so
a reduction may run them on slabs of a block (see :mod:`~tessera.array.fusion`).

>>> import numpy as np, tessera.array as da
>>> x = da.arange(6, chunks=4)
>>> (x * 2 + np.ones(6)).compute()
array([ 1.,  3.,  5.,  7.,  9., 11.])
>>> np.sin(x).dtype
dtype('float64')
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise
from tessera.array.core import Array
from tessera.array.pieces import Elementwise

__all__ = ["array_ufunc", "astype", "elemwise", "map_blocks", "where", "wrap_ufunc"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _probe(x: Any) -> Any:
    """A one-element stand-in for ``x`` with its dtype, used to infer result dtypes."""
    if isinstance(x, Array):
        return np.ones((1,) * x.ndim, dtype=x.dtype)
    if isinstance(x, np.ndarray):
        return np.ones((1,) * x.ndim, dtype=x.dtype)
    return x


def infer_dtype(op: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """The dtype of ``op(*args)`` computed on one-element stand-ins."""
    with np.errstate(all="ignore"):
        out = op(*[_probe(a) for a in args], **kwargs)
    return getattr(out, "dtype", np.asarray(out).dtype)


def _broadcast_shape(args: Sequence[Any]) -> tuple[Any, ...]:
    """NumPy's broadcast shape of the array arguments; ``nan`` (unknown) stays unknown."""
    shapes = [tuple(a.shape) for a in args if isinstance(a, (Array, np.ndarray))]
    ndim = max((len(s) for s in shapes), default=0)
    out: list[Any] = []
    for k in range(ndim):
        dims = [s[k - ndim + len(s)] for s in shapes if k - ndim + len(s) >= 0]
        known = {d for d in dims if d == d and d != 1}
        if len(known) > 1:
            raise ValueError(
                "operands could not be broadcast together with shapes "
                + " ".join(str(s) for s in shapes)
            )
        unknown = any(d != d for d in dims)
        out.append(math.nan if unknown else (known.pop() if known else 1))
    return tuple(out)


def elemwise(op: Callable[..., Any], *args: Any, dtype: Any = None, **kwargs: Any) -> Array:
    """Apply ``op`` element by element to arrays and scalars, with broadcasting.

    Examples
    --------
    >>> import tessera.array as da
    >>> elemwise(np.maximum, da.arange(4, chunks=2), 2).compute()
    array([2, 2, 2, 3])
    """
    from tessera.array.creation import from_array

    out_shape = _broadcast_shape(args)
    ndim = len(out_shape)
    if dtype is None:
        dtype = infer_dtype(op, args, kwargs)
    pairs: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray) and a.ndim:
            a = from_array(a, chunks=a.shape)
        if isinstance(a, Array):
            pairs += [a, _LETTERS[ndim - a.ndim : ndim]]
        else:
            pairs += [a, None]
    return blockwise(Elementwise(op), _LETTERS[:ndim], *pairs, dtype=dtype, **kwargs)


def wrap_ufunc(ufunc: np.ufunc) -> Callable[..., Any]:
    """Return a function applying ``ufunc`` lazily to tessera arrays.

    >>> import tessera.array as da
    >>> wrap_ufunc(np.negative)(da.arange(3, chunks=2)).compute()
    array([ 0, -1, -2])
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, Array) for a in args):
            return elemwise(ufunc, *args, **kwargs)
        return ufunc(*args, **kwargs)

    wrapped.__name__ = ufunc.__name__
    wrapped.__doc__ = f"Lazy :func:`numpy.{ufunc.__name__}` on tessera arrays.\n\n{ufunc.__doc__}"
    return wrapped


def array_ufunc(ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``Array.__array_ufunc__``: element-wise ufunc calls stay lazy.

    ``np.matmul`` goes to :func:`tessera.array.linalg.matmul`.  ``out=``, other
    generalized ufuncs and ufunc methods other than ``__call__`` (``reduce``,
    ``outer``...) are not lazy: NumPy then raises its ``TypeError``.
    """
    if method != "__call__" or kwargs.get("out") is not None:
        return NotImplemented
    if ufunc.signature is not None:  # generalized ufuncs are not element-wise
        if ufunc is np.matmul and not kwargs:
            from tessera.array.linalg import matmul

            return matmul(*inputs)
        return NotImplemented
    return elemwise(ufunc, *inputs, **kwargs)


def astype(x: Array, dtype: Any, casting: str = "unsafe", copy: bool = True) -> Array:
    """``x`` converted to ``dtype`` (lazily).

    >>> import tessera.array as da
    >>> astype(da.arange(3, chunks=2), "f4").compute()
    array([0., 1., 2.], dtype=float32)
    """
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if not np.can_cast(x.dtype, dtype, casting=casting):  # type: ignore[arg-type]
        raise TypeError(
            f"Cannot cast array data from {x.dtype!r} to {dtype!r} according to the rule "
            f"{casting!r}"
        )
    return elemwise(partial(_astype, dtype=dtype), x, dtype=dtype)


def _astype(block: np.ndarray, dtype: Any) -> np.ndarray:
    return block.astype(dtype)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Elements of ``x`` where ``condition`` is true, else of ``y`` (``np.where``).

    With only ``condition``, returns the indices where it is true (computed).

    >>> import tessera.array as da
    >>> a = da.arange(5, chunks=2)
    >>> where(a > 2, a, -1).compute()
    array([-1, -1, -1,  3,  4])
    """
    if x is None and y is None:
        return np.nonzero(np.asarray(condition))
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    return elemwise(np.where, condition, x, y)


def map_blocks(
    func: Callable[..., Any],
    *args: Any,
    dtype: Any = None,
    chunks: Any = None,
    drop_axis: int | Sequence[int] = (),
    new_axis: int | Sequence[int] = (),
    name: str | None = None,
    **kwargs: Any,
) -> Array:
    """Apply ``func`` to every block of the arrays in ``args``.

    Parameters
    ----------
    func : callable
        Called with the blocks (and the non-array ``args``) and ``kwargs``.  If it
        accepts ``block_id``, it gets the block's index; if it accepts ``block_info``,
        a dict ``{None: {"chunk-location", "shape", "num-chunks", "array-location"}}``.
    dtype : dtype, optional
        Output dtype; default: inferred by calling ``func`` on one-element blocks.
    chunks : tuple, optional
        Output chunks (block shape, or explicit chunks) when ``func`` changes shapes.
    drop_axis, new_axis : int or sequence of int
        Axes that ``func`` removes from / adds to its output.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=3)
    >>> map_blocks(lambda b: b * 10, x).compute()
    array([ 0, 10, 20, 30, 40, 50])
    >>> map_blocks(lambda b, block_id=None: np.full(b.shape, block_id[0]), x).compute()
    array([0, 0, 0, 1, 1, 1])
    """
    import inspect

    if not callable(func):
        raise TypeError(f"map_blocks expects a function first, got {type(func).__name__}")
    arrays = [a for a in args if isinstance(a, Array)]
    if not arrays:
        raise ValueError("map_blocks needs at least one tessera array argument")
    drop = (drop_axis,) if isinstance(drop_axis, int) else tuple(drop_axis)
    new = (new_axis,) if isinstance(new_axis, int) else tuple(new_axis)
    ndim = max(a.ndim for a in arrays)
    in_ind = _LETTERS[:ndim]
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    wants_id, wants_info = "block_id" in params, "block_info" in params
    if dtype is None:
        dtype = (
            infer_dtype(func, args, kwargs)
            if not (wants_id or wants_info or drop or new)
            else arrays[0].dtype
        )
    out_ind = [c for i, c in enumerate(in_ind) if i not in [d % ndim for d in drop]]
    out_ndim = len(out_ind) + len(new)
    spare = iter(_LETTERS[ndim:])
    new_axes = {}
    for ax in sorted(a % out_ndim for a in new):
        letter = next(spare)
        out_ind.insert(ax, letter)
        new_axes[letter] = 1
    pairs: list[Any] = []
    for a in args:
        pairs += [a, in_ind[ndim - a.ndim :]] if isinstance(a, Array) else [a, None]
    target = func
    if wants_id or wants_info:
        target = partial(_with_block_id, func, wants_id, wants_info, arrays[0].chunks)
        pairs += [_BlockIndex(), None]
    out = blockwise(
        target,
        "".join(out_ind),
        *pairs,
        dtype=dtype,
        name=name,
        new_axes=new_axes,
        concatenate=True,
        **kwargs,
    )
    if wants_id or wants_info:
        out = _stamp_block_ids(out)
    if chunks is not None:
        from tessera.array.chunks import normalize_chunks

        if all(isinstance(c, int) for c in chunks) and len(chunks) == out.ndim:
            full = tuple((c,) * n for c, n in zip(chunks, out.numblocks, strict=True))
        else:
            full = tuple(tuple(c) for c in chunks)
        full = normalize_chunks(full, tuple(sum(c) for c in full))
        out = Array(out.layers, out.name, full, out.dtype)
    return out


class _BlockIndex:
    """Placeholder argument replaced by the block index when the graph is built."""


def _with_block_id(
    func: Callable[..., Any],
    wants_id: bool,
    wants_info: bool,
    chunks: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    *args_, block_id = args
    if wants_id:
        kwargs["block_id"] = block_id
    if wants_info:
        from tessera.array.chunks import chunk_bounds

        bounds = [chunk_bounds(c) for c in chunks]
        kwargs["block_info"] = {
            None: {
                "chunk-location": block_id,
                "num-chunks": tuple(len(c) for c in chunks),
                "shape": tuple(sum(c) for c in chunks),
                "array-location": [
                    (b[i], b[i + 1]) for b, i in zip(bounds, block_id, strict=False)
                ],
            }
        }
    return func(*args_, **kwargs)


def _stamp_block_ids(out: Array) -> Array:
    """Replace the :class:`_BlockIndex` placeholder in each task by the block's index."""
    layer = out.layers[out.name]
    stamped = {}
    for key, task in layer.items():
        stamped[key] = tuple(key[1:] if isinstance(a, _BlockIndex) else a for a in task)
    layers = dict(out.layers)
    layers[out.name] = stamped
    return Array(layers, out.name, out.chunks, out.dtype)


BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow, "and": operator.and_, "or": operator.or_, "xor": operator.xor,
    "lshift": operator.lshift, "rshift": operator.rshift,
}  # fmt: skip
COMPARE = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}  # fmt: skip
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": operator.abs,
    "invert": operator.invert,
}


def _unary(op: Callable[[Any], Any]) -> Callable[[Array], Array]:
    def method(self: Array) -> Array:
        return elemwise(op, self)

    return method


def _array_ufunc_method(self: Array, ufunc: np.ufunc, method: str, *inputs: Any, **kw: Any) -> Any:
    return array_ufunc(ufunc, method, *inputs, **kw)


def _install_operators() -> None:
    def binary(op: Callable[..., Any]) -> tuple[Any, Any]:
        def forward(self: Array, other: Any) -> Any:
            if not isinstance(other, (Array, np.ndarray, np.generic, int, float, complex, bool)):
                return NotImplemented
            return elemwise(op, self, other)

        def reflected(self: Array, other: Any) -> Any:
            if not isinstance(other, (Array, np.ndarray, np.generic, int, float, complex, bool)):
                return NotImplemented
            return elemwise(op, other, self)

        return forward, reflected

    for name, op in BINARY.items():
        fwd, ref = binary(op)
        setattr(Array, f"__{name}__", fwd)
        setattr(Array, f"__r{name}__", ref)
    for name, op in COMPARE.items():
        setattr(Array, f"__{name}__", binary(op)[0])
    for name, unary in UNARY.items():
        setattr(Array, f"__{name}__", _unary(unary))
    Array.__array_ufunc__ = _array_ufunc_method  # type: ignore[attr-defined]
    Array.astype = astype  # type: ignore[attr-defined]
    Array.map_blocks = lambda self, func, *args, **kwargs: map_blocks(func, self, *args, **kwargs)  # type: ignore[attr-defined]
    Array.__hash__ = object.__hash__  # type: ignore[method-assign]


_install_operators()
