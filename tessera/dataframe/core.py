"""The :class:`DataFrame` and :class:`Series` collections: lazy, partitioned pandas objects.

Map
---
- :class:`_Frame` -- what both hold: ``layers`` (layer name -> tasks), ``name``, ``meta``
  (an empty pandas object with the right columns, dtypes and index dtype) and
  ``divisions`` (``npartitions + 1`` index bounds, all ``None`` when unknown).  Partition
  ``i`` is the pandas object computed at key ``(name, i)``.  The class holds ``repr``,
  ``len``; the collection protocol comes from :mod:`~tessera.dataframe.frame_protocol`
  (with :func:`~tessera.dataframe.frame_protocol.finalize` and
  :func:`~tessera.dataframe.frame_protocol.rebuild`, which concatenate computed
  partitions and wrap persisted ones), ``head``/``tail`` from
  :mod:`~tessera.dataframe.head`, element-wise methods from
  :mod:`~tessera.dataframe.elementwise` (``add``, ``eq``... from
  :mod:`~tessera.dataframe.flex_ops`) and reductions from
  :mod:`~tessera.dataframe.reductions`.
- :class:`DataFrame` -- adds column selection, ``assign``, ``df[c] = ...``, ``groupby``.
- :class:`Series` -- adds ``dtype`` and ``name``-level methods.
- ``index`` is the lazy :class:`~tessera.dataframe.index.Index` collection; ``shape``,
  ``values``, ``copy``, iteration and friends come from :mod:`~tessera.dataframe.frame_api`.

State: a frame is immutable except ``df[c] = value`` (and ``del df[c]``, ``df.columns =
...``), which (like Dask) points the wrapper at a new graph.  Values given by position
(a NumPy array, a list) cannot be assigned: the partition lengths are unknown.

Default scheduler: threads (pandas releases the GIL in its kernels).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3, 4]}), npartitions=2)
>>> df.npartitions, df.divisions, df.columns.tolist()
(2, (0, 2, 3), ['x'])
>>> int(df[df.x > 1].x.sum().compute())
9
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from tessera.base import Collection
from tessera.dataframe.cat_accessor import CatAccessorMixin
from tessera.dataframe.categorical import CategorizeMixin
from tessera.dataframe.correlation import CorrelationMixin
from tessera.dataframe.counting import FrameCountingMixin, SeriesCountingMixin
from tessera.dataframe.cumulative import CumulativeMixin
from tessera.dataframe.elementwise import ElementwiseMixin
from tessera.dataframe.expressions import ExpressionMixin
from tessera.dataframe.flex_ops import FlexOpsMixin
from tessera.dataframe.frame_api import (
    DataFrameAPIMixin,
    FrameAPIMixin,
    SeriesAPIMixin,
    check_assignable,
)
from tessera.dataframe.frame_protocol import FrameProtocolMixin, identity
from tessera.dataframe.graph import Layers, partitionwise
from tessera.dataframe.head import HeadTailMixin
from tessera.dataframe.io.write import WriteMixin
from tessera.dataframe.methods import MethodsMixin
from tessera.dataframe.overlap import OverlapMixin
from tessera.dataframe.partitions import PartitionsMixin, RowCountsMixin
from tessera.dataframe.pivot import PivotMixin
from tessera.dataframe.reductions import ReductionMixin
from tessera.dataframe.resample import ResampleMixin
from tessera.dataframe.reshape import ReshapeMixin
from tessera.hashing import tokenize
from tessera.scheduling import threaded

if TYPE_CHECKING:
    from tessera.dataframe.index import Index

__all__ = ["DataFrame", "Series"]


class _Frame(
    FrameAPIMixin,
    PartitionsMixin,
    ResampleMixin,
    MethodsMixin,
    CumulativeMixin,
    OverlapMixin,
    CorrelationMixin,
    ReshapeMixin,
    WriteMixin,
    FlexOpsMixin,
    ElementwiseMixin,
    ReductionMixin,
    HeadTailMixin,
    FrameProtocolMixin,
    Collection,
):
    """Shared base of :class:`DataFrame` and :class:`Series`."""

    __tessera_scheduler__ = staticmethod(threaded.get)
    _kind = "Frame"

    def __init__(self, layers: Layers, name: str, meta: Any, divisions: tuple[Any, ...]) -> None:
        if len(divisions) < 2:
            raise ValueError(f"divisions must have at least 2 entries, got {divisions!r}.")
        self.layers = dict(layers)
        self._name = name
        self.meta = meta
        self.divisions = tuple(divisions)

    # -- structure -----------------------------------------------------------------
    @property
    def npartitions(self) -> int:
        """The number of partitions."""
        return len(self.divisions) - 1

    @property
    def known_divisions(self) -> bool:
        """Whether the index bounds of the partitions are known."""
        return len(self.divisions) > 0 and self.divisions[0] is not None

    @property
    def index(self) -> Index:
        """The index as a lazy :class:`~tessera.dataframe.index.Index` (its ``name`` and
        ``dtype`` are known without computing; ``meta.index`` is the empty pandas one).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3]}, index=[5, 6, 7]), npartitions=2)
        >>> df.index.dtype, df.index.max().compute()
        (dtype('int64'), np.int64(7))
        """
        from tessera.dataframe.index import frame_index

        return frame_index(self)

    @property
    def _meta(self) -> Any:
        return self.meta

    def _structure(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return (
            f"tessera {self._kind} Structure:\n{self._structure()}\n"
            f"tessera Name: {self._name.rsplit('-', 1)[0]}, {len(self.layers)} graph layers"
        )

    def _division_index(self) -> pd.Index:
        labels = [d if d is not None else "" for d in self.divisions]
        labels = [str(labels[0]), *["..." if d == "" else str(d) for d in labels[1:]]]
        return pd.Index(labels, name=f"npartitions={self.npartitions}")

    def __len__(self) -> int:
        return int(self._row_count().compute())

    def map_partitions(self, func: Any, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
        """Apply ``func`` to every partition; see :func:`tessera.dataframe.map_partitions`.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), npartitions=2)
        >>> df.map_partitions(lambda d: d.x * 2).compute().tolist()
        [2, 4, 6]
        """
        return partitionwise(func, self, *args, meta=meta, **kwargs)

    def get_partition(self, i: int) -> Any:
        """The ``i``-th partition as a one-partition collection."""
        if not 0 <= i < self.npartitions:
            raise IndexError(f"partition {i} out of range for {self.npartitions} partitions")
        name = f"get-partition-{tokenize(self, i)}"
        layers = dict(self.layers)
        layers[name] = {(name, 0): (identity, (self._name, i))}
        return type(self)(layers, name, self.meta, self.divisions[i : i + 2])

    def groupby(
        self,
        by: Any = None,
        sort: bool = True,
        dropna: bool = True,
        observed: bool = True,
        group_keys: bool = True,
        as_index: bool = True,
        level: Any = None,
    ) -> Any:
        """Group by column names, index level names (or ``level=``) and/or Series of the
        same partitioning (``df.k % 3``, ``df.index``); see
        :mod:`tessera.dataframe.groupby`.  Options mean what they mean in pandas
        (``as_index=False``: DataFrames only).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 3]}, npartitions=2)
        >>> df.groupby("k").v.sum().compute().tolist()
        [4, 2]
        >>> df.groupby(df.v % 2).k.max().compute().tolist()
        [2, 1]
        >>> df.v.groupby(df.k).sum().compute().tolist()
        [4, 2]
        """
        from tessera.dataframe.groupby import GroupBy

        return GroupBy(
            self,
            by,
            sort=sort,
            dropna=dropna,
            observed=observed,
            group_keys=group_keys,
            as_index=as_index,
            level=level,
        )


class DataFrame(
    DataFrameAPIMixin,
    ExpressionMixin,
    CategorizeMixin,
    PivotMixin,
    RowCountsMixin,
    FrameCountingMixin,
    _Frame,
):
    """A lazy pandas DataFrame split by rows into partitions.

    Create one with :func:`~tessera.dataframe.from_pandas` or
    :func:`~tessera.dataframe.from_dict`.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}), npartitions=1)
    >>> df
    tessera DataFrame Structure:
                       a        b
    npartitions=1
    0              int64  float64
    1                ...      ...
    tessera Name: from-pandas, 1 graph layers
    """

    _kind = "DataFrame"

    @property
    def dtypes(self) -> pd.Series:
        """The dtype of each column."""
        return self.meta.dtypes

    def _structure(self) -> str:
        rows = [[str(d) for d in self.dtypes]] + [["..."] * len(self.columns)] * self.npartitions
        table = pd.DataFrame(rows, columns=self.columns, index=self._division_index())
        return table.to_string()

    def _check_columns(self, keys: list[Any]) -> None:
        missing = [k for k in keys if k not in self.columns]
        if missing:
            raise KeyError(
                f"Column(s) {missing!r} not found; available columns: {list(self.columns)!r}."
            )

    def __getitem__(self, key: Any) -> Any:
        """``df[col]``, ``df[[cols]]`` or ``df[boolean_series]``.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3], "b": [4, 5, 6]}, npartitions=2)
        >>> df[df.a > 1][["b"]].compute().b.tolist()
        [5, 6]
        """
        if isinstance(key, _Frame):
            return partitionwise(_getitem, self, key, prefix="getitem")
        if isinstance(key, list | pd.Index):
            self._check_columns(list(key))
            from tessera.dataframe.io.project import project_columns

            projected = project_columns(self, list(key))  # a fresh read reads only these
            if projected is not None:
                return projected
            return partitionwise(_getitem, self, list(key), prefix="getitem")
        self._check_columns([key])
        return partitionwise(_getitem, self, key, prefix="getitem")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key in ("meta", "layers", "name", "divisions"):
            raise AttributeError(key)
        if key in self.meta.columns:
            return self[key]
        raise AttributeError(f"'DataFrame' object has no attribute {key!r}")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(c for c in self.columns if isinstance(c, str))})

    def __setitem__(self, key: Any, value: Any) -> None:
        """``df[c] = value`` points this wrapper at a new graph (as in Dask).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2]}, npartitions=1)
        >>> df["b"] = df.a * 2
        >>> df.compute().b.tolist()
        [2, 4]
        """
        self._become(self._assign({key: value}))

    def assign(self, **kwargs: Any) -> DataFrame:
        """New columns from frames of the same partitioning, scalars or callables.

        A pandas Series is aligned by index; values by position (a NumPy array, a list)
        raise ``TypeError``, since the partition lengths are unknown.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2]}, npartitions=2)
        >>> df.assign(b=df.a + 1, c=0).compute()
           a  b  c
        0  1  2  0
        1  2  3  0
        """
        return self._assign(kwargs)

    def _assign(self, pairs: dict[Any, Any]) -> DataFrame:
        out = self
        for k, v in pairs.items():
            if callable(v) and not isinstance(v, _Frame):
                v = v(out)
            check_assignable(k, v)
            # a pandas Series aligns by label: its dtype is the one it has (as in Dask), not
            # one that a partition without some of its labels would widen it to
            meta = _assign_one(out.meta, k, v) if isinstance(v, pd.Series) else None
            out = partitionwise(_assign_one, out, k, v, meta=meta, prefix="assign")
        return out


def _getitem(df: Any, key: Any) -> Any:
    return df[key]


def _assign_one(df: Any, key: Any, value: Any) -> Any:
    df = df.copy(deep=False)
    if isinstance(value, pd.Series) and len(df.index) == 0:
        value = value.reindex(df.index)  # pandas would take the index of value instead
    df[key] = value
    return df


class Series(SeriesAPIMixin, CatAccessorMixin, SeriesCountingMixin, _Frame):
    """A lazy pandas Series split into partitions.

    >>> import tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series([1.0, 2.0, 3.0], name="x"), npartitions=2)
    >>> s
    tessera Series Structure:
    npartitions=2
    0    float64
    2        ...
    2        ...
    Name: x, dtype: float64
    tessera Name: from-pandas, 1 graph layers
    >>> (s * 2).compute().tolist()
    [2.0, 4.0, 6.0]
    """

    _kind = "Series"

    @property
    def dtype(self) -> Any:
        """The dtype of the values."""
        return self.meta.dtype

    @property
    def name(self) -> Any:
        """The pandas name of the series, as in Dask (the graph's name is ``_name``)."""
        return self.meta.name

    def _structure(self) -> str:
        idx = self._division_index()
        width = max(len(str(d)) for d in idx)
        values = [str(self.dtype)] + ["..."] * self.npartitions
        rows = [
            f"{label:<{width}}    {v:>{len(values[0])}}"
            for label, v in zip(idx, values, strict=True)
        ]
        return "\n".join([str(idx.name), *rows, f"Name: {self.meta.name}, dtype: {self.dtype}"])

    def __getitem__(self, key: Any) -> Any:
        """Filter by a boolean Series of the same partitioning.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, -2, 3]), npartitions=2)
        >>> s[s > 0].compute().tolist()
        [1, 3]
        """
        if not isinstance(key, _Frame):
            raise NotImplementedError(
                "Series[...] supports boolean Series masks only; use s.loc[...] for labels."
            )
        return partitionwise(_getitem, self, key, prefix="getitem")

    def to_frame(self, name: Any = None) -> DataFrame:
        """The series as a one-column DataFrame."""
        kw = {} if name is None else {"name": name}
        out: DataFrame = partitionwise(pd.Series.to_frame, self, prefix="to-frame", **kw)
        return out
