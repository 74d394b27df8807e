"""zarr arrays: write to and read from zarr (needs the ``zarr`` extra).

Map
---
- :func:`to_zarr` -- write an array into a new or existing zarr array (regular chunks).
- :func:`from_zarr` -- a lazy array over a zarr array, a path or a store.
- ``Array.to_zarr`` -- :func:`to_zarr` as a method (``x.to_zarr(path)``), installed at import.

zarr is imported lazily; without it both raise an ImportError naming the extra.  An
array with unknown chunk sizes (``x[x > 0]``) is refused before anything is created.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tessera.array.chunks import chunk_bounds
from tessera.array.core import Array
from tessera.array.store import region_ranges, store
from tessera.extras import import_extra

__all__ = ["from_zarr", "to_zarr"]


def _import_zarr(function: str) -> Any:
    return import_extra("zarr", f"tessera.array.{function}", "zarr")


def _aligned(
    chunks: Sequence[Sequence[int]], zchunks: Sequence[int], start: Sequence[int]
) -> bool:
    """Whether every inner block boundary (shifted by ``start``) falls on a zarr chunk edge."""
    for c, z, s in zip(chunks, zchunks, start, strict=True):
        if any((s + b) % z for b in chunk_bounds(tuple(c))[1:-1]):
            return False
    return True


def to_zarr(
    arr: Any,
    url: Any,
    component: str | None = None,
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    region: Any = None,
    compute: bool = True,
    return_stored: bool = False,
    **kwargs: Any,
) -> Any:
    """Write an array to a zarr array (a path, a store, or an existing ``zarr.Array``).

    A new zarr array takes the array's chunks, which must be regular (equal blocks
    but the last); writes are not locked since they fall on separate zarr chunks.
    Writing into an existing ``zarr.Array`` rechunks to its chunks if needed (or,
    with a ``region``, locks the writes).  ``kwargs`` go to ``zarr.create``.

    Examples
    --------
    >>> import pytest; zarr = pytest.importorskip("zarr")  # the zarr extra
    >>> import os, tempfile, tessera.array as da
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     da.to_zarr(da.arange(10, chunks=4), os.path.join(tmp, "x.zarr"), component="x")
    ...     print(da.from_zarr(os.path.join(tmp, "x.zarr"), component="x").compute())
    [0 1 2 3 4 5 6 7 8 9]
    """
    from tessera.array.creation import asarray
    from tessera.array.rechunk import rechunk

    zarr = _import_zarr("to_zarr")
    arr = asarray(arr)
    if any(math.isnan(c) for cs in arr.chunks for c in cs):
        raise ValueError(
            f"to_zarr: the array has unknown chunk sizes (shape {arr.shape}); call "
            "x.compute_chunk_sizes() first"
        )
    if isinstance(url, zarr.Array):
        start = [r.start for r in region_ranges(region, tuple(url.shape))]
        grid = getattr(url, "shards", None) or url.chunks  # the unit zarr writes whole
        lock = not _aligned(arr.chunks, grid, start)
        if lock and region is None:
            arr, lock = rechunk(arr, grid), False
        return store(
            arr, url, lock=lock, regions=region, compute=compute, return_stored=return_stored
        )
    if region is not None:
        raise ValueError("to_zarr: region= is only for writing into an existing zarr.Array")
    irregular = [c for c in arr.chunks if len(set(c[:-1])) > 1 or c[-1] > c[0]]
    if irregular:
        raise ValueError(
            f"to_zarr: zarr needs regular chunks (equal blocks, the last one may be smaller), "
            f"got {arr.chunks}; call x.rechunk(...) first"
        )
    if storage_options:
        kwargs["storage_options"] = storage_options
    z = zarr.create(
        shape=arr.shape,
        chunks=tuple(max(c, 1) for c in arr.chunksize),
        dtype=arr.dtype,
        store=url,
        path=component,
        overwrite=overwrite,
        **kwargs,
    )
    return store(arr, z, lock=False, compute=compute, return_stored=return_stored)


def _to_zarr_method(self: Array, *args: Any, **kwargs: Any) -> Any:
    """Write this array to zarr: ``x.to_zarr(url, ...)`` is ``to_zarr(x, url, ...)``."""
    return to_zarr(self, *args, **kwargs)


def from_zarr(
    url: Any,
    component: str | None = None,
    storage_options: dict[str, Any] | None = None,
    chunks: Any = None,
    name: str | None = None,
    **kwargs: Any,
) -> Array:
    """A lazy array reading a zarr array (a path, a store or a ``zarr.Array``).

    ``chunks`` defaults to the zarr array's own chunks; ``kwargs`` go to
    ``zarr.open_array``.

    Examples
    --------
    >>> import pytest; zarr = pytest.importorskip("zarr")  # the zarr extra
    >>> import tessera.array as da
    >>> z = zarr.create(shape=(4, 4), chunks=(2, 2), dtype="i4")
    >>> z[:] = 7
    >>> x = da.from_zarr(z)
    >>> x.chunks, int(x.compute().sum())
    (((2, 2), (2, 2)), 112)
    """
    from tessera.array.creation import from_array

    zarr = _import_zarr("from_zarr")
    if isinstance(url, zarr.Array):
        z = url
    else:
        if storage_options:
            kwargs["storage_options"] = storage_options
        z = zarr.open_array(store=url, path=component or "", mode="r", **kwargs)
    return from_array(z, chunks=z.chunks if chunks is None else chunks, name=name)


_to_zarr_method.__name__ = "to_zarr"
Array.to_zarr = _to_zarr_method  # type: ignore[attr-defined]
