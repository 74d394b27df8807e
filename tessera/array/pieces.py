"""Blocks made, transformed and reduced a cache-sized piece at a time.

Map
---
- :class:`BlockSource` -- base of the callables that make a block out of constants alone
  (``arange``, ``linspace``, ``full``/``ones``/``zeros``, the random draws): besides the
  whole block (``__call__``) they give its shape (:meth:`~BlockSource.block_shape`) and
  its consecutive slabs along an axis (:meth:`~BlockSource.slabs`).
- :class:`Elementwise` -- marks a block function as element-wise (every
  :func:`~tessera.array.elementwise.elemwise` task): a piece of its output needs only
  the same piece of each input (a broadcast input whole).
- :class:`ChunkStep` -- marks a reduction's per-block step: ``chunk``, and the
  ``combine`` that merges partials along the reduced ``axes``.
- :class:`Streamed` -- the task that :mod:`~tessera.array.fusion` puts in place of a
  chunk step (or of several chunk steps on one block) fed by sources and element-wise
  ops: it makes the block one slab at a time, runs the element-wise ops and ``chunk`` on
  each slab while it is in the cache, then merges the partials.  Its plan is a list of
  :class:`Op` in dependency order.
- :class:`Op`, :class:`Slot` -- a step of a plan, and a reference to an earlier step.
- :func:`split_plan`, :func:`slab_index` -- where a block is cut, and a slab's index.

Policy: a block of more than two pieces (``piece`` elements each, from the config key
``array.piece-size``, 1 MiB of 8-byte elements by default) is cut along the first axis
long enough to give pieces of about that size (else its longest axis) into slabs of equal
length.  Each slab's partial comes from ``chunk``; partials are joined along the cut axis
and, when that axis is reduced, merged by ``combine`` -- exactly the tree reduction's
contract, applied to a finer chunking.  So integer sums and products, ``min``, ``max``,
``any``, ``all`` and counts are exact; floating sums are summed pairwise within slabs,
then over the slabs (within rounding of ``np.sum``).  Sources make exactly the values of
the whole block (random draws continue one stream from slab to slab when that gives the
same numbers, else draw the block once).  Memory: an element-wise ufunc writes every
slab into the array it made for the first one, and the range and constant sources reuse
one array too, because fresh memory for each slab of 256 KiB or more is handed back to
the system and page-faulted in again by the C allocator (measured here: 5x slower than
the whole block).  With that, slabs of 0.5 to 2 MiB measured best (1 MiB: a core's L2
cache here).

>>> import numpy as np
>>> from functools import partial
>>> step = ChunkStep(partial(np.sum, axis=(0,), keepdims=True),
...                  partial(np.sum, axis=(0,), keepdims=True), (0,))
>>> plan = (Op("leaf", None, (0,)), Op("apply", Elementwise(np.negative), (Slot(0),)))
>>> Streamed(step, plan, piece=4)(np.arange(10))
array([-45])
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tessera.array.treeplan import concatenate_partials

__all__ = [
    "PIECE_BYTES",
    "BlockSource",
    "ChunkStep",
    "Elementwise",
    "Op",
    "Slot",
    "Streamed",
    "slab_index",
    "split_plan",
]

#: Default bytes per piece (the config key ``array.piece-size`` overrides it).
PIECE_BYTES = 1024 * 1024


def slab_index(axis: int, start: int, stop: int) -> tuple[slice, ...]:
    """The index of the slab ``start:stop`` along ``axis``.

    >>> slab_index(1, 2, 5)
    (slice(None, None, None), slice(2, 5, None))
    """
    return (slice(None),) * axis + (slice(start, stop),)


class BlockSource:
    """A callable making a block from constants only; see the module docstring.

    Subclasses define ``__call__(*args)``, :meth:`block_shape` and :meth:`slab`; those
    whose slabs depend on each other (a random stream) override :meth:`slabs`.
    """

    def __call__(self, *args: Any) -> np.ndarray:
        raise NotImplementedError

    def block_shape(self, *args: Any) -> tuple[int, ...]:
        """The shape of the block that ``self(*args)`` makes."""
        raise NotImplementedError

    def slab(self, axis: int, start: int, stop: int, *args: Any) -> np.ndarray:
        """``self(*args)[slab_index(axis, start, stop)]``, made on its own."""
        raise NotImplementedError

    def slabs(
        self, axis: int, bounds: Sequence[tuple[int, int]], *args: Any
    ) -> Iterator[np.ndarray]:
        """The slabs ``start:stop`` along ``axis`` for each pair of ``bounds``, in order."""
        for start, stop in bounds:
            yield self.slab(axis, start, stop, *args)

    def __repr__(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Elementwise:
    """Marks ``op`` as element-wise; calls it unchanged.

    >>> Elementwise(np.add)(np.ones(2), 1), Elementwise(np.add).__name__
    (array([2., 2.]), 'add')
    """

    op: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.op(*args, **kwargs)

    @property
    def __name__(self) -> str:
        return str(getattr(self.op, "__name__", type(self.op).__name__))


@dataclass(frozen=True)
class ChunkStep:
    """A reduction's per-block step: ``chunk(block)``; ``combine`` merges partials.

    Both are bound to their axes (``axis=axes, keepdims=True``) already; ``size`` is the
    number of elements of the block (``nan`` if unknown).  ``chunk`` must return new
    arrays, not views of its block: a slab's memory is reused for the next slab.
    """

    chunk: Callable[..., Any]
    combine: Callable[..., Any]
    axes: tuple[int, ...]
    size: float = math.nan

    def __call__(self, block: Any) -> Any:
        return self.chunk(block)

    def merge(self, parts: list[Any], axis: int) -> Any:
        """The partial of a block from the partials of its slabs along ``axis``."""
        joined = concatenate_partials(parts, (axis,))
        return self.combine(joined) if axis in self.axes else joined


@dataclass(frozen=True)
class Slot:
    """In an :class:`Op`'s arguments: the value of op number ``i`` of the plan."""

    i: int


@dataclass(frozen=True)
class Op:
    """One step of a plan: ``kind`` ``"source"`` (``func(*args)``), ``"apply"``
    (``func`` on the values of the :class:`Slot` arguments and the constants) or
    ``"leaf"`` (``args[0]``-th input of the task)."""

    kind: str
    func: Any
    args: tuple[Any, ...]


_OPERATOR_UFUNCS = {
    operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
    operator.truediv: np.true_divide, operator.floordiv: np.floor_divide,
    operator.mod: np.remainder, operator.and_: np.bitwise_and, operator.or_: np.bitwise_or,
    operator.xor: np.bitwise_xor, operator.lshift: np.left_shift,
    operator.rshift: np.right_shift, operator.eq: np.equal, operator.ne: np.not_equal,
    operator.lt: np.less, operator.le: np.less_equal, operator.gt: np.greater,
    operator.ge: np.greater_equal, operator.neg: np.negative, operator.pos: np.positive,
    operator.abs: np.absolute, operator.invert: np.invert,
}  # fmt: skip


def _ufunc_of(func: Any) -> np.ufunc | None:
    """The one-output ufunc that the element-wise ``func`` calls, if it is one."""
    if type(func) is not Elementwise:
        return None
    try:
        ufunc = func.op if isinstance(func.op, np.ufunc) else _OPERATOR_UFUNCS.get(func.op)
    except TypeError:  # an unhashable callable
        return None
    return ufunc if ufunc is not None and ufunc.nout == 1 else None


def split_plan(shape: tuple[int, ...], piece: int) -> tuple[int, list[tuple[int, int]]] | None:
    """The axis to cut a block of ``shape`` along and the slabs, or None to keep it whole.

    >>> split_plan((10,), 4)
    (0, [(0, 4), (4, 8), (8, 10)])
    >>> split_plan((2, 100), 30), split_plan((3,), 4)
    ((1, [(0, 15), (15, 30), (30, 45), (45, 60), (60, 75), (75, 90), (90, 100)]), None)
    """
    size = math.prod(shape)
    if not shape or piece <= 0 or size <= 2 * piece:
        return None
    parts = math.ceil(size / piece)
    axis = next((a for a, n in enumerate(shape) if n >= parts), None)
    if axis is None:
        axis = max(range(len(shape)), key=lambda a: shape[a])
    n = shape[axis]
    if n < 2:
        return None
    step = math.ceil(n / min(parts, n))
    return axis, [(a, min(a + step, n)) for a in range(0, n, step)]


class Streamed:
    """Evaluate ``plan`` slab by slab and reduce each slab with ``step``.

    Called with the values of the plan's leaves (the task's outside inputs), in order.
    ``step`` may also be a tuple of chunk steps (several reductions of one block): the
    result is then the tuple of their partials.
    """

    __slots__ = ("done", "piece", "plan", "step", "ufuncs")

    def __init__(
        self, step: ChunkStep | tuple[ChunkStep, ...], plan: Sequence[Op], piece: int
    ) -> None:
        self.step = step
        self.plan = tuple(plan)
        self.piece = piece
        # done[i]: the ops whose value is not needed once op i has run
        last = {a.i: i for i, op in enumerate(self.plan) for a in op.args if type(a) is Slot}
        self.done: list[list[int]] = [[] for _ in self.plan]
        for j, i in last.items():
            self.done[i].append(j)
        self.ufuncs = [_ufunc_of(op.func) if op.kind == "apply" else None for op in self.plan]

    def __reduce__(self) -> tuple[type[Streamed], tuple[Any, ...]]:
        return Streamed, (self.step, self.plan, self.piece)

    def __repr__(self) -> str:
        return f"Streamed(<{len(self.plan)} ops>)"

    def _shapes(self, leaves: tuple[Any, ...]) -> list[tuple[int, ...]]:
        shapes: list[tuple[int, ...]] = []
        for op in self.plan:
            if op.kind == "leaf":
                shapes.append(np.shape(leaves[op.args[0]]))
            elif op.kind == "source":
                shapes.append(tuple(op.func.block_shape(*op.args)))
            else:
                arg_shapes = [shapes[a.i] if type(a) is Slot else np.shape(a) for a in op.args]
                shapes.append(tuple(np.broadcast_shapes(*arg_shapes)))
        return shapes

    def _run(self, i: int, values: list[Any], leaves: tuple[Any, ...]) -> Any:
        op = self.plan[i]
        if op.kind == "leaf":
            return leaves[op.args[0]]
        if op.kind == "source":
            return op.func(*op.args)
        return op.func(*[values[a.i] if type(a) is Slot else a for a in op.args])

    def __call__(self, *leaves: Any) -> Any:
        shapes = self._shapes(leaves)
        split = split_plan(shapes[-1], self.piece)
        if split is None:
            values: list[Any] = []
            for i in range(len(self.plan)):
                values.append(self._run(i, values, leaves))
            return self._reduce(values[-1])
        axis, bounds = split
        ndim = len(shapes[-1])
        # each op's own axis along the cut, or None when it is broadcast along it
        own = [axis - ndim + len(s) for s in shapes]
        cut = [j >= 0 and shapes[i][j] != 1 for i, j in enumerate(own)]
        whole: list[Any] = [None] * len(self.plan)
        for i in range(len(self.plan)):
            if not cut[i]:
                whole[i] = self._run(i, whole, leaves)
        streams = {
            i: iter(op.func.slabs(own[i], bounds, *op.args))
            for i, op in enumerate(self.plan)
            if cut[i] and op.kind == "source"
        }
        parts = []
        buffers: list[Any] = [None] * len(self.plan)  # each ufunc's output, reused
        for start, stop in bounds:
            values = list(whole)
            for i, op in enumerate(self.plan):
                if not cut[i]:
                    continue
                if op.kind == "source":
                    values[i] = next(streams[i])
                elif op.kind == "leaf":
                    values[i] = leaves[op.args[0]][slab_index(own[i], start, stop)]
                else:
                    values[i] = self._apply(i, values, buffers, own[i], stop - start)
                    for j in self.done[i]:
                        values[j] = whole[j]  # drop the slab, keep a whole value
            parts.append(self._reduce(values[-1]))
        if isinstance(self.step, tuple):
            return tuple(s.merge([p[j] for p in parts], axis) for j, s in enumerate(self.step))
        return self.step.merge(parts, axis)

    def _apply(self, i: int, values: list[Any], buffers: list[Any], axis: int, n: int) -> Any:
        """Op ``i`` on a slab of length ``n`` along ``axis``; a ufunc writes into the array
        it made for the first slab (fresh memory for every slab costs page faults)."""
        args = [values[a.i] if type(a) is Slot else a for a in self.plan[i].args]
        out, ufunc = buffers[i], self.ufuncs[i]
        if out is not None and ufunc is not None:
            part = out if out.shape[axis] == n else out[slab_index(axis, 0, n)]
            return ufunc(*args, out=part)
        value = self.plan[i].func(*args)
        if ufunc is not None and type(value) is np.ndarray and value.base is None:
            buffers[i] = value
        return value

    def _reduce(self, block: Any) -> Any:
        if isinstance(self.step, tuple):
            return tuple(s(block) for s in self.step)
        return self.step(block)
