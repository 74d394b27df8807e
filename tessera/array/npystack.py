""".npy stacks: one ``.npy`` file per block along an axis, plus an ``info`` file.

Map
---
- :func:`to_npy_stack` -- write an array as a directory of ``.npy`` files (JSON ``info``:
  chunks, dtype, axis); all or nothing: the files go into a temporary directory next to
  the target and are moved in (``info`` last) only when every block is written; an
  array with unknown chunk sizes is refused before anything is written.
- :func:`from_npy_stack` -- read such a directory back lazily (also Dask's stacks).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.store import StoreResult
from tessera.base import compute as compute_collections
from tessera.hashing import tokenize

__all__ = ["from_npy_stack", "to_npy_stack"]

#: ``np.load`` parses the ``.npy`` header with ``ast.literal_eval``, which CPython 3.11 can
#: fail in two threads at once ("SystemError: AST constructor recursion depth mismatch",
#: python/cpython#106905); blocks are read one at a time (memory-mapped by default, so
#: this is the header only).
_LOAD_LOCK = threading.Lock()


def _save_block(block: Any, path: Path) -> None:
    with open(path, "wb") as f:
        np.save(f, np.asarray(block), allow_pickle=False)


def to_npy_stack(dirname: str | os.PathLike[str], x: Any, axis: int = 0, **kwargs: Any) -> None:
    """Write ``x`` as one ``.npy`` file per block along ``axis``, plus an ``info`` file.

    The array is first rechunked to be whole along the other axes.  Keywords go to
    :func:`tessera.compute`.  Read it back with :func:`from_npy_stack`.

    Examples
    --------
    >>> import os, tempfile, tessera.array as da
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     da.to_npy_stack(os.path.join(tmp, "stack"), da.ones((5, 2), chunks=(2, 1)))
    ...     print(sorted(os.listdir(os.path.join(tmp, "stack"))))
    ...     print(da.from_npy_stack(os.path.join(tmp, "stack"), mmap_mode=None).chunks)
    ['0.npy', '1.npy', '2.npy', 'info']
    ((2, 2, 1), (2,))
    """
    from numpy.exceptions import AxisError

    from tessera.array.creation import asarray
    from tessera.array.rechunk import rechunk

    x = asarray(x)
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise AxisError(
            f"to_npy_stack: axis {axis} is out of bounds for an array of shape {x.shape}"
        )
    if x.dtype.hasobject:
        raise ValueError("to_npy_stack cannot write arrays of dtype object (no pickles)")
    if any(math.isnan(c) for cs in x.chunks for c in cs):
        raise ValueError(
            f"to_npy_stack: the array has unknown chunk sizes (shape {x.shape}); call "
            "x.compute_chunk_sizes() first"
        )
    axis %= x.ndim
    x = rechunk(x, tuple(c if i == axis else -1 for i, c in enumerate(x.chunks)))
    final = Path(dirname)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    try:
        name = f"to-npy-stack-{tokenize(x, str(staging))}"
        layer = {
            (name, i): (
                _save_block,
                (x.name, *[i if a == axis else 0 for a in range(x.ndim)]),
                staging / f"{i}.npy",
            )
            for i in range(x.numblocks[axis])
        }
        compute_collections(StoreResult({**x.layers, name: layer}, list(layer)), **kwargs)
        info = {
            "format": "tessera-npy-stack",
            "chunks": [list(c) for c in x.chunks],
            "dtype": np.lib.format.dtype_to_descr(x.dtype),
            "axis": axis,
        }
        (staging / "info").write_text(json.dumps(info))
        if not final.exists():
            staging.rename(final)
            return
        for i in range(x.numblocks[axis]):
            os.replace(staging / f"{i}.npy", final / f"{i}.npy")
        os.replace(staging / "info", final / "info")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_info(dirname: Path) -> dict[str, Any]:
    raw = (dirname / "info").read_bytes()
    try:
        info: dict[str, Any] = json.loads(raw)
        info["dtype"] = np.lib.format.descr_to_dtype(_tuples(info["dtype"]))
    except (UnicodeDecodeError, json.JSONDecodeError):
        info = pickle.loads(raw)  # a stack written by Dask
    info["chunks"] = tuple(tuple(int(n) for n in c) for c in info["chunks"])
    return info


def _tuples(descr: Any) -> Any:
    """Undo JSON's lists-for-tuples in a dtype description (structured dtypes)."""
    if isinstance(descr, str):
        return descr
    fields = []
    for name, fmt, *shape in descr:
        name = tuple(name) if isinstance(name, list) else name
        fields.append((name, _tuples(fmt), *(tuple(s) for s in shape)))
    return fields


@dataclass(frozen=True)
class _LoadBlock:
    path: Path
    shape: tuple[int, ...]
    mmap_mode: str | None

    def __call__(self) -> np.ndarray:
        with _LOAD_LOCK:
            block = np.load(self.path, mmap_mode=self.mmap_mode, allow_pickle=False)  # type: ignore[arg-type]
        if block.shape != self.shape:
            raise ValueError(
                f"{self.path} holds shape {block.shape}, the info file says {self.shape}"
            )
        return block


def from_npy_stack(dirname: str | os.PathLike[str], mmap_mode: str | None = "r") -> Array:
    """Read a stack written by :func:`to_npy_stack` (or by Dask) lazily, block by block.

    Parameters
    ----------
    dirname : path
        The stack's directory.
    mmap_mode : {"r", "r+", "c", None}
        How each block's file is opened (``None``: read into memory).  A Dask stack's
        ``info`` file is a pickle: only open stacks you trust.

    Examples
    --------
    >>> import tempfile, tessera.array as da
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     da.to_npy_stack(tmp, da.arange(6, chunks=4))
    ...     print(da.from_npy_stack(tmp, mmap_mode=None).compute())
    [0 1 2 3 4 5]
    """
    path = Path(dirname)
    info = _read_info(path)
    chunks, axis = info["chunks"], int(info["axis"])
    stamp = (path / "info").stat().st_mtime_ns
    token = tokenize(str(path.resolve()), chunks, info["dtype"], axis, stamp, mmap_mode)
    name = f"from-npy-stack-{token}"
    layer: dict[Any, Any] = {}
    for i in range(len(chunks[axis])):
        shape = tuple(c[i] if a == axis else c[0] for a, c in enumerate(chunks))
        idx = [i if a == axis else 0 for a in range(len(chunks))]
        key = (name, *idx)
        layer[key] = (_LoadBlock(path / f"{i}.npy", shape, mmap_mode),)
    return new_array(name, layer, chunks, info["dtype"])
