"""Writing arrays out: ``store`` into array-likes, ``.npy`` stacks and zarr.

Map
---
- :func:`store` (and ``Array.store``) -- write each block into anything that supports
  ``target[region] = block`` (NumPy arrays and memmaps, h5py datasets, zarr arrays): one
  task per block, an optional lock around each write.  ``compute=False`` returns a
  :class:`StoreResult` collection that writes when computed.
- ``.npy`` stacks live in :mod:`tessera.array.npystack`, zarr in
  :mod:`tessera.array.zarr_io`; both write through :func:`store`.
- :class:`SerializableLock` -- a lock that survives pickling (one lock per token in each
  process).

Policy: ``lock=True`` puts one lock per target around its writes, which makes any
target safe under the threaded scheduler.  Across processes a lock only orders the
writes of one process, so the ``processes`` scheduler needs a target that several
processes can write (a ``np.memmap`` file, zarr on disk) and that pickles.  A memmap
target is sent to workers as its file name and reopened there; a plain NumPy array (or
an in-memory zarr array) cannot be written from another process and raises a clear error
when a worker would receive it.  ``to_npy_stack`` writes into a temporary directory next
to ``dirname`` and moves the files in (``info`` last) only when every block is written,
so a failure leaves no partial stack.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(10, chunks=4)
>>> out = np.zeros(10, dtype=x.dtype)
>>> da.store(x, out)
>>> out
array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
"""

from __future__ import annotations

import math
import threading
import uuid
import weakref
from itertools import product
from typing import Any, ClassVar

import numpy as np

from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array, new_array
from tessera.base import Collection, persist
from tessera.base import compute as compute_collections
from tessera.hashing import tokenize
from tessera.scheduling import threaded

__all__ = ["SerializableLock", "StoreResult", "store"]


class SerializableLock:
    """A ``threading.Lock`` that pickles: equal tokens share one lock in each process.

    >>> import pickle
    >>> lock = SerializableLock()
    >>> with lock:
    ...     pickle.loads(pickle.dumps(lock)).lock is lock.lock
    True
    """

    _locks: ClassVar[weakref.WeakValueDictionary[str, Any]] = weakref.WeakValueDictionary()

    def __init__(self, token: str | None = None) -> None:
        self.token = token or uuid.uuid4().hex
        lock = SerializableLock._locks.get(self.token)
        if lock is None:
            lock = SerializableLock._locks[self.token] = threading.Lock()
        self.lock = lock

    def __enter__(self) -> bool:
        return self.lock.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.lock.__exit__(*exc)

    def __getstate__(self) -> str:
        return self.token

    def __setstate__(self, token: str) -> None:
        self.__init__(token)  # type: ignore[misc]


# -- targets ------------------------------------------------------------------------------


class _LocalTarget:
    """A target in this process's memory: writable here, never from another process."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def __setitem__(self, index: Any, value: Any) -> None:
        self.target[index] = value

    def __reduce__(self) -> Any:
        raise TypeError(
            f"store: a {type(self.target).__name__} held in memory cannot be written from "
            "another process. Use scheduler='threads' or 'sync', or store into a target "
            "that processes can share (np.memmap, zarr on disk)."
        )


def _reopen_memmap(filename: str, dtype: Any, shape: Any, offset: int, order: str) -> Any:
    mm = np.memmap(filename, dtype=dtype, mode="r+", shape=shape, offset=offset, order=order)  # type: ignore[call-overload]
    return _MemmapTarget(mm)


class _MemmapTarget:
    """A whole ``np.memmap``: written in place here, reopened by file name elsewhere."""

    def __init__(self, target: np.memmap) -> None:
        self.target = target

    def __setitem__(self, index: Any, value: Any) -> None:
        self.target[index] = value

    def __reduce__(self) -> Any:
        t = self.target
        order = "F" if t.flags.f_contiguous and not t.flags.c_contiguous else "C"
        return _reopen_memmap, (t.filename, t.dtype, t.shape, t.offset, order)


def _wrap_target(target: Any) -> Any:
    import mmap

    if isinstance(target, np.memmap):
        whole = isinstance(target.base, mmap.mmap) and target.filename is not None
        if whole and target.mode in ("r+", "w+"):
            return _MemmapTarget(target)
        return _LocalTarget(target)
    if isinstance(target, np.ndarray):
        return _LocalTarget(target)
    if type(getattr(target, "store", None)).__name__ in ("MemoryStore", "dict", "KVStore"):
        return _LocalTarget(target)  # an in-memory zarr array
    return target


def _write(block: Any, target: Any, index: tuple[slice, ...], lock: Any, keep: bool) -> Any:
    if lock is not None:
        with lock:
            target[index] = block
    else:
        target[index] = block
    return block if keep else None


# -- store --------------------------------------------------------------------------------


def region_ranges(region: Any, shape: tuple[int, ...]) -> list[range]:
    """The positions that a region (slices, one per leading axis) selects on each axis.

    >>> region_ranges((slice(1, 3),), (5, 2))
    [range(1, 3), range(0, 2)]
    """
    if region is None:
        region = ()
    if isinstance(region, slice):
        region = (region,)
    region = tuple(region)
    if len(region) > len(shape) or not all(isinstance(s, slice) for s in region):
        raise TypeError(
            f"store: a region is a tuple of at most {len(shape)} slices (one per axis of the "
            f"target, shape {shape}), got {region!r}"
        )
    region += (slice(None),) * (len(shape) - len(region))
    return [range(*s.indices(n)) for s, n in zip(region, shape, strict=True)]


def _as_slice(r: range) -> slice:
    return slice(r.start, r.stop if r.stop >= 0 else None, r.step)


class StoreResult(Collection):
    """The writes of :func:`store` with ``compute=False``: compute it to write (gives None).

    >>> import numpy as np, tessera.array as da
    >>> out = np.zeros(3)
    >>> writes = da.store(da.ones(3, chunks=2), out, compute=False)
    >>> writes
    StoreResult<store-..., tasks=2 writes>
    >>> writes.compute(), out
    (None, array([1., 1., 1.]))
    """

    __tessera_scheduler__ = staticmethod(threaded.get)

    def __init__(self, layers: dict[str, dict[Any, Any]], keys: list[Any]) -> None:
        self.layers = layers
        self.keys = keys

    def __tessera_graph__(self) -> dict[Any, Any]:
        dsk: dict[Any, Any] = {}
        for layer in self.layers.values():
            dsk.update(layer)
        return dsk

    def __tessera_keys__(self) -> list[Any]:
        return self.keys

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return _nothing, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return _rebuild, (self.keys,)

    def __repr__(self) -> str:
        name = self.keys[0][0] if self.keys else "store"
        return f"StoreResult<{name}, tasks={len(self.keys)} writes>"


def _nothing(results: Any) -> None:
    return None


def _rebuild(dsk: dict[Any, Any], keys: list[Any]) -> StoreResult:
    return StoreResult({"persisted": dict(dsk)}, keys)


def _store_one(source: Array, target: Any, region: Any, lock: Any, keep: bool) -> Array:
    if any(isinstance(c, float) and math.isnan(c) for cs in source.chunks for c in cs):
        raise ValueError(
            f"store: the source has unknown chunk sizes (shape {source.shape}); call "
            "x.compute_chunk_sizes() first"
        )
    tshape = tuple(int(n) for n in target.shape)
    positions = region_ranges(region, tshape)
    rshape = tuple(len(r) for r in positions)
    if rshape != source.shape:
        where = f"the region {region!r} of a target of shape {tshape}" if region else "a target"
        raise ValueError(
            f"store: cannot store an array of shape {source.shape} into {where} of shape "
            f"{rshape}; the shapes must be equal"
        )
    if isinstance(target, np.ndarray) and not target.flags.writeable:
        raise ValueError(f"store: the target (shape {tshape}) is read-only")
    wrapped = _wrap_target(target)
    name = f"store-{tokenize(source, id(target), repr(region), lock is not None, keep)}"
    bounds = [chunk_bounds(c) for c in source.chunks]
    layer: dict[Any, Any] = {}
    for idx in product(*(range(n) for n in source.numblocks)):
        index = tuple(
            _as_slice(r[b[i] : b[i + 1]]) for r, b, i in zip(positions, bounds, idx, strict=True)
        )
        key, block = (name, *idx), (source.name, *idx)
        layer[key] = (_write, block, wrapped, index, lock, keep)
    return new_array(name, layer, source.chunks, source.dtype, inputs=[source])


def store(
    sources: Any,
    targets: Any,
    lock: Any = True,
    regions: Any = None,
    compute: bool = True,
    return_stored: bool = False,
    **kwargs: Any,
) -> Any:
    """Write arrays into targets that support ``target[region] = block``.

    Parameters
    ----------
    sources : Array or list of Array
        What to write.
    targets : array-like or list of array-likes
        Where: NumPy arrays, ``np.memmap``, h5py datasets, zarr arrays...  The target
        object must pickle for the ``processes`` scheduler (see the module docstring).
    lock : bool or lock
        ``True``: one lock per target around each write; ``False``: none; or a lock
        object to use for all writes.
    regions : tuple of slices or list of them, optional
        Where in each target to write (default: the whole target).
    compute : bool
        Write now (returns None) or return a :class:`StoreResult` to compute later.
    return_stored : bool
        Return arrays whose blocks are the written blocks (persisted in memory when
        ``compute`` is true) instead.
    **kwargs
        Passed to :func:`tessera.compute` (``scheduler=``, ``num_workers=``...).

    Examples
    --------
    >>> import numpy as np, tessera.array as da
    >>> x, out = da.ones((2, 4), chunks=2), np.zeros((3, 4))
    >>> da.store([x], [out], regions=(slice(1, 3),))
    >>> out
    array([[0., 0., 0., 0.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    >>> da.store(x, np.zeros((4, 2)))
    Traceback (most recent call last):
    ...
    ValueError: store: cannot store an array of shape (2, 4) into a target of shape (4, 2); ...
    """
    from tessera.array.creation import asarray

    if isinstance(sources, (Array, np.ndarray)):
        sources, targets = [sources], [targets]
        if regions is not None and not isinstance(regions, list):
            regions = [regions]
    sources = [asarray(s) if isinstance(s, np.ndarray) else s for s in sources]
    for s in sources:
        if not isinstance(s, Array):
            raise TypeError(f"store: sources must be tessera arrays, got {type(s).__name__}")
    targets = list(targets) if isinstance(targets, (list, tuple)) else [targets]
    if len(sources) != len(targets):
        raise ValueError(
            f"store: different number of sources [{len(sources)}] and targets [{len(targets)}]"
        )
    if regions is None or isinstance(regions, (tuple, slice)):
        regions = [regions] * len(sources)
    if len(regions) != len(sources):
        raise ValueError(
            f"store: different number of sources [{len(sources)}] and regions [{len(regions)}]"
        )
    for t in targets:
        if not hasattr(t, "__setitem__") or not hasattr(t, "shape"):
            raise TypeError(f"store: a target needs shape and __setitem__, got {type(t).__name__}")
    locks: dict[int, Any] = {}
    if lock is True:
        locks = {id(t): SerializableLock() for t in targets}
    writes = [
        _store_one(s, t, r, locks.get(id(t), lock or None), return_stored)
        for s, t, r in zip(sources, targets, regions, strict=True)
    ]
    if return_stored:
        result = persist(*writes, **kwargs) if compute else tuple(writes)
        return result[0] if len(result) == 1 else result
    layers: dict[str, dict[Any, Any]] = {}
    for w in writes:
        layers.update(w.layers)
    keys = [k for w in writes for k in w.__tessera_block_keys__()]
    collection = StoreResult(layers, keys)
    if not compute:
        return collection
    compute_collections(collection, **kwargs)
    return None


def _store_method(self: Array, target: Any, **kwargs: Any) -> Any:
    """``x.store(target, **kwargs)`` is ``store(x, target, **kwargs)``."""
    return store(self, target, **kwargs)


Array.store = _store_method  # type: ignore[attr-defined]
