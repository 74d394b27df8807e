"""The :class:`Array` collection: a grid of NumPy blocks described by a task graph.

Map
---
- :class:`Array` -- ``layers`` (layer name -> tasks), ``name``, ``chunks``, ``dtype``;
  keys are ``(name, i, j, ...)`` by block index.  Methods build new arrays; nothing
  computes until ``compute()``.  Operators, reductions, slicing and shape methods
  delegate to the modules that implement them (``elementwise``, ``reductions``,
  ``slicing``, ``routines``, ``linalg``), one waist each.  Its graphs are optimized by
  :func:`~tessera.array.fusion.optimize_array` before they run.
- NumPy functions (``np.concatenate(...)``) dispatch to tessera's through
  ``__array_function__`` (:mod:`~tessera.array.array_function`).
- :func:`new_array` -- build an array from a new layer on top of input arrays.
- :func:`concatenate_blocks` -- put a nested list of computed blocks back together.

State: an array's values are immutable (``x[i] = v`` rebinds ``x`` to a new graph, see
:mod:`~tessera.array.assign`); its graph is a dict of layers so that building an
expression costs O(layers), not O(tasks); ``__tessera_graph__`` merges them once.

>>> import tessera.array as da
>>> x = da.ones((4, 6), chunks=(2, 3))
>>> x  # doctest: +ELLIPSIS
tessera.array<ones, shape=(4, 6), dtype=float64, chunksize=(2, 3), ..., tasks=4>
>>> x.numblocks, x.npartitions, x.chunks
((2, 2), 4, ((2, 2), (3, 3)))
>>> (x + 1).sum().compute()
np.float64(48.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np

from tessera.array.chunks import Chunks
from tessera.base import Collection, ConvertsByComputing
from tessera.scheduling import threaded

__all__ = ["Array", "concatenate_blocks", "new_array"]

Layers = dict[str, dict[Any, Any]]


def concatenate_blocks(blocks: Any, ndim: int) -> Any:
    """Concatenate a nested list (depth ``ndim``) of NumPy blocks into one array.

    >>> concatenate_blocks([[np.ones((1, 2)), np.zeros((1, 1))]], 2)
    array([[1., 1., 0.]])
    """
    if ndim == 0:
        return blocks[0] if isinstance(blocks, list) else blocks

    def join(b: Any, axis: int) -> Any:
        if axis == ndim - 1:
            return b[0] if len(b) == 1 else np.concatenate(b, axis=axis)
        parts = [join(x, axis + 1) for x in b]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=axis)

    return join(blocks, 0)


def _finalize(results: Any, ndim: int) -> Any:
    return concatenate_blocks(results, ndim)


def _optimize(dsk: Mapping[Any, Any], keys: Sequence[Any], **kwargs: Any) -> dict[Any, Any]:
    from tessera.array.fusion import optimize_array  # it imports the reduction modules

    return optimize_array(dsk, keys, **kwargs)


class Array(ConvertsByComputing, Collection):
    """A lazy N-dimensional array split into NumPy blocks.

    Build arrays with the creation functions (``from_array``, ``arange``, ``ones``...)
    rather than with this constructor.

    Parameters
    ----------
    layers : dict
        Layer name -> tasks; must contain ``name``.
    name : str
        The name of the layer holding this array's blocks.
    chunks : tuple of tuple of int
        Block sizes along each axis.
    dtype : numpy dtype
        The dtype of the elements.

    Examples
    --------
    >>> import tessera.array as da
    >>> da.arange(10, chunks=4).chunks
    ((4, 4, 2),)
    """

    __array_priority__ = 11
    __tessera_scheduler__ = staticmethod(threaded.get)
    __tessera_optimize__ = staticmethod(_optimize)

    def __init__(self, layers: Layers, name: str, chunks: Chunks, dtype: Any) -> None:
        self.layers = layers
        self.name = name
        self.chunks: Chunks = tuple(
            tuple(int(c) if c == c else math.nan for c in cs) for cs in chunks
        )
        self.dtype = np.dtype(dtype)

    # -- the collection protocol ------------------------------------------------
    def __tessera_graph__(self) -> dict[Any, Any]:
        if len(self.layers) == 1:
            return self.layers[self.name]
        dsk: dict[Any, Any] = {}
        for layer in self.layers.values():
            dsk.update(layer)
        return dsk

    def __tessera_keys__(self) -> Any:
        if self.ndim == 0:
            return [(self.name,)]

        def keys(prefix: tuple[int, ...], axis: int) -> list[Any]:
            if axis == self.ndim - 1:
                return [(self.name, *prefix, i) for i in range(self.numblocks[axis])]
            return [keys((*prefix, i), axis + 1) for i in range(self.numblocks[axis])]

        return keys((), 0)

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return _finalize, (self.ndim,)

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return _rebuild, (self.name, self.chunks, self.dtype)

    def __tessera_tokenize__(self) -> Any:
        return ("Array", self.name)

    # -- metadata -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape (``nan`` on an axis whose chunk sizes are unknown)."""
        return tuple(sum(c) for c in self.chunks)

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.chunks)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes the computed array would take."""
        return self.size * self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def numblocks(self) -> tuple[int, ...]:
        """Number of blocks along each axis."""
        return tuple(len(c) for c in self.chunks)

    @property
    def npartitions(self) -> int:
        """Total number of blocks."""
        return math.prod(self.numblocks)

    @property
    def chunksize(self) -> tuple[int, ...]:
        """The largest block size along each axis."""
        return tuple(max(c, default=0) for c in self.chunks)

    def __len__(self) -> int:
        if not self.ndim:
            raise TypeError("len() of unsized object: this is a 0-d array")
        if math.isnan(self.shape[0]):
            from tessera.array.masking import unknown_error

            raise unknown_error("len()", self.chunks)
        return int(self.shape[0])

    def __repr__(self) -> str:
        tasks = sum(len(v) for v in self.layers.values())
        return (
            f"tessera.array<{self.name.rsplit('-', 1)[0]}, shape={self.shape}, "
            f"dtype={self.dtype}, chunksize={self.chunksize}, "
            f"chunktype=numpy.ndarray, tasks={tasks}>"
        )

    def _repr_html_(self) -> str:
        rows = [
            ("Shape", self.shape),
            ("Chunk shape", self.chunksize),
            ("Blocks", f"{self.numblocks} ({self.npartitions} in all)"),
            ("Dtype", self.dtype),
            ("Bytes", f"{self.nbytes:,}"),
            ("Tasks", sum(len(v) for v in self.layers.values())),
        ]
        body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        return f"<table><caption>tessera.array {self.name}</caption>{body}</table>"

    # -- conversion -----------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        x = np.asarray(self.compute())
        return x.astype(dtype) if dtype is not None else x

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        from tessera.array.array_function import array_function

        return array_function(func, types, args, kwargs)

    def __index__(self) -> int:
        return int(self.compute())

    def __iter__(self) -> Iterator[Array]:
        for i in range(len(self)):
            yield self[i]  # type: ignore[index]  # __getitem__ comes from slicing.py

    # -- assignment -------------------------------------------------------------
    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``: ``x`` takes over the graph of the assigned array.

        Arrays built from ``x`` before keep the old values; see
        :func:`~tessera.array.assign.setitem` for the indices supported.

        >>> import tessera.array as da
        >>> x = da.arange(6, chunks=4)
        >>> y = x + 0
        >>> x[x > 3] = -1
        >>> x.compute(), y.compute()
        (array([ 0,  1,  2,  3, -1, -1]), array([0, 1, 2, 3, 4, 5]))
        """
        from tessera.array.assign import setitem

        out = setitem(self, index, value)
        self.layers, self.name, self.chunks = out.layers, out.name, out.chunks

    def copy(self) -> Array:
        """A new array object with the same values (graphs are shared, never mutated).

        >>> import tessera.array as da
        >>> x = da.arange(3, chunks=2)
        >>> y = x.copy()
        >>> y[0] = 9
        >>> x.compute(), y.compute()
        (array([0, 1, 2]), array([9, 1, 2]))
        """
        return Array(dict(self.layers), self.name, self.chunks, self.dtype)

    def __tessera_block_keys__(self) -> list[tuple[Any, ...]]:
        """Every block key in C order (flat)."""
        return [(self.name, *idx) for idx in product(*(range(n) for n in self.numblocks))]


def _rebuild(dsk: Mapping[Any, Any], name: str, chunks: Chunks, dtype: Any) -> Array:
    return Array({name: dict(dsk)}, name, chunks, dtype)


def new_array(
    name: str,
    layer: dict[Any, Any],
    chunks: Chunks,
    dtype: Any,
    inputs: Sequence[Any] = (),
) -> Array:
    """Return an :class:`Array` whose blocks are ``layer``, built on ``inputs``' graphs.

    >>> a = new_array("x", {("x", 0): np.arange(3)}, ((3,),), int)
    >>> a.compute()
    array([0, 1, 2])
    """
    layers: Layers = {}
    for x in inputs:
        if isinstance(x, Array):
            layers.update(x.layers)
    layers[name] = layer
    return Array(layers, name, chunks, dtype)
