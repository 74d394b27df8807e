"""Grouped reductions: ``df.groupby(by).sum/mean/.../agg(...)`` as one tree reduction.

Map
---
- :class:`GroupBy` -- a frame (DataFrame or Series), its group keys and an optional
  column selection (``df.groupby("k").v`` or ``df.groupby("k")[["v", "w"]]``).  Keys are
  column names, index level names (``level=`` too) and/or Series of the same
  partitioning (``df.groupby(df.k % 3)``, ``df.groupby(df.index)``); a Series that is
  just a column of the frame (``df.groupby(df.k)``) is that column's name, and an index
  level becomes a key Series of its values
  (:func:`~tessera.dataframe.groupby_tree.index_keys`), as in pandas.  Every
  aggregation -- the methods of
  :class:`~tessera.dataframe.groupby_methods.GroupByMethodsMixin` (``sum, mean, count,
  size, min, max, prod, first, last, std, var, nunique, median, quantile``) and ``agg``
  with a name, a list, a dict or named aggregations, including user-defined
  :class:`~tessera.dataframe.groupby_custom.Aggregation` -- makes one
  :class:`~tessera.dataframe.groupby_aggs.Plan` and one
  :func:`~tessera.dataframe.groupby_tree.grouped_reduction`: a single pass over the
  data computes every partial the outputs need.

Modules: :mod:`~tessera.dataframe.groupby_spec` (what ``agg`` asks for),
:mod:`~tessera.dataframe.groupby_aggs` (chunk/combine),
:mod:`~tessera.dataframe.groupby_output` (finalize, ``as_index=False``),
:mod:`~tessera.dataframe.groupby_tree` (the graph); ``cumsum``... come from
:mod:`~tessera.dataframe.groupby_cum`, ``apply``/``transform`` from
:mod:`~tessera.dataframe.groupby_apply`.

Policy: results equal pandas' -- index, column order and labels, dtypes (the meta is
pandas' own answer on a small fake partition), ``sort``, ``dropna``, ``observed`` and
``as_index`` (``False``: keys as columns and a ``RangeIndex``, per output partition).
With ``split_out=N > 1`` the result has ``N`` partitions, groups hash-partitioned among
them; each partition is sorted, the whole is not (as in Dask).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 5.0]}, npartitions=3)
>>> df.groupby("k").mean().compute()
     v
k
1  2.0
2  3.5
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.core import DataFrame, Series
from tessera.dataframe.graph import make_meta, nonempty
from tessera.dataframe.groupby_aggs import VALUES, Grouping, Plan, SeriesKey
from tessera.dataframe.groupby_apply import GroupByShuffleMixin
from tessera.dataframe.groupby_cum import GroupByCumMixin
from tessera.dataframe.groupby_custom import pandas_spec
from tessera.dataframe.groupby_methods import GroupByMethodsMixin
from tessera.dataframe.groupby_output import value_dtypes
from tessera.dataframe.groupby_spec import Output, normalize
from tessera.dataframe.groupby_tree import (
    check_splits,
    grouped_reduction,
    index_keys,
    normalize_by,
)

__all__ = ["GroupBy"]


class GroupBy(GroupByMethodsMixin, GroupByCumMixin, GroupByShuffleMixin):
    """The result of ``DataFrame.groupby`` or ``Series.groupby`` (Dask's GroupBy API).

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"k": ["a", "b", "a"], "v": [1, 2, 3]}, npartitions=2)
    >>> df.groupby("k").v.agg("sum").compute().to_dict()
    {'a': 4, 'b': 2}
    """

    def __init__(
        self,
        frame: Any,
        by: Any,
        sort: bool = True,
        dropna: bool = True,
        selection: Any = None,
        observed: bool = True,
        group_keys: bool = True,
        as_index: bool = True,
        level: Any = None,
    ) -> None:
        if not isinstance(as_index, bool):
            raise TypeError(f"as_index must be True or False, got {as_index!r}.")
        if not as_index and isinstance(frame, Series):
            raise TypeError("as_index=False only valid with DataFrame (this is a Series).")
        by = index_keys(frame, by, level)
        self._by_keys, self._by_series = normalize_by(frame, by)
        self.frame, self.by, self.sort, self.dropna = frame, by, sort, dropna
        self.observed, self.group_keys, self.selection = observed, group_keys, selection
        self.as_index = as_index

    def __getitem__(self, key: Any) -> GroupBy:
        if isinstance(self.frame, Series):
            raise KeyError(f"Cannot select column {key!r} of a grouped Series.")
        self.frame._check_columns(key if isinstance(key, list) else [key])
        return GroupBy(
            self.frame,
            self.by,
            self.sort,
            self.dropna,
            key,
            self.observed,
            self.group_keys,
            self.as_index,
        )

    def __getattr__(self, key: str) -> GroupBy:
        frame = self.__dict__.get("frame")
        if not key.startswith("_") and isinstance(frame, DataFrame) and key in frame.columns:
            return self[key]
        raise AttributeError(f"'GroupBy' object has no attribute {key!r}")

    # -- what is grouped -------------------------------------------------------------
    @property
    def _is_series(self) -> bool:
        return isinstance(self.frame, Series) or not (
            self.selection is None or isinstance(self.selection, list)
        )

    def _columns(self) -> list[Any]:
        """The value columns (a SeriesGroupBy: its one column)."""
        if isinstance(self.frame, Series):
            return [VALUES]
        if self.selection is not None:
            return self.selection if isinstance(self.selection, list) else [self.selection]
        return [c for c in self.frame.columns if c not in self._by_keys]

    def _grouping(self) -> Grouping:
        as_list = isinstance(self.by, list)
        return Grouping(self._by_keys, as_list, self.sort, self.dropna, self.observed)

    def _fake(self, as_index: bool = True) -> Any:
        """The pandas groupby of a small fake partition (for the result's meta)."""
        fake = nonempty(self.frame.meta)
        keys = tuple(
            pd.Series(nonempty(s.meta).array, index=fake.index, name=s.name)
            for s in self._by_series
        )
        g = self._grouping().groupby(fake, keys, sort=self.sort, as_index=as_index)
        return g if self.selection is None else g[self.selection]

    def _run(
        self,
        outputs: tuple[Output, ...] | None,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        split_every: int | None,
        split_out: int | None,
        **options: Any,
    ) -> Any:
        """Meta from pandas' ``method(*args, **kwargs)`` on a fake; then one reduction.

        ``outputs`` None means one aggregation ``method`` of every column pandas kept.
        """
        _, split_out = check_splits(split_every, split_out)
        if method == "agg":  # pandas runs a user-defined Aggregation as a function
            arg, kwargs = pandas_spec(args[0] if args else None, kwargs)
            args = (arg,) if args else ()
        meta = make_meta(getattr(self._fake(), method)(*args, **kwargs))
        if not self.as_index:
            options["flat"] = make_meta(getattr(self._fake(False), method)(*args, **kwargs))
        if outputs is None and method == "size":
            outputs = (Output(None, "size"),)
        elif outputs is None:
            cols = meta.columns if isinstance(meta, pd.DataFrame) else self._columns()[:1]
            outputs = tuple(Output(c, method) for c in cols)
        width = meta.shape[1] if isinstance(meta, pd.DataFrame) else 1
        if len(outputs) != width:
            raise NotImplementedError(
                f"pandas gives {width} columns for this aggregation but tessera planned "
                f"{len(outputs)}; please report the call you made."
            )
        meta = self._float_moments(meta, outputs)
        if "flat" in options:
            options["flat"] = value_dtypes(options["flat"], meta)
        plan = Plan(self._grouping(), outputs, meta, split_out=split_out, **options)
        prefix = f"groupby-{outputs[0].label}" if len(outputs) == 1 else "groupby-agg"
        frame = self.frame
        if isinstance(frame, DataFrame) and self.selection is not None:
            labels = [k for k in self._by_keys if not isinstance(k, SeriesKey)]
            needed = list(dict.fromkeys([*labels, *self._columns()]))
            if len(needed) < len(frame.columns):
                frame = frame[needed]  # a fresh read_csv/read_parquet then reads only these
        return grouped_reduction(frame, self._by_series, plan, split_every, prefix)

    def _float_moments(self, meta: Any, outputs: tuple[Output, ...]) -> Any:
        """Set the dtype of a mean/var/std of a NumPy float column to the column's dtype.

        pandas does so for float32 data except on some tiny inputs such as the 2-row
        fake the meta comes from.
        """
        fmeta = self.frame.meta
        for i, o in enumerate(outputs):
            if o.func not in ("mean", "var", "std"):
                continue
            dtype = fmeta.dtype if isinstance(fmeta, pd.Series) else fmeta[o.column].dtype
            if not (isinstance(dtype, np.dtype) and dtype.kind == "f"):
                continue
            if isinstance(meta, pd.Series):
                return meta.astype(dtype)
            meta = meta.copy()
            meta.isetitem(i, meta.iloc[:, i].astype(dtype))
        return meta

    def agg(
        self,
        arg: Any = None,
        split_every: int | None = None,
        split_out: int | None = 1,
        **kwargs: Any,
    ) -> Any:
        """Aggregate with a name, a list of names, a dict ``{column: name or list}`` or named
        aggregations ``new=(column, name)`` / ``pd.NamedAgg`` -- all in one pass.

        Names: ``sum, mean, count, size, min, max, prod, first, last, std, var,
        nunique, median, quantile`` (``q=0.5``), and user-defined
        :class:`~tessera.dataframe.groupby_custom.Aggregation` objects.  With ``arg``
        given, the only keyword passed on is ``ddof``.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1.0, 2.0, 3.0], "w": [4, 5, 6]},
        ...                   npartitions=2)
        >>> df.groupby("k").agg({"v": "mean", "w": ["sum", "max"]}).compute()
             v   w
          mean sum max
        k
        1  2.0  10   6
        2  2.0   5   5
        >>> df.groupby("k").agg(total=("v", "sum"), top=pd.NamedAgg("w", "max")).compute()
           total  top
        k
        1    4.0    6
        2    2.0    5
        """
        options: dict[str, Any] = {}
        if arg is not None:
            options = {k: kwargs.pop(k) for k in ("ddof",) if k in kwargs}
            if kwargs:
                raise TypeError(
                    f"agg({arg!r}, ...) got unexpected keywords {sorted(kwargs)}; the only "
                    "option passed to the aggregations is ddof (for std and var)."
                )
        columns = self._columns()
        available = columns if self._is_series else list(self.frame.columns)
        outputs = normalize(arg, kwargs, columns, self._is_series, available)
        args = () if arg is None else (arg,)
        pandas_kwargs = {**kwargs, **options}
        return self._run(outputs, "agg", args, pandas_kwargs, split_every, split_out, **options)

    aggregate = agg
