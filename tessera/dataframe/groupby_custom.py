"""User-defined grouped aggregations: :class:`Aggregation` (Dask's ``dd.Aggregation``).

Map
---
- :class:`Aggregation` -- ``name``, ``chunk``, ``agg`` and an optional ``finalize``,
  with Dask's contract: ``chunk`` gets the pandas ``SeriesGroupBy`` of one column of one
  partition and returns a Series indexed by group (or a tuple of them); ``agg`` gets
  the concatenated partials regrouped by group, one ``SeriesGroupBy`` per element of
  that tuple, and returns the same shape (it also merges partials in the tree, so it
  must be associative); ``finalize`` turns the merged partials into the result Series
  (default: the single partial itself).
- :func:`custom_chunk`, :func:`custom_merge`, :func:`custom_finalize` -- the three
  steps on the tuple of Series that flows through the tree for each aggregation.
- :func:`pandas_spec` -- an ``agg`` argument with every :class:`Aggregation` replaced by
  a plain function of a group (named after the aggregation), so that pandas itself,
  run on a small fake partition, gives the result's labels and dtypes.

>>> import pandas as pd
>>> mean = Aggregation("mean2", lambda s: (s.count(), s.sum()),
...                    lambda n, t: (n.sum(), t.sum()), lambda n, t: t / n)
>>> g = pd.DataFrame({"k": [1, 2, 1], "v": [1.0, 2.0, 4.0]}).groupby("k").v
>>> custom_finalize(custom_merge([custom_chunk(mean, g)], mean, sort=True), mean).tolist()
[2.5, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Aggregation", "custom_chunk", "custom_finalize", "custom_merge", "pandas_spec"]

Partials = tuple[pd.Series, ...]


@dataclass(frozen=True)
class Aggregation:
    """A user-defined groupby aggregation in map-reduce form (Dask's API).

    Parameters
    ----------
    name : str
        The label of the result column when used in a list of aggregations.
    chunk : callable
        ``SeriesGroupBy -> Series | tuple[Series, ...]``, run on each partition.
    agg : callable
        ``*SeriesGroupBy -> Series | tuple[Series, ...]``, merges partials (same shape
        as ``chunk``'s output).
    finalize : callable, optional
        ``*Series -> Series``, the result from the merged partials.

    Examples
    --------
    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1.0, 2.0, 4.0]}, npartitions=2)
    >>> spread = Aggregation("spread", lambda s: (s.max(), s.min()),
    ...                      lambda hi, lo: (hi.max(), lo.min()), lambda hi, lo: hi - lo)
    >>> df.groupby("k").v.agg(spread).compute().tolist()
    [3.0, 0.0]
    """

    name: str
    chunk: Callable[..., Any]
    agg: Callable[..., Any]
    finalize: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"Aggregation(name=...) must be a str, got {self.name!r}.")
        for role in ("chunk", "agg"):
            if not callable(getattr(self, role)):
                raise TypeError(
                    f"Aggregation({self.name!r}): {role} must be callable, got "
                    f"{getattr(self, role)!r}."
                )
        if self.finalize is not None and not callable(self.finalize):
            raise TypeError(
                f"Aggregation({self.name!r}): finalize must be callable or None, got "
                f"{self.finalize!r}."
            )


def _as_tuple(result: Any, agg: Aggregation, role: str) -> Partials:
    out = result if isinstance(result, tuple) else (result,)
    if not all(isinstance(s, pd.Series) for s in out):
        raise TypeError(
            f"Aggregation({agg.name!r}).{role} must return a pandas Series indexed by group "
            f"or a tuple of them, got {type(result).__name__}."
        )
    return out


def custom_chunk(agg: Aggregation, grouped: Any) -> Partials:
    """``agg.chunk`` on the ``SeriesGroupBy`` of one column of one partition."""
    return _as_tuple(agg.chunk(grouped), agg, "chunk")


def custom_merge(parts: list[Partials], agg: Aggregation, sort: bool) -> Partials:
    """Concatenate partials (in partition order), regroup by group and apply ``agg.agg``."""
    merged = []
    for pieces in zip(*parts, strict=True):
        whole = pd.concat(pieces)
        levels = list(range(whole.index.nlevels))
        merged.append(whole.groupby(level=levels, sort=sort, dropna=False))
    return _as_tuple(agg.agg(*merged), agg, "agg")


def custom_finalize(partials: Partials, agg: Aggregation) -> pd.Series:
    """The result Series: ``agg.finalize(*partials)``, or the one partial without it."""
    if agg.finalize is not None:
        return agg.finalize(*partials)
    if len(partials) != 1:
        raise TypeError(
            f"Aggregation({agg.name!r}) has {len(partials)} partials but no finalize to "
            "turn them into one result; pass finalize=."
        )
    return partials[0]


def _whole(agg: Aggregation) -> Callable[[pd.Series], Any]:
    """``agg`` on one group as a function pandas can call (named ``agg.name``)."""

    def run(values: pd.Series) -> Any:
        grouped = values.groupby(np.zeros(len(values), dtype="int64"))
        merged = custom_merge([custom_chunk(agg, grouped)], agg, sort=True)
        return custom_finalize(merged, agg).iloc[0]

    run.__name__ = agg.name
    return run


def pandas_spec(arg: Any, named: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``(arg, named)`` of ``agg`` with each :class:`Aggregation` made a plain function.

    >>> agg = Aggregation("total", lambda s: s.sum(), lambda s: s.sum())
    >>> arg, named = pandas_spec(["sum", agg], {})
    >>> arg[0], arg[1].__name__
    ('sum', 'total')
    """

    def swap(f: Any) -> Any:
        if isinstance(f, Aggregation):
            return _whole(f)
        if isinstance(f, list | tuple) and not isinstance(f, pd.NamedAgg):
            return type(f)(swap(x) for x in f)
        return f

    def swap_named(spec: Any) -> Any:
        if isinstance(spec, pd.NamedAgg):
            return pd.NamedAgg(spec.column, swap(spec.aggfunc))
        if isinstance(spec, tuple) and len(spec) == 2:
            return (spec[0], swap(spec[1]))
        return swap(spec)

    arg = {k: swap(v) for k, v in arg.items()} if isinstance(arg, Mapping) else swap(arg)
    return arg, {k: swap_named(v) for k, v in named.items()}
