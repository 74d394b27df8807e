"""Set routines: :func:`unique` and :func:`isin`.

Map
---
- :func:`unique` -- each block of the flattened array is reduced to its sorted unique
  values (with first positions and counts when asked for); a tree of fan-in
  ``split_every`` merges those partials into one.  The number of unique values is known
  only after computing: the outputs are single blocks of ``nan`` length, as in Dask.
  ``return_inverse`` searches every block in the unique values (known chunks); with
  ``equal_nan=False`` the NaNs of the blocks before each block are counted (one small
  task), so every NaN gets its own slot in order of appearance, as in NumPy.
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

from collections import Counter
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


def _search_block(
    values: np.ndarray, block: np.ndarray, before: dict[int, int] | None = None
) -> np.ndarray:
    """Positions of ``block`` in ``values``; with ``before``, NaNs go to distinct slots.

    With ``equal_nan=False`` the NaNs of a run that sorts alike each have a slot, in
    order of appearance: ``before`` counts the earlier ones per first slot.
    """
    found = np.searchsorted(values, block).astype(np.intp, copy=False)
    if before is not None:
        nan = np.isnan(block)
        first = found[nan]
        found[nan] = first + [before.get(int(p), 0) for p in first] + _rank_in_run(first)
    return found


def _search_one_nan(values: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Positions of ``block`` in ``values``, every NaN (complex ones too) at the one NaN."""
    found = _search_block(values, block)
    nan = np.isnan(block)
    if nan.any():
        found[nan] = np.flatnonzero(np.isnan(values))[0]
    return found


def _rank_in_run(slots: np.ndarray) -> np.ndarray:
    """For each entry, how many earlier entries have the same value."""
    order = np.argsort(slots, kind="stable")
    ordered = slots[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ranks = np.empty(len(slots), dtype=np.intp)
    ranks[order] = np.arange(len(slots)) - np.repeat(starts, np.diff(np.r_[starts, len(slots)]))
    return ranks


def _nan_slots(values: np.ndarray, block: np.ndarray) -> dict[int, int]:
    """How many NaNs of ``block`` fall on each first slot of ``values``."""
    slots, counts = np.unique(np.searchsorted(values, block[np.isnan(block)]), return_counts=True)
    return dict(zip(slots.tolist(), counts.tolist(), strict=True))


def _running(per_block: list[dict[int, int]]) -> list[dict[int, int]]:
    """For each block, the NaN counts per slot of the blocks before it."""
    out, total = [], Counter[int]()
    for counts in per_block:
        out.append(dict(total))
        total.update(counts)
    return out


def unique(
    ar: Any,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    *,
    equal_nan: bool = True,
    split_every: int | None = None,
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
    split_every : int, optional
        Fan-in of the merge tree (default 8).

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
        results.append(_inverse(a, flat, out["values"], equal_nan))
    if return_counts:
        results.append(out["counts"])
    return results[0] if len(results) == 1 else tuple(results)


def _inverse(a: Array, flat: Array, values: Array, equal_nan: bool) -> Array:
    name = f"unique-inverse-{tokenize(flat, values)}"
    keys = flat_keys(flat)
    floats = np.issubdtype(a.dtype, np.inexact)
    search = _search_one_nan if floats and equal_nan else _search_block
    layer: dict[Any, Any] = {(name, *key[1:]): (search, (values.name, 0), key) for key in keys}
    if floats and not equal_nan:  # NaNs in order of appearance
        counts = {
            (f"{name}-nans", i): (_nan_slots, (values.name, 0), k) for i, k in enumerate(keys)
        }
        running = (f"{name}-running",)
        layer.update(counts)
        layer[running] = (_running, list(counts))
        for i, key in enumerate(keys):
            out_key = (name, *key[1:])
            layer[out_key] = (*layer[out_key], item_task(running, i))
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
