"""Element-wise operations: operators, ufuncs, ``where``, ``astype``.

Map
---
- :func:`elemwise` -- ``op(*args)`` element by element with NumPy broadcasting: the one
  call under every operator and ufunc (it builds a :func:`~tessera.array.blockwise.blockwise`).
- :func:`apply_ufunc` -- a NumPy ufunc applied lazily, with its keywords (``dtype=``,
  ``casting=``...), an array-valued ``where=`` and several outputs (``np.divmod``,
  ``np.modf``, ``np.frexp`` give a tuple of arrays); :class:`UfuncCall` is its task.
- :func:`wrap_ufunc` -- a lazy version of a NumPy ufunc (``da.sin``, ``da.add``...).
- :func:`array_ufunc` -- ``Array.__array_ufunc__``: ``np.sin(x)`` stays lazy.
- :func:`astype`, :func:`where`; ``map_blocks`` lives in :mod:`~tessera.array.mapblocks`.

Arguments may be tessera arrays, NumPy arrays and scalars, Python numbers, and lists,
tuples, ranges and strings: those (and NumPy scalars) go through ``np.asarray`` first,
as NumPy does (a string is a 0-d array).
NumPy's broadcasting and type promotion rules apply (the output dtype comes from running
``op`` on one-element arrays of the input dtypes, so NumPy's own errors come out early).
``op`` must work element by element: its tasks are marked
:class:`~tessera.array.pieces.Elementwise`, so a reduction may run them on slabs of a
block (see :mod:`~tessera.array.fusion`).  Arrays are immutable: ``out=`` is refused.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(6, chunks=4)
>>> (x * 2 + np.ones(6)).compute()
array([ 1.,  3.,  5.,  7.,  9., 11.])
>>> np.sin(x).dtype
dtype('float64')
>>> (x == [0, 1, 2, 0, 0, 5]).compute()
array([ True,  True,  True, False, False,  True])
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from tessera.array.blockwise import blockwise, probe_block, probe_dtype
from tessera.array.core import Array
from tessera.array.mapblocks import map_blocks
from tessera.array.pieces import Elementwise

__all__ = [
    "UfuncCall",
    "apply_ufunc",
    "array_ufunc",
    "astype",
    "elemwise",
    "map_blocks",
    "where",
    "wrap_ufunc",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
#: Operands converted with ``np.asarray`` before use (NumPy scalars become 0-d arrays).
CONVERTED = (list, tuple, range, str, bytes, np.generic)
#: Everything an operator accepts as its other operand.
OPERANDS = (Array, np.ndarray, int, float, complex, *CONVERTED)


def as_operand(x: Any) -> Any:
    """``x`` ready for :func:`elemwise`: lists, tuples, strings and NumPy scalars as arrays.

    Lists holding tessera arrays become tessera arrays (stacked lazily).

    >>> as_operand([1, 2]), as_operand("a"), as_operand(2)
    (array([1, 2]), array('a', dtype='<U1'), 2)
    """
    from tessera.array.creation import asarray, holds_arrays

    if holds_arrays(x):
        return asarray(x)
    return np.asarray(x) if isinstance(x, CONVERTED) else x


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

    ``dtype`` is the result's dtype (inferred when not given); ``kwargs`` go to ``op``.

    Examples
    --------
    >>> import tessera.array as da
    >>> elemwise(np.maximum, da.arange(4, chunks=2), 2).compute()
    array([2, 2, 2, 3])
    >>> elemwise(np.maximum, da.arange(4, chunks=2), [3, 0, 0, 0]).compute()
    array([3, 1, 2, 3])
    """
    from tessera.array.creation import from_array

    args = tuple(as_operand(a) for a in args)
    out_shape = _broadcast_shape(args)
    ndim = len(out_shape)
    if dtype is None:
        dtype = probe_dtype(op, [probe_block(a) for a in args], kwargs)
    pairs: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray) and a.ndim:
            a = from_array(a, chunks=a.shape)
        if isinstance(a, Array):
            pairs += [a, _LETTERS[ndim - a.ndim : ndim]]
        else:
            pairs += [a, None]
    return blockwise(Elementwise(op), _LETTERS[:ndim], *pairs, dtype=dtype, **kwargs)


@dataclass(frozen=True)
class UfuncCall:
    """One block of :func:`apply_ufunc`: ``ufunc(*blocks, **kwargs)``.

    ``output`` picks one result of a multi-output ufunc; with ``masked`` the last block
    is the ``where=`` condition, and the places where it is false hold zeros (NumPy
    leaves them uninitialized).

    >>> UfuncCall(np.divmod, output=1)(np.arange(5), 3)
    array([0, 1, 2, 0, 1])
    >>> UfuncCall(np.sqrt, masked=True)(np.array([4.0, -1.0]), np.array([True, False]))
    array([2., 0.])
    """

    ufunc: np.ufunc
    kwargs: tuple[tuple[str, Any], ...] = ()
    output: int | None = None
    masked: bool = False

    @property
    def __name__(self) -> str:
        return str(self.ufunc.__name__)

    def __call__(self, *args: Any) -> Any:
        kwargs = dict(self.kwargs)
        if not self.masked:
            out = self.ufunc(*args, **kwargs)
        else:
            *args_, where = args
            out = self.ufunc(*args_, where=where, out=(None,) * self.ufunc.nout, **kwargs)
            outs = out if isinstance(out, tuple) else (out,)
            zeros = [np.zeros((), dtype=np.result_type(o)) for o in outs]
            outs = tuple(np.where(where, o, z) for o, z in zip(outs, zeros, strict=True))
            out = outs if isinstance(out, tuple) else outs[0]
        return out if self.output is None else out[self.output]


def apply_ufunc(ufunc: np.ufunc, *args: Any, **kwargs: Any) -> Any:
    """``ufunc(*args, **kwargs)`` as a lazy array (a tuple of arrays if it has several outputs).

    Keywords go to the ufunc on every block (``dtype=`` included); ``where=`` may be an
    array (where it is false the result holds zeros: NumPy leaves those places
    uninitialized).  ``out=`` raises ``TypeError``: tessera arrays are immutable.

    >>> import tessera.array as da
    >>> q, r = apply_ufunc(np.divmod, da.arange(5, chunks=2), 3)
    >>> q.compute(), r.compute()
    (array([0, 0, 0, 1, 1]), array([0, 1, 2, 0, 1]))
    >>> apply_ufunc(np.add, da.arange(3, chunks=2), 1, dtype="f4").compute()
    array([1., 2., 3.], dtype=float32)
    """
    out = kwargs.pop("out", None)
    if any(o is not None for o in (out if isinstance(out, tuple) else (out,))):
        raise TypeError(
            f"{ufunc.__name__}(..., out=...) is not supported: tessera arrays are immutable. "
            f"Use the returned array instead, e.g. y = np.{ufunc.__name__}(x, ...)."
        )
    where = kwargs.pop("where", True)
    masked = where is not True
    if not masked and ufunc.nout == 1 and not kwargs:
        return elemwise(ufunc, *args)
    inputs = (*args, where) if masked else args
    outputs = tuple(
        elemwise(
            UfuncCall(ufunc, tuple(kwargs.items()), i if ufunc.nout > 1 else None, masked), *inputs
        )
        for i in range(ufunc.nout)
    )
    return outputs if ufunc.nout > 1 else outputs[0]


def wrap_ufunc(ufunc: np.ufunc) -> Callable[..., Any]:
    """Return a function applying ``ufunc`` lazily to tessera arrays.

    >>> import tessera.array as da
    >>> wrap_ufunc(np.negative)(da.arange(3, chunks=2)).compute()
    array([ 0, -1, -2])
    """

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, Array) for a in (*args, kwargs.get("where"))):
            return apply_ufunc(ufunc, *args, **kwargs)
        return ufunc(*args, **kwargs)

    wrapped.__name__ = ufunc.__name__
    wrapped.__doc__ = f"Lazy :func:`numpy.{ufunc.__name__}` on tessera arrays.\n\n{ufunc.__doc__}"
    return wrapped


def array_ufunc(ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``Array.__array_ufunc__``: element-wise ufunc calls stay lazy.

    ``np.matmul`` goes to :func:`tessera.array.linalg.matmul`.  Other generalized ufuncs
    and ufunc methods other than ``__call__`` (``reduce``, ``outer``...) are not lazy:
    NumPy then raises its ``TypeError``.  ``out=`` raises ``TypeError`` (see
    :func:`apply_ufunc`).
    """
    if method != "__call__":
        return NotImplemented
    if ufunc.signature is not None:  # generalized ufuncs are not element-wise
        if ufunc is np.matmul and not kwargs:
            from tessera.array.linalg import matmul

            return matmul(*inputs)
        return NotImplemented
    return apply_ufunc(ufunc, *inputs, **kwargs)


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


BINARY: dict[str, Callable[..., Any]] = {
    "divmod": np.divmod, "add": operator.add, "sub": operator.sub, "mul": operator.mul,
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
            if not isinstance(other, OPERANDS):
                return NotImplemented
            return (
                apply_ufunc(op, self, other)
                if isinstance(op, np.ufunc)
                else elemwise(op, self, other)
            )

        def reflected(self: Array, other: Any) -> Any:
            if not isinstance(other, OPERANDS):
                return NotImplemented
            return (
                apply_ufunc(op, other, self)
                if isinstance(op, np.ufunc)
                else elemwise(op, other, self)
            )

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
