"""The tree reduction waist of the dataframe collections.

Map
---
- :func:`reduction` -- ``chunk`` on each partition, then ``combine`` on groups of at
  most ``split_every`` (default 8) partial results, then ``aggregate`` on the last
  group.  Returns a Series/DataFrame (one partition, unknown divisions) or a
  :class:`~tessera.dataframe.scalar.Scalar`, according to the ``meta``.
- :func:`combine_results` -- one task over several reduction results (``describe``).

Both are re-exported by :mod:`~tessera.dataframe.reductions`, where the reductions
built on them live.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tessera.dataframe.graph import Apply, Slot, make_meta, merge_layers, new_collection
from tessera.hashing import tokenize

__all__ = ["combine_results", "reduction"]


def reduction(
    frame: Any,
    chunk: Callable[[Any], Any],
    combine: Callable[[list[Any]], Any],
    aggregate: Callable[[list[Any]], Any],
    meta: Any,
    split_every: int | None = None,
    prefix: str = "reduction",
) -> Any:
    """Reduce ``frame`` with a tree: ``aggregate([combine([chunk(part), ...]), ...])``.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": range(10)}, npartitions=5)
    >>> r = reduction(df, len, sum, sum, meta=0, split_every=2)
    >>> r.compute()
    10
    """
    split_every = 8 if split_every is None else split_every
    if not isinstance(split_every, int) or split_every < 2:
        raise ValueError(f"split_every must be an integer >= 2, got {split_every!r}.")
    token = tokenize(frame, chunk, combine, aggregate, split_every)
    name = f"{prefix}-agg-{token}"
    layers = merge_layers(frame)
    cname = f"{prefix}-chunk-{token}"
    layers[cname] = {(cname, i): (chunk, (frame._name, i)) for i in range(frame.npartitions)}
    keys: list[Any] = [(cname, i) for i in range(frame.npartitions)]
    depth = 0
    while len(keys) > split_every:
        depth += 1
        lname = f"{prefix}-combine-{depth}-{token}"
        groups = [keys[i : i + split_every] for i in range(0, len(keys), split_every)]
        layers[lname] = {(lname, j): (combine, g) for j, g in enumerate(groups)}
        keys = [(lname, j) for j in range(len(groups))]
    layers[name] = {(name, 0): (aggregate, keys)}
    return new_collection(layers, name, make_meta(meta), (None, None))


def combine_results(
    func: Callable[..., Any], inputs: list[Any], meta: Any, prefix: str = "combine"
) -> Any:
    """One task ``func(*values)`` over one-partition collections (such as reductions).

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
    >>> combine_results(lambda lo, hi: hi - lo, [df.a.min(), df.a.max()], meta=0).compute()
    np.int64(2)
    """
    for x in inputs:
        if getattr(x, "npartitions", 1) != 1:
            raise ValueError(f"combine_results takes one-partition inputs, got {x!r}.")
    name = f"{prefix}-{tokenize(func, inputs)}"
    layers = merge_layers(*inputs)
    bound = Apply(func, tuple(Slot(i) for i in range(len(inputs))))
    layers[name] = {(name, 0): (bound, *[(x._name, 0) for x in inputs])}
    return new_collection(layers, name, make_meta(meta), (None, None))
