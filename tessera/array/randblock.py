"""One random block: seeds, sizes, per-block parameters, and the draw itself.

Map
---
- :func:`seed_sequence` -- a :class:`numpy.random.SeedSequence` from what a user passes.
- :func:`parse_size` -- ``size=`` to a shape, with NumPy's errors.
- :func:`broadcast_or_none` -- the broadcast of two shapes, or None.
- :func:`param_part` -- the part of a distribution parameter one block needs.
- :class:`Draw` -- the task function of a random block:
  ``default_rng(seed).<method>(*params, size=shape, **kwargs)``; a
  :class:`~tessera.array.pieces.BlockSource`, so a reduction can take the block slab by
  slab (see :mod:`~tessera.array.fusion`).

Policy: slabs are the very values of the whole block.  When the block is cut along its
first axis longer than 1 and the method draws element after element from one stream
(:data:`SEQUENTIAL`; ``integers`` only for dtypes of 4 bytes or more, whose smaller
draws NumPy buffers within one call), the slabs continue one generator; otherwise the
block is drawn whole and cut into views.

>>> import numpy as np
>>> seed = np.random.SeedSequence(1)
>>> draw = Draw("random")
>>> whole = draw(seed, (6, 2))
>>> slabs = list(draw.slabs(0, [(0, 4), (4, 6)], seed, (6, 2)))
>>> bool((np.concatenate(slabs) == whole).all())
True
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tessera.array.pieces import BlockSource, slab_index

__all__ = [
    "SEQUENTIAL",
    "Draw",
    "broadcast_or_none",
    "param_part",
    "parse_size",
    "seed_sequence",
]

#: Methods whose values, drawn in two calls, are those of one call.
SEQUENTIAL = frozenset(
    {"random", "standard_normal", "normal", "uniform", "exponential", "poisson", "integers"}
)


def seed_sequence(seed: Any) -> np.random.SeedSequence:
    """A SeedSequence from an int, ints, None, a SeedSequence or a NumPy (bit) generator.

    >>> seed_sequence(3).entropy
    3
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        seed = seed.bit_generator
    if isinstance(seed, np.random.BitGenerator):
        # draw the entropy from it (this advances it, as any draw would)
        seed = np.random.Generator(seed).integers(2**63, size=4).tolist()
    return np.random.SeedSequence(seed)


def parse_size(size: Any) -> tuple[int, ...] | None:
    """``size`` (None, an int or a tuple of ints) as a shape.

    >>> parse_size(3), parse_size((2, 0)), parse_size(None)
    ((3,), (2, 0), None)
    """
    if size is None:
        return None
    if isinstance(size, (int, np.integer)):
        size = (size,)
    try:
        shape = tuple(operator.index(n) for n in size)
    except TypeError:
        raise TypeError(f"size must be None, an int or a tuple of ints, got {size!r}") from None
    if any(n < 0 for n in shape):
        raise ValueError(f"negative dimensions are not allowed (size {shape})")
    return shape


def broadcast_or_none(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The broadcast of shapes ``a`` and ``b``, or None when they do not broadcast.

    >>> broadcast_or_none((3, 1), (4,)), broadcast_or_none((3,), (4,))
    ((3, 4), None)
    """
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def param_part(param: Any, shape: tuple[int, ...], index: tuple[slice, ...]) -> Any:
    """The part of a parameter that the region ``index`` of ``shape`` needs (scalars and
    None as they are).

    >>> param_part(np.arange(4), (2, 4), (slice(0, 1), slice(1, 3)))
    array([[1, 2]])
    """
    if param is None or np.ndim(param) == 0:
        return param
    return np.broadcast_to(param, shape)[index]


@dataclass(frozen=True)
class Draw(BlockSource):
    """One block's draw: ``default_rng(seed).<method>(*params, size=shape, **kwargs)``."""

    method: str
    params: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, seed: np.random.SeedSequence, shape: tuple[int, ...]) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.asarray(getattr(rng, self.method)(*self.params, size=shape, **self.kwargs))

    def block_shape(self, seed: np.random.SeedSequence, shape: tuple[int, ...]) -> Any:
        return shape

    def _sequential(self, axis: int, shape: tuple[int, ...]) -> bool:
        if self.method not in SEQUENTIAL or any(n != 1 for n in shape[:axis]):
            return False
        dtype = np.dtype(self.kwargs.get("dtype", np.int64))
        return self.method != "integers" or dtype.itemsize >= 4

    def slabs(
        self,
        axis: int,
        bounds: Sequence[tuple[int, int]],
        seed: np.random.SeedSequence,
        shape: tuple[int, ...],
    ) -> Iterator[np.ndarray]:
        """The slabs of the block along ``axis``: from one stream, or views of the block."""
        if not self._sequential(axis, shape):
            block = self(seed, shape)
            for start, stop in bounds:
                yield block[slab_index(axis, start, stop)]
            return
        draw = getattr(np.random.default_rng(seed), self.method)
        for start, stop in bounds:
            index = slab_index(axis, start, stop)
            params = [param_part(p, shape, index) for p in self.params]
            size = (*shape[:axis], stop - start, *shape[axis + 1 :])
            yield np.asarray(draw(*params, size=size, **self.kwargs))
