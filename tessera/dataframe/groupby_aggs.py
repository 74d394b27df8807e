"""The partial results of a grouped aggregation: chunk, combine and output functions.

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
  whose columns are the slots; ``pairs``, one frame of ``(keys, value, count)`` rows
  per column with a ``nunique``, ``median`` or ``quantile``
  (:mod:`~tessera.dataframe.groupby_pairs`); and ``custom``, the partial Series of each
  user-defined :class:`~tessera.dataframe.groupby_custom.Aggregation`.
- :func:`chunk` -- one partition to a :class:`Partial` (split by key hash into
  ``split_out`` partials when asked), all from one pandas groupby object, with
  ``sort=False`` (sorting happens once, at the end) -- or, for sums and counts by one
  dense integer key, from :func:`~tessera.dataframe.groupby_dense.dense_chunk`.
  Datetimes are summed (for a ``mean``), and datetimes and timedeltas enter
  ``var``/``std``, as float ticks (:func:`~tessera.dataframe.ticks.to_ticks`).
- :func:`combine` -- merge partials: concatenate in partition order and reduce again by
  group (sums of sums and counts, min of mins, first of firsts, ...; ``(count, mean, M2)``
  triples by Chan's parallel formula, stable for large means; value counts added; a
  custom aggregation's ``agg``).
- :func:`merge` -- the merge behind :func:`combine`, also used (sorted) by
  :func:`~tessera.dataframe.groupby_output.finalize`.
- :func:`output` -- one result column from the merged partials (``mean = sum / count``,
  ``var = M2 / (n - ddof)``, ``nunique`` = distinct non-null values per group,
  quantiles from the value counts, a custom ``finalize``; ticks back to datetimes or
  timedeltas; with ``Plan.min_count``, a ``sum``/``prod`` of a group with fewer
  non-null values is missing, as in pandas).

With ``Plan.skipna`` False, chunks and merges run pandas' ``skipna=False``
(:meth:`Plan.skip`; no dense path): a missing value's group stays missing up the tree;
``(count, mean, M2)`` count every row then, and a median or quantile is missing when
the group's value counts hold a missing value.

Policy: partials are concatenated in partition order and regrouped with ``sort=False``
until the last step, so ``first``/``last`` and ``sort=False`` group order follow the
data as in pandas.

>>> import pandas as pd
>>> from tessera.dataframe.groupby_spec import Output
>>> df = pd.DataFrame({"k": [1, 2, 1], "v": [1.0, 2.0, 5.0]})
>>> plan = Plan(Grouping(("k",)), (Output("v", "mean"),), df.groupby("k").v.mean().iloc[:0])
>>> halves = [chunk(plan, df.iloc[:2]), chunk(plan, df.iloc[2:])]
>>> merged = merge([combine(halves, plan)], plan, sort=True)
>>> output(Output("v", "mean"), plan, merged, "float64").to_dict()
{1: 3.0, 2: 2.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.groupby_custom import (
    Aggregation,
    Partials,
    custom_chunk,
    custom_finalize,
    custom_merge,
)
from tessera.dataframe.groupby_dense import dense_chunk
from tessera.dataframe.groupby_pairs import (
    as_dtype,
    group_nunique,
    group_quantile,
    merge_counts,
    value_counts,
)
from tessera.dataframe.groupby_spec import Output
from tessera.dataframe.ticks import from_ticks, to_ticks

__all__ = [
    "VALUES", "Grouping", "Partial", "Plan", "SeriesKey", "chunk", "combine", "merge", "output",
]  # fmt: skip

VALUES = "__tessera_values__"
"""The column label of a grouped Series, once turned into a one-column frame."""

_REAGG = {
    "sum": "sum", "count": "sum", "size": "sum", "prod": "prod",
    "min": "min", "max": "max", "first": "first", "last": "last",
}  # fmt: skip
_SKIPPING = frozenset({"sum", "prod", "min", "max", "first", "last"})
"""The partial reductions that take pandas' ``skipna``."""


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

    def groupby(
        self, part: Any, key_parts: tuple[Any, ...], sort: bool = False, as_index: bool = True
    ) -> Any:
        """``part.groupby(...)`` with these keys and options."""
        by = self.by(key_parts)
        kw = {"as_index": False} if not as_index else {}
        return part.groupby(by, sort=sort, dropna=self.dropna, observed=self.observed, **kw)

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
    distinct: frozenset[Any]  # the pair columns with a nunique: counted, not just listed
    custom: dict[tuple[Any, Aggregation], int]
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


def _layout(outputs: tuple[Output, ...], min_count: int) -> _Layout:
    simple: dict[tuple[Any, str], int] = {}
    moments: dict[Any, int] = {}
    pairs: dict[Any, int] = {}
    distinct: set[Any] = set()
    custom: dict[tuple[Any, Aggregation], int] = {}
    nslots = 0

    def need(column: Any, op: str) -> None:
        nonlocal nslots
        if (column, op) not in simple:
            simple[column, op] = nslots
            nslots += 1

    for o in outputs:
        if isinstance(o.func, Aggregation):
            custom.setdefault((o.column, o.func), len(custom))
        elif o.func == "mean":
            need(o.column, "sum")
            need(o.column, "count")
        elif o.func in ("var", "std"):
            if o.column not in moments:
                moments[o.column] = nslots
                nslots += 3
        elif o.func in ("nunique", "median", "quantile"):
            pairs.setdefault(o.column, len(pairs))
            if o.func == "nunique":
                distinct.add(o.column)
        else:
            need(None if o.func == "size" else o.column, o.func)
            if min_count > 0 and o.func in ("sum", "prod"):
                need(o.column, "count")
    if not nslots:  # the group index always comes from the wide frame
        need(None, "size")
    return _Layout(simple, moments, pairs, frozenset(distinct), custom, nslots)


@dataclass(frozen=True)
class Plan:
    """Everything the partial functions need: outputs, grouping, result meta and options.

    ``flat`` is the meta of an ``as_index=False`` result (None: keys in the index).
    """

    grouping: Grouping
    outputs: tuple[Output, ...]
    meta: Any
    ddof: int = 1
    nunique_dropna: bool = True
    split_out: int = 1
    q: float = 0.5
    flat: Any = None
    min_count: int = 0
    skipna: bool = True
    layout: _Layout = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layout", _layout(self.outputs, self.min_count))

    @property
    def result_meta(self) -> Any:
        """The meta of the final result."""
        return self.meta if self.flat is None else self.flat

    def skip(self, op: str) -> dict[str, Any]:
        """The keywords of pandas' partial reduction ``op``: ``skipna=False`` when asked
        (a missing value then makes its group's partial missing, and so the result)."""
        return {} if self.skipna or op not in _SKIPPING else {"skipna": False}


@dataclass
class Partial:
    """Partial results of some partitions: ``wide`` (slots by group), value-count ``pairs``
    and ``custom`` partials."""

    wide: pd.DataFrame
    pairs: tuple[pd.DataFrame, ...]
    custom: tuple[Partials, ...] = ()


def _moments(g: Any, slot: int, skipna: bool) -> pd.DataFrame:
    """``(count, mean, M2)`` of each group; without ``skipna`` the count is of all rows
    and a missing value makes the mean and M2 missing (so they stay missing in
    :func:`_chan`, which skips empty partials)."""
    n = g.count() if skipna else g.size()
    mean = g.mean(skipna=skipna).astype("float64")
    return pd.DataFrame({slot: n, slot + 1: mean, slot + 2: g.var(ddof=0, skipna=skipna) * n})


def _buckets(keys: pd.DataFrame, n: int) -> Any:
    return pd.util.hash_pandas_object(keys, index=False).to_numpy() % n


def _index_buckets(index: pd.Index, n: int) -> Any:
    return _buckets(pd.DataFrame({i: index.get_level_values(i) for i in range(index.nlevels)}), n)


def _split(partial: Partial, n: int) -> list[Partial]:
    nk = partial.wide.index.nlevels
    wide_b = _index_buckets(partial.wide.index, n)
    pair_b = [_buckets(p.iloc[:, :nk], n) for p in partial.pairs]
    custom_b = [[_index_buckets(s.index, n) for s in c] for c in partial.custom]
    return [
        Partial(
            partial.wide[wide_b == j],
            tuple(p[b == j] for p, b in zip(partial.pairs, pair_b, strict=True)),
            tuple(
                tuple(s[b == j] for s, b in zip(c, bs, strict=True))
                for c, bs in zip(partial.custom, custom_b, strict=True)
            ),
        )
        for j in range(n)
    ]


def _ticked(plan: Plan, part: pd.DataFrame) -> tuple[set[Any], set[Any]]:
    """The value columns reduced as ticks: the datetimes summed (for a mean), and the
    datetimes and timedeltas of a ``var``/``std`` (a group key is left alone)."""
    keys = set(plan.grouping.keys)
    sums = {c for c, op in plan.layout.simple if op == "sum" and c is not None}
    return (
        {c for c in sums - keys if part[c].dtype.kind == "M"},
        {c for c in set(plan.layout.moments) - keys if part[c].dtype.kind in "mM"},
    )


def _with_ticks(part: pd.DataFrame, columns: set[Any]) -> pd.DataFrame:
    part = part.copy(deep=False)
    for c in columns:
        part[c] = to_ticks(part[c])
    return part


def _wide(plan: Plan, g: Any, ticks: Any, tick_sums: set[Any]) -> pd.DataFrame:
    """The wide partial from ``g``; ``ticks`` are the same groups with some columns as
    ticks, read for the moments and for the sums of ``tick_sums``."""
    pieces = []
    for op, items in plan.layout.chunk_ops().items():
        if op == "size":
            pieces.append(g.size().to_frame(items[0][1]))
            continue
        ticked = tick_sums if op == "sum" else set()
        for source, chosen in ((g, [x for x in items if x[0] not in ticked]),
                               (ticks, [x for x in items if x[0] in ticked])):  # fmt: skip
            if chosen:
                res = getattr(source[[c for c, _ in chosen]], op)(**plan.skip(op))
                res.columns = [s for _, s in chosen]
                pieces.append(res)
    moments = plan.layout.moments.items()
    pieces += [_moments(ticks[c], slot, plan.skipna) for c, slot in moments]
    return pieces[0] if len(pieces) == 1 else pd.concat(pieces, axis=1)


def chunk(plan: Plan, part: Any, *key_parts: Any) -> Partial | list[Partial]:
    """The partial results of one partition (a list of ``split_out`` partials if > 1)."""
    if isinstance(part, pd.Series):
        part = part.to_frame(VALUES)
    grouping, layout = plan.grouping, plan.layout
    g = grouping.groupby(part, key_parts)
    wide = dense_chunk(plan, part, key_parts) if plan.skipna else None
    if wide is None:
        tick_sums, tick_moments = _ticked(plan, part)
        ticked = tick_sums | tick_moments
        ticks = grouping.groupby(_with_ticks(part, ticked), key_parts) if ticked else g
        wide = _wide(plan, g, ticks, tick_sums)
    keys = grouping.series(part, key_parts)
    pairs = tuple(
        value_counts(keys, part[c], grouping.dropna, c in layout.distinct) for c in layout.pairs
    )
    custom = tuple(custom_chunk(agg, g[c]) for c, agg in layout.custom)
    out = Partial(wide, pairs, custom)
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


def _has_missing(counts: pd.DataFrame, index: pd.Index, dropna: bool) -> np.ndarray:
    """Whether each group of ``index`` has a missing value, from its value counts."""
    nk = counts.shape[1] - 2
    keys = [counts[i] for i in range(nk)]
    missing = counts[nk].isna().groupby(keys, dropna=dropna, observed=True).any()
    missing.index = missing.index.set_names(index.names)
    return missing.reindex(index, fill_value=False).to_numpy(dtype=bool)


def merge(parts: list[Partial], plan: Plan, sort: bool) -> Partial:
    """Merge partials of consecutive partitions (groups sorted if ``sort``)."""
    wides = [p.wide for p in parts if len(p.wide)] or [parts[0].wide]
    wide = wides[0] if len(wides) == 1 else pd.concat(wides)
    g = plan.grouping.regroup(wide, sort)
    pieces = [
        getattr(g[slots], op)(**plan.skip(op)) for op, slots in plan.layout.reagg_ops().items()
    ]
    pieces += [_chan(wide, g, slot) for slot in plan.layout.moments.values()]
    merged = pieces[0] if len(pieces) == 1 else pd.concat(pieces, axis=1)
    pairs = tuple(
        merge_counts([p.pairs[i] for p in parts], c in plan.layout.distinct)
        for i, c in enumerate(plan.layout.pairs)
    )
    custom = tuple(
        custom_merge([p.custom[i] for p in parts], agg, sort)
        for i, (_, agg) in enumerate(plan.layout.custom)
    )
    return Partial(merged, pairs, custom)


def combine(parts: list[Partial], plan: Plan) -> Partial:
    """Merge the partials of consecutive partitions into one (groups in order of appearance)."""
    return merge(parts, plan, sort=False)


def output(o: Output, plan: Plan, merged: Partial, dtype: Any) -> pd.Series:
    """Result column ``o`` (of ``dtype``) from the merged partials."""
    wide, layout = merged.wide, plan.layout
    if isinstance(o.func, Aggregation):
        result = custom_finalize(merged.custom[layout.custom[o.column, o.func]], o.func)
        return result if result.index.equals(wide.index) else result.reindex(wide.index)
    if o.func == "mean":
        result = wide[layout.simple[o.column, "sum"]] / wide[layout.simple[o.column, "count"]]
    elif o.func in ("var", "std"):
        slot = layout.moments[o.column]
        dof = wide[slot] - plan.ddof
        result = (wide[slot + 2] / dof).where(dof > 0)
        result = np.sqrt(result) if o.func == "std" else result
    elif o.func == "nunique":
        counts = merged.pairs[layout.pairs[o.column]]
        return group_nunique(counts, wide.index, plan.grouping.dropna, plan.nunique_dropna)
    elif o.func in ("median", "quantile"):
        counts = merged.pairs[layout.pairs[o.column]]
        q = 0.5 if o.func == "median" else plan.q
        result = group_quantile(counts, q, wide.index, plan.grouping.dropna)
        if not plan.skipna:
            result = result.mask(_has_missing(counts, result.index, plan.grouping.dropna))
    else:
        result = wide[layout.simple[None if o.func == "size" else o.column, o.func]]
        if plan.min_count > 0 and o.func in ("sum", "prod"):
            few = wide[layout.simple[o.column, "count"]] < plan.min_count
            result = result.mask(few) if few.any() else result
        return result
    dtype = pd.api.types.pandas_dtype(dtype)
    if result.dtype.kind == "f" and dtype.kind in "mM":  # ticks of datetimes or timedeltas
        return pd.Series(
            from_ticks(result.to_numpy(), dtype), index=result.index, name=result.name
        )
    # the partials are float64; pandas keeps float32 (mean/var/std)
    return as_dtype(result, dtype)
