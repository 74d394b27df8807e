"""The task functions of ranges and constants, as block sources.

Map
---
- :data:`range_block` -- ``arange``'s blocks: ``[lo, hi)`` of ``start + i * step``.
- :data:`linspace_block` -- ``linspace``'s blocks, the last element exactly ``stop``.
- :data:`full_block` -- the blocks of ``full``, ``ones``, ``zeros`` and ``empty``.

Each is a :class:`~tessera.array.pieces.BlockSource`: it makes a whole block from its
arguments, or any slab of it on its own, with the very values of the whole block.  Their
``slabs`` write every slab into one reused array (int64 and float64 ranges: the same
arithmetic as the whole block; constants: one slab, yielded again), so making a block
slab by slab allocates no fresh memory per slab.

>>> import numpy as np
>>> range_block(10, 2, 0, 5, np.dtype(int))
array([10, 12, 14, 16, 18])
>>> range_block.slab(0, 1, 3, 10, 2, 0, 5, np.dtype(int))
array([12, 14])
>>> full_block.slab(1, 0, 2, (2, 5), 7, np.dtype("i1"))
array([[7, 7],
       [7, 7]], dtype=int8)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from tessera.array.pieces import BlockSource, slab_index

__all__ = ["full_block", "linspace_block", "range_block"]


class _Range(BlockSource):
    """Block ``[lo, hi)`` of ``start + i * step``; a slab is a shorter range."""

    def __call__(self, start: Any, step: Any, lo: int, hi: int, dtype: Any) -> np.ndarray:
        if isinstance(start, (int, np.integer)) and isinstance(step, (int, np.integer)):
            return np.arange(start + lo * step, start + hi * step, step, dtype=dtype)
        out = np.arange(lo, hi, dtype=np.result_type(dtype, float))  # one pass, then in place
        out *= step
        out += start
        return out.astype(dtype, copy=False)

    def block_shape(self, start: Any, step: Any, lo: int, hi: int, dtype: Any) -> tuple[int]:
        return (hi - lo,)

    def slab(self, axis: int, start: int, stop: int, *args: Any) -> np.ndarray:
        first, step, lo, _, dtype = args
        return self(first, step, lo + start, lo + stop, dtype)

    def slabs(
        self, axis: int, bounds: Sequence[tuple[int, int]], *args: Any
    ) -> Iterator[np.ndarray]:
        """The slabs, written into one reused array when the dtype allows it exactly."""
        first, step, lo, _, dtype = args
        exact_int = _is_int(first) and _is_int(step) and np.dtype(dtype) == np.int64
        if not exact_int and np.result_type(dtype, float) != np.float64:
            yield from super().slabs(axis, bounds, *args)
            return
        longest = max(b - a for a, b in bounds)
        buffer = np.empty(longest, dtype=np.int64 if exact_int else np.float64)
        if exact_int:  # first + i * step, as np.arange computes it
            steps = np.arange(longest, dtype=np.int64) * step
            for a, b in bounds:
                yield np.add(steps[: b - a], first + (lo + a) * step, out=buffer[: b - a])
            return
        ramp = np.arange(longest, dtype=np.float64)
        for a, b in bounds:  # (lo + i) * step + start, in __call__'s order
            out = np.add(ramp[: b - a], lo + a, out=buffer[: b - a])
            out *= step
            out += first
            yield out.astype(dtype, copy=False)


range_block = _Range()


class _Linspace(BlockSource):
    """Block ``[lo, hi)`` of ``start + i * step``, element ``last`` exactly ``stop``."""

    def __call__(
        self, start: float, step: float, lo: int, hi: int, last: int, stop: float, dtype: Any
    ) -> np.ndarray:
        out = start + np.arange(lo, hi) * step
        if hi - 1 == last and hi > lo:
            out[-1] = stop
        return out.astype(dtype, copy=False)

    def block_shape(self, start: float, step: float, lo: int, hi: int, *rest: Any) -> tuple[int]:
        return (hi - lo,)

    def slab(self, axis: int, start: int, stop: int, *args: Any) -> np.ndarray:
        first, step, lo, _, *rest = args
        return self(first, step, lo + start, lo + stop, *rest)

    def slabs(
        self, axis: int, bounds: Sequence[tuple[int, int]], *args: Any
    ) -> Iterator[np.ndarray]:
        """The slabs, written into one reused array when the values are real."""
        first, step, lo, _, last, stop, dtype = args
        if np.result_type(first, step, float) != np.float64:
            yield from super().slabs(axis, bounds, *args)
            return
        ramp = np.arange(max(b - a for a, b in bounds), dtype=np.float64)
        buffer = np.empty_like(ramp)
        for a, b in bounds:  # start + (lo + i) * step, in __call__'s order
            out = np.add(ramp[: b - a], lo + a, out=buffer[: b - a])
            out *= step
            out += first
            if lo + b - 1 == last:
                out[-1] = stop
            yield out.astype(dtype, copy=False)


linspace_block = _Linspace()


class _Full(BlockSource):
    """A block of one value: ``np.full(shape, value, dtype)``."""

    def __call__(self, shape: tuple[int, ...], value: Any, dtype: Any) -> np.ndarray:
        return np.full(shape, value, dtype)

    def block_shape(self, shape: tuple[int, ...], value: Any, dtype: Any) -> tuple[int, ...]:
        return shape

    def slab(self, axis: int, start: int, stop: int, *args: Any) -> np.ndarray:
        shape, value, dtype = args
        return self((*shape[:axis], stop - start, *shape[axis + 1 :]), value, dtype)

    def slabs(
        self, axis: int, bounds: Sequence[tuple[int, int]], *args: Any
    ) -> Iterator[np.ndarray]:
        """One slab of the longest length, and views of it (the values never change)."""
        longest = max(b - a for a, b in bounds)
        slab = self.slab(axis, 0, longest, *args)
        for a, b in bounds:
            yield slab if b - a == longest else slab[slab_index(axis, 0, b - a)]


full_block = _Full()


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer))
