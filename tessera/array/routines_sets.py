"""Set routines: :func:`unique` and :func:`isin`.

Map
---
- :func:`unique` -- each block of the flattened array is reduced to its sorted unique
  values (with first positions and counts when asked for); a tree of fan-in
  ``split_every`` merges those partials into one.  The number of unique values is known
  only after computing: the outputs are single blocks of ``nan`` length, as in Dask.
  ``return_inverse`` searches every block in the unique values (known chunks).
- :func:`isin` -- ``test_elements`` is joined into one task's value, then each block of
  ``element`` is tested against it; the result has ``element``'s chunks.

Policy: NumPy's results (sorted values, ``intp`` indices and counts, NaNs collapsed with
``equal_nan``) and its output order ``values, index, inverse, counts``.

>>> import numpy as np, tessera.array as da
>>> x = da.from_array(np.array([3, 1, 3, 2, 1, 3]), chunks=4)
>>> values, counts = da.unique(x, return_counts=True)
>>> values.chunks
((nan,),)
>>> da.compute(values, counts)
(array([1, 2, 3]), array([2, 1, 3]))
>>> da.isin(x, [1, 2]).compute()
array([False,  True, False,  True,  True, False])
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.array.reshape import ravel, reshape
from tessera.array.routines_common import as_array, flat_keys, gather, item_task, single, tree
from tessera.hashing import tokenize

__all__ = ["isin", "unique"]


def _unique_block(block: np.ndarray, equal_nan: bool) -> dict[str, np.ndarray]:
    values, index, counts = np.unique(
        block, return_index=True, return_counts=True, equal_nan=equal_nan
    )
    return {"values": values, "index": index, "counts": counts, "length": np.intp(block.size)}


def _merge(parts: list[dict[str, Any]], equal_nan: bool) -> dict[str, Any]:
    offsets = np.cumsum([0] + [p["length"] for p in parts[:-1]])
    values = np.concatenate([p["values"] for p in parts])
    index = np.concatenate([p["index"] + off for p, off in zip(parts, offsets, strict=True)])
    counts = np.concatenate([p["counts"] for p in parts])
    out, first, inverse = np.unique(
        values, return_index=True, return_inverse=True, equal_nan=equal_nan
    )
    total = np.zeros(len(out), dtype=np.intp)
    np.add.at(total, inverse.reshape(-1), counts)
    length = np.intp(sum(p["length"] for p in parts))
    return {"values": out, "index": index[first], "counts": total, "length": length}


def _search_block(values: np.ndarray, block: np.ndarray) -> np.ndarray:
    return np.searchsorted(values, block).astype(np.intp, copy=False)


def unique(
    ar: Any,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    *,
    equal_nan: bool = True,
    split_every: int = 8,
) -> Any:
    """The sorted unique elements of ``ar`` (flattened), like :func:`numpy.unique`.

    Parameters
    ----------
    ar : array-like
    return_index : bool
        Also return the (flat) index of the first occurrence of each unique value.
    return_inverse : bool
        Also return the indices into the unique values that rebuild ``ar`` (shaped as
        NumPy shapes it).
    return_counts : bool
        Also return how many times each unique value occurs.
    equal_nan : bool
        Collapse NaNs into one value.
    split_every : int
        Fan-in of the merge tree.

    Returns
    -------
    Array or tuple of Array
        ``values`` (and ``index``, ``inverse``, ``counts``, in that order, when asked
        for); ``values``, ``index`` and ``counts`` have unknown (``nan``) length.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.from_array([[5, 7], [5, 6]], chunks=1)
    >>> u, idx, inv = unique(x, return_index=True, return_inverse=True)
    >>> da.compute(u, idx, inv)
    (array([5, 6, 7]), array([0, 3, 1]), array([[0, 2],
           [0, 1]]))
    """
    a = as_array(ar)
    flat = ravel(a) if a.ndim != 1 else a
    token = tokenize(flat, equal_nan, split_every)
    name = f"unique-{token}"
    layer: dict[Any, Any] = {
        (f"{name}-part", i): (_unique_block, key, equal_nan)
        for i, key in enumerate(flat_keys(flat))
    }
    merged, final = tree(
        f"{name}-merge", list(layer), partial(_merge, equal_nan=equal_nan), split_every
    )
    layer.update(merged)
    parts = {"values": a.dtype, "index": np.intp, "counts": np.intp}
    out = {
        field: single(f"{name}-{field}", layer, item_task(final, field), (np.nan,), dt, [flat])
        for field, dt in parts.items()
    }
    results = [out["values"]]
    if return_index:
        results.append(out["index"])
    if return_inverse:
        results.append(_inverse(a, flat, out["values"]))
    if return_counts:
        results.append(out["counts"])
    return results[0] if len(results) == 1 else tuple(results)


def _inverse(a: Array, flat: Array, values: Array) -> Array:
    name = f"unique-inverse-{tokenize(flat, values)}"
    layer = {(name, *key[1:]): (_search_block, (values.name, 0), key) for key in flat_keys(flat)}
    inverse = new_array(name, layer, flat.chunks, np.intp, inputs=[flat, values])
    probe = np.unique(np.zeros((1,) * a.ndim), return_inverse=True)[1]
    return reshape(inverse, a.shape) if probe.ndim == a.ndim and a.ndim != 1 else inverse


def isin(
    element: Any, test_elements: Any, assume_unique: bool = False, invert: bool = False
) -> Array:
    """Whether each element of ``element`` is in ``test_elements`` (:func:`numpy.isin`).

    ``test_elements`` (any shape, flattened) is joined into one task's value; the result
    is chunked like ``element``.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=4)
    >>> isin(x, da.from_array([4, 1, 9], chunks=2)).compute()
    array([False,  True, False, False,  True, False])
    >>> isin(x, [4, 1], invert=True).compute()
    array([ True, False,  True,  True, False,  True])
    """
    x, tests = as_array(element), as_array(test_elements)
    name = f"isin-{tokenize(x, tests, assume_unique, invert)}"
    tests_key = (f"{name}-tests",)
    layer: dict[Any, Any] = {tests_key: gather(tests)}
    for key in flat_keys(x):
        out_key = (name, *key[1:])
        layer[out_key] = (_isin_block, key, tests_key, assume_unique, invert)
    return new_array(name, layer, x.chunks, bool, inputs=[x, tests])


def _isin_block(block: np.ndarray, tests: np.ndarray, assume_unique: bool, invert: bool) -> Any:
    return np.isin(block, tests, assume_unique=assume_unique, invert=invert)
