"""The partial results of a grouped aggregation: chunk, combine and finalize functions.

Map
---
- :class:`Grouping` -- the grouping of a partition: column labels and
  :class:`SeriesKey` slots (the ``i``-th key Series partition), with pandas'
  ``sort``/``dropna``/``observed``.
- :class:`Plan` -- the outputs (:class:`~tessera.dataframe.groupby_spec.Output`), the
  grouping, the result's meta and options; derives the layout of the partials: which
  pandas groupby reductions each partition runs (each needed once, however many outputs
  share it), in which integer *slots* of the partial frame they go.
- :class:`Partial` -- what flows through the tree: ``wide``, one frame indexed by group
  whose columns are the slots, and ``pairs``, one frame of distinct ``(keys, value)``
  rows per ``nunique`` column.
- :func:`chunk` -- one partition to a :class:`Partial` (split by key hash into
  ``split_out`` partials when asked), all from one pandas groupby object, with
  ``sort=False`` (sorting happens once, at the end) -- or, for sums and counts by one
  dense integer key, from :func:`~tessera.dataframe.groupby_dense.dense_chunk`.
- :func:`combine` -- merge partials: concatenate in partition order and reduce again by
  group (sums of sums and counts, min of mins, first of firsts, ...; ``(count, mean, M2)``
  triples by Chan's parallel formula, stable for large means; distinct pairs deduplicated).
- :func:`finalize` -- the last combine with the user's ``sort``, then each output
  (``mean = sum / count``, ``var = M2 / (n - ddof)``, ``nunique`` = distinct non-null
  values per group) laid out as the meta says.

Policy: partials are concatenated in partition order and regrouped with ``sort=False``
until the last step, so ``first``/``last`` and ``sort=False`` group order follow the
data as in pandas.

>>> import pandas as pd
>>> from tessera.dataframe.groupby_spec import Output
>>> df = pd.DataFrame({"k": [1, 2, 1], "v": [1.0, 2.0, 5.0]})
>>> plan = Plan(Grouping(("k",)), (Output("v", "mean"),), df.groupby("k").v.mean().iloc[:0])
>>> halves = [chunk(plan, df.iloc[:2]), chunk(plan, df.iloc[2:])]
>>> finalize(halves, plan).to_dict()
{1: 3.0, 2: 2.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.groupby_dense import dense_chunk
from tessera.dataframe.groupby_spec import Output

__all__ = ["VALUES", "Grouping", "Partial", "Plan", "SeriesKey", "chunk", "combine", "finalize"]

VALUES = "__tessera_values__"
"""The column label of a grouped Series, once turned into a one-column frame."""

_REAGG = {
    "sum": "sum", "count": "sum", "size": "sum", "prod": "prod",
    "min": "min", "max": "max", "first": "first", "last": "last",
}  # fmt: skip


@dataclass(frozen=True)
class SeriesKey:
    """The ``i``-th key Series of a grouping (its partition is passed to :func:`chunk`)."""

    i: int


@dataclass(frozen=True)
class Grouping:
    """How a partition is grouped: ``keys`` are column labels or :class:`SeriesKey`."""

    keys: tuple[Any, ...]
    as_list: bool = False
    sort: bool = True
    dropna: bool = True
    observed: bool = True

    def by(self, key_parts: tuple[Any, ...]) -> Any:
        """The ``by`` argument of pandas' groupby for one partition."""
        by = [key_parts[k.i] if isinstance(k, SeriesKey) else k for k in self.keys]
        return by if self.as_list else by[0]

    def groupby(self, part: Any, key_parts: tuple[Any, ...], sort: bool = False) -> Any:
        """``part.groupby(...)`` with these keys and options."""
        return part.groupby(
            self.by(key_parts), sort=sort, dropna=self.dropna, observed=self.observed
        )

    def regroup(self, frame: pd.DataFrame, sort: bool) -> Any:
        """Group a frame of partial results by its index (the group keys)."""
        levels = list(range(frame.index.nlevels))
        return frame.groupby(level=levels, sort=sort, dropna=self.dropna, observed=self.observed)

    def series(self, part: pd.DataFrame, key_parts: tuple[Any, ...]) -> list[pd.Series]:
        """The keys of one partition, as Series (one per key)."""
        return [key_parts[k.i] if isinstance(k, SeriesKey) else part[k] for k in self.keys]


@dataclass(frozen=True)
class _Layout:
    simple: dict[tuple[Any, str], int]
    moments: dict[Any, int]
    pairs: dict[Any, int]
    nslots: int

    def chunk_ops(self) -> dict[str, list[tuple[Any, int]]]:
        out: dict[str, list[tuple[Any, int]]] = {}
        for (column, op), slot in self.simple.items():
            out.setdefault(op, []).append((column, slot))
        return out

    def reagg_ops(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for (_, op), slot in self.simple.items():
            out.setdefault(_REAGG[op], []).append(slot)
        return out


def _layout(outputs: tuple[Output, ...]) -> _Layout:
    simple: dict[tuple[Any, str], int] = {}
    moments: dict[Any, int] = {}
    pairs: dict[Any, int] = {}
    nslots = 0

    def need(column: Any, op: str) -> None:
        nonlocal nslots
        if (column, op) not in simple:
            simple[column, op] = nslots
            nslots += 1

    for o in outputs:
        if o.func == "mean":
            need(o.column, "sum")
            need(o.column, "count")
        elif o.func in ("var", "std"):
            if o.column not in moments:
                moments[o.column] = nslots
                nslots += 3
        elif o.func == "nunique":
            pairs.setdefault(o.column, len(pairs))
        else:
            need(None if o.func == "size" else o.column, o.func)
    if not nslots:  # the group index always comes from the wide frame
        need(None, "size")
    return _Layout(simple, moments, pairs, nslots)


@dataclass(frozen=True)
class Plan:
    """Everything the partial functions need: outputs, grouping, result meta and options."""

    grouping: Grouping
    outputs: tuple[Output, ...]
    meta: Any
    ddof: int = 1
    nunique_dropna: bool = True
    split_out: int = 1
    layout: _Layout = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layout", _layout(self.outputs))


@dataclass
class Partial:
    """Partial results of some partitions: ``wide`` (slots by group) and distinct ``pairs``."""

    wide: pd.DataFrame
    pairs: tuple[pd.DataFrame, ...]


def _moments(g: Any, slot: int) -> pd.DataFrame:
    n = g.count()
    mean = g.mean().astype("float64")
    return pd.DataFrame({slot: n, slot + 1: mean, slot + 2: g.var(ddof=0) * n})


def _distinct(grouping: Grouping, part: Any, key_parts: tuple[Any, ...], column: Any) -> Any:
    keys = [s.array for s in grouping.series(part, key_parts)]
    data = dict(enumerate(keys))
    data[len(keys)] = part[column].array
    pairs = pd.DataFrame(data)
    if grouping.dropna:
        pairs = pairs.dropna(subset=list(range(len(keys))))
    return pairs.drop_duplicates()


def _buckets(keys: pd.DataFrame, n: int) -> Any:
    return pd.util.hash_pandas_object(keys, index=False).to_numpy() % n


def _split(partial: Partial, n: int) -> list[Partial]:
    index = partial.wide.index
    levels = pd.DataFrame({i: index.get_level_values(i) for i in range(index.nlevels)})
    wide_b = _buckets(levels, n)
    pair_b = [_buckets(p.iloc[:, : index.nlevels], n) for p in partial.pairs]
    return [
        Partial(
            partial.wide[wide_b == j],
            tuple(p[b == j] for p, b in zip(partial.pairs, pair_b, strict=True)),
        )
        for j in range(n)
    ]


def _wide(plan: Plan, part: pd.DataFrame, key_parts: tuple[Any, ...]) -> pd.DataFrame:
    g = plan.grouping.groupby(part, key_parts)
    pieces = []
    for op, items in plan.layout.chunk_ops().items():
        if op == "size":
            pieces.append(g.size().to_frame(items[0][1]))
            continue
        res = getattr(g[[c for c, _ in items]], op)()
        res.columns = [s for _, s in items]
        pieces.append(res)
    pieces += [_moments(g[c], slot) for c, slot in plan.layout.moments.items()]
    return pieces[0] if len(pieces) == 1 else pd.concat(pieces, axis=1)


def chunk(plan: Plan, part: Any, *key_parts: Any) -> Partial | list[Partial]:
    """The partial results of one partition (a list of ``split_out`` partials if > 1)."""
    if isinstance(part, pd.Series):
        part = part.to_frame(VALUES)
    wide = dense_chunk(plan, part, key_parts)
    if wide is None:
        wide = _wide(plan, part, key_parts)
    pairs = tuple(_distinct(plan.grouping, part, key_parts, c) for c in plan.layout.pairs)
    out = Partial(wide, pairs)
    return _split(out, plan.split_out) if plan.split_out > 1 else out


def _chan(wide: pd.DataFrame, g: Any, slot: int) -> pd.DataFrame:
    total = g[slot].sum()
    codes = g.ngroup().to_numpy()
    n = wide[slot].to_numpy(dtype="float64")
    valid = n > 0
    mean = np.where(valid, wide[slot + 1].to_numpy(dtype="float64"), 0.0)
    m2 = np.where(valid, wide[slot + 2].to_numpy(dtype="float64"), 0.0)
    k = len(total)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = np.bincount(codes, weights=n * mean, minlength=k) / total.to_numpy("float64")
    spread = np.where(valid, n * (mean - grand[codes]) ** 2, 0.0)
    merged_m2 = np.bincount(codes, weights=m2 + spread, minlength=k)
    return pd.DataFrame({slot: total, slot + 1: grand, slot + 2: merged_m2}, index=total.index)


def _merge(parts: list[Partial], plan: Plan, sort: bool) -> Partial:
    wides = [p.wide for p in parts if len(p.wide)] or [parts[0].wide]
    wide = wides[0] if len(wides) == 1 else pd.concat(wides)
    g = plan.grouping.regroup(wide, sort)
    pieces = [getattr(g[slots], op)() for op, slots in plan.layout.reagg_ops().items()]
    pieces += [_chan(wide, g, slot) for slot in plan.layout.moments.values()]
    merged = pieces[0] if len(pieces) == 1 else pd.concat(pieces, axis=1)
    pairs = tuple(
        pd.concat([p.pairs[i] for p in parts]).drop_duplicates()
        for i in range(len(plan.layout.pairs))
    )
    return Partial(merged, pairs)


def combine(parts: list[Partial], plan: Plan) -> Partial:
    """Merge the partials of consecutive partitions into one (groups in order of appearance)."""
    return _merge(parts, plan, sort=False)


def _nunique(plan: Plan, pairs: pd.DataFrame, index: pd.Index) -> pd.Series:
    nk = pairs.shape[1] - 1
    g = pairs.groupby(list(range(nk)), sort=False, dropna=plan.grouping.dropna, observed=True)
    counts = g[nk].count() if plan.nunique_dropna else g.size()
    return counts.reindex(index, fill_value=0).astype("int64")  # count() of Float64 is Int64


def _output(o: Output, plan: Plan, merged: Partial) -> pd.Series:
    wide, layout = merged.wide, plan.layout
    if o.func == "mean":
        return wide[layout.simple[o.column, "sum"]] / wide[layout.simple[o.column, "count"]]
    if o.func in ("var", "std"):
        slot = layout.moments[o.column]
        dof = wide[slot] - plan.ddof
        var = (wide[slot + 2] / dof).where(dof > 0)
        return np.sqrt(var) if o.func == "std" else var
    if o.func == "nunique":
        return _nunique(plan, merged.pairs[layout.pairs[o.column]], wide.index)
    column = None if o.func == "size" else o.column
    return wide[layout.simple[column, o.func]]


def finalize(parts: list[Partial], plan: Plan) -> Any:
    """The last merge (sorted if asked), then the outputs laid out as ``plan.meta``."""
    merged = _merge(parts, plan, sort=plan.grouping.sort)
    meta = plan.meta
    dtypes = [meta.dtype] if isinstance(meta, pd.Series) else list(meta.dtypes)
    columns = [
        _cast(_output(o, plan, merged), o, dtype)
        for o, dtype in zip(plan.outputs, dtypes, strict=True)
    ]
    if isinstance(meta, pd.Series):
        out = columns[0].copy(deep=False)
        out.name = meta.name
    else:
        out = pd.DataFrame(dict(enumerate(columns)), index=merged.wide.index)
        out.columns = meta.columns
    out.index.names = meta.index.names
    return out


def _cast(column: pd.Series, o: Output, dtype: Any) -> pd.Series:
    # pandas keeps float32 for the mean/var/std of float32 data; the partials are float64
    if o.func in ("mean", "var", "std") and column.dtype != dtype:
        return column.astype(dtype)
    return column
