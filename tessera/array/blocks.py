"""``x.blocks[...]``: index the grid of blocks instead of the elements.

Map
---
- :class:`BlockView` -- returned by ``Array.blocks`` (and ``Array.partitions``);
  ``x.blocks[i, j]``, ``x.blocks[:, ::2]``, ``x.blocks[[2, 0]]`` give a tessera Array
  made of those blocks, in that order.  ``shape``/``size``/``ndim`` describe the grid,
  ``ravel()`` lists every block as an array.

Policy (Dask's): an integer keeps its axis (a block is still an array of the same number
of dimensions); slices take any step; lists take blocks in any order; ``...`` fills the
remaining axes.  No data is copied: the new array's keys are aliases of the selected
blocks.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.arange(12).reshape(3, 4), chunks=2)
>>> x.blocks.shape
(2, 2)
>>> x.blocks[1, 0].compute()
array([[8, 9]])
>>> x.blocks[:, ::-1].chunks
((2, 1), (2, 2))
"""

from __future__ import annotations

import operator
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.hashing import tokenize

__all__ = ["BlockView"]


class BlockView:
    """The grid of blocks of an array, indexable like a NumPy array of blocks.

    Parameters
    ----------
    array : Array
        The array whose blocks are viewed.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.ones((6, 4), chunks=(2, 2))
    >>> x.blocks[-1].shape, x.blocks.size
    ((2, 4), 6)
    """

    def __init__(self, array: Array) -> None:
        self.array = array

    @property
    def shape(self) -> tuple[int, ...]:
        """The number of blocks along each axis."""
        return self.array.numblocks

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.array.ndim

    @property
    def size(self) -> int:
        """The number of blocks."""
        return self.array.npartitions

    def __len__(self) -> int:
        return self.shape[0] if self.shape else 1

    def ravel(self) -> list[Array]:
        """Every block as an array, in C order.

        >>> import tessera.array as da
        >>> [b.shape for b in da.ones(5, chunks=2).blocks.ravel()]
        [(2,), (2,), (1,)]
        """
        return [self[idx] for idx in product(*(range(n) for n in self.shape))]

    def _axis(self, entry: Any, axis: int) -> list[int]:
        n = self.shape[axis]
        if isinstance(entry, slice):
            return list(range(n))[entry]
        if isinstance(entry, (list, tuple, np.ndarray)):
            arr = np.asarray(entry)
            if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
                raise IndexError(
                    f"Block indices must be ints, slices or 1-d lists of ints, got {entry!r}"
                )
            picks = [int(i) for i in arr]
        else:
            try:
                picks = [operator.index(entry)]
            except TypeError:
                raise IndexError(
                    f"Block indices must be ints, slices or 1-d lists of ints, got {entry!r}"
                ) from None
        for i in picks:
            if not -n <= i < n:
                raise IndexError(
                    f"block index {i} is out of bounds for axis {axis} with {n} blocks"
                )
        return [i % n for i in picks]

    def __getitem__(self, index: Any) -> Array:
        x = self.array
        entries = list(index) if isinstance(index, tuple) else [index]
        if any(e is None for e in entries):
            raise IndexError("x.blocks[...] does not take None (new axes); index x itself")
        if sum(e is Ellipsis for e in entries) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if any(e is Ellipsis for e in entries):
            at = next(i for i, e in enumerate(entries) if e is Ellipsis)
            entries[at : at + 1] = [slice(None)] * (x.ndim - len(entries) + 1)
        if len(entries) > x.ndim:
            raise IndexError(
                f"too many indices for the block grid: it is {x.ndim}-dimensional, but "
                f"{len(entries)} were indexed"
            )
        entries += [slice(None)] * (x.ndim - len(entries))
        picks = [self._axis(e, ax) for ax, e in enumerate(entries)]
        empty = [ax for ax, p in enumerate(picks) if not p]
        if empty:
            raise IndexError(f"x.blocks[{index!r}] selects no blocks along axis {empty[0]}")
        if all(p == list(range(n)) for p, n in zip(picks, self.shape, strict=True)):
            return x
        name = f"blocks-{tokenize(x, picks)}"
        layer = {
            (name, *new): (x.name, *(picks[ax][i] for ax, i in enumerate(new)))
            for new in product(*(range(len(p)) for p in picks))
        }
        chunks = tuple(tuple(x.chunks[ax][i] for i in p) for ax, p in enumerate(picks))
        return new_array(name, layer, chunks, x.dtype, inputs=[x])


Array.blocks = property(BlockView)  # type: ignore[attr-defined]
Array.partitions = property(BlockView)  # type: ignore[attr-defined]
