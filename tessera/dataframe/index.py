"""The lazy :class:`Index` of a DataFrame or Series: ``df.index`` as a collection.

Map
---
- :class:`Index` -- a :class:`~tessera.dataframe.core.Series` whose partitions hold the
  index labels as values and are indexed by the frame's own labels
  (``part.index.to_series()``), so its rows line up with the frame's:
  ``df[df.index > 15]``, ``df.loc[df.index > 15]`` and ``df.assign(y=df.index * 2)``
  work partition by partition.  ``compute()`` gives a pandas Index (a MultiIndex with
  its level names for a frame's MultiIndex); the divisions (the frame's) and the static
  attributes of the pandas index (``name``, ``names``, ``nlevels``, ``ndim``, ``dtype``,
  ``dtypes``, ``tz``, ``freq``, ``unit``) are known without computing; reductions
  (``min``, ``max``, ``len``, ``nunique``...) are the Series'.  Operators, element-wise
  methods (``map``, ``diff``, ``shift`` as pandas' ``Index.shift``...), the ``.str``/
  ``.dt`` accessors and the fields of a datetime-like index (``year``, ``dayofweek``,
  ``normalize()``...) give an Index again, except that an operator with a Series or
  DataFrame of the frame gives a Series (as pandas' ``Index + Series`` does).  Other
  Series methods that pandas' Index lacks (``cumsum``, ``reset_index``, ``loc``...) raise
  ``AttributeError``, as in pandas (:class:`_Lacking`); ``tolist()`` computes.
- :func:`frame_index` -- ``frame.index``.
- :func:`as_index` -- a Series result as an Index (pandas or lazy); :class:`_AsIndex`
  wraps ``.str``, ``.dt`` and ``.partitions`` likewise.  :func:`_as_multi` rebuilds a
  MultiIndex from tuples of labels.

Policy: an Index's values are the labels until an operation changes them (``df.index *
2``); its partitions keep the frame's labels as their index either way, which is what
keeps it aligned with the frame.  ``to_series()`` re-indexes by the values, keeping the
divisions only when the values are still the frame's labels.  A MultiIndex's values are
tuples; results of the same dtype keep its levels (names, dtypes).

>>> import pandas as pd, tessera.dataframe as dd
>>> pdf = pd.DataFrame({"x": [1.0, 2, 3, 4]}, index=pd.Index([10, 20, 30, 40], name="i"))
>>> df = dd.from_pandas(pdf, npartitions=2)
>>> df.index.max().compute(), len(df.index), df.index.name
(np.int64(40), 4, 'i')
>>> df[df.index > 15].compute().x.tolist()
[2.0, 3.0, 4.0]
>>> (df.index * 2).compute()
Index([20, 40, 60, 80], dtype='int64', name='i')
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import pandas as pd
from pandas.api.extensions import no_default

from tessera.dataframe.core import Series, _Frame
from tessera.dataframe.frame_protocol import finalize, rebuild
from tessera.dataframe.graph import partitionwise

__all__ = ["Index", "as_index", "frame_index"]

_OPERATORS = (
    *(f"__{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")),
    *(f"__r{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")),
    *(f"__{op}__" for op in ("and", "or", "xor", "rand", "ror", "rxor")),
    *(f"__{op}__" for op in ("lt", "le", "gt", "ge", "eq", "ne")),
)
_METHODS = (
    *("__neg__", "__pos__", "__invert__", "__abs__", "__getitem__"),
    *("abs", "astype", "between", "clip", "diff", "drop", "drop_duplicates", "dropna"),
    *("fillna", "head", "isin", "isna", "isnull", "map", "mask", "notna", "notnull"),
    *("rename", "replace", "round", "sort_values", "tail", "repartition", "unique", "where"),
)
# attributes of the empty pandas index that hold for the data too
_STATIC = frozenset({"names", "nlevels", "ndim", "dtypes", "tz", "freq", "freqstr", "unit"})
# Series attributes pandas' Index lacks that an Index keeps: the collection API (Dask's),
# the element-wise methods above and reductions to a lazy Scalar; the others raise
# AttributeError, as on a pandas Index (see _Lacking)
_KEPT = frozenset({
    *("compute", "persist", "dask", "explain", "visualize", "get_partition", "partitions"),
    *("known_divisions", "npartitions", "map_partitions", "map_overlap", "pipe", "dt"),
    *("to_dask_array", *_METHODS),
    *("count", "mean", "sum", "prod", "std", "var", "sem", "skew", "kurt", "kurtosis"),
    "quantile",
})  # fmt: skip


def as_index(x: Any, like: Index | None = None) -> Any:
    """``x`` as an Index if it is a Series (lazy or pandas), else ``x`` itself.  Values of
    the dtype of ``like``'s, a lazy Index of a MultiIndex, keep its levels' names.

    >>> as_index(pd.Series([1, 2], name="a"))
    Index([1, 2], dtype='int64', name='a')
    """
    multi = like._multi if like is not None and x.dtype == like.dtype else None
    if isinstance(x, Series) and not isinstance(x, Index):
        out = Index(x.layers, x._name, x.meta, x.divisions)
        out._like = multi
        return out
    if isinstance(x, pd.Series):
        return pd.Index(x) if multi is None else _as_multi(x, multi)
    return x


def _as_multi(values: pd.Series, multi: pd.MultiIndex) -> pd.Index:
    """Tuples as a MultiIndex with the levels (names, dtypes) of ``multi``; other values
    as a plain Index.

    >>> multi = pd.MultiIndex.from_arrays([[1], ["a"]], names=["n", "s"])
    >>> _as_multi(pd.Series([(2, "b")]), multi[:0]).names
    FrozenList(['n', 's'])
    """
    tuples = list(values)
    if not all(isinstance(t, tuple) and len(t) == multi.nlevels for t in tuples):
        return pd.Index(values)
    arrays = list(zip(*tuples, strict=True)) or [()] * multi.nlevels
    levels = []
    for level, items in zip(multi.levels, arrays, strict=True):
        try:
            levels.append(pd.Index(list(items), dtype=level.dtype))
        except (TypeError, ValueError):  # missing values in integer levels, say
            levels.append(pd.Index(list(items)))
    return pd.MultiIndex.from_arrays(levels, names=multi.names)


def _labels(part: Any) -> pd.Series:
    return part.index.to_series()


def frame_index(frame: _Frame) -> Index:
    """The lazy index of ``frame``: its labels, one partition per partition of ``frame``.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"x": [5, 6, 7]}, index=[2, 4, 6]), npartitions=2)
    >>> frame_index(df).divisions == df.divisions
    True
    """
    labels = partitionwise(_labels, frame, meta=frame.meta.index.to_series(), prefix="index")
    out = as_index(labels)
    out._values_are_labels = True
    out._like = frame.meta.index
    return out


def _finalize_index(results: list[Any], multi: pd.MultiIndex | None) -> pd.Index:
    values = finalize(results)
    return pd.Index(values) if multi is None else _as_multi(values, multi)


def _rebuild_index(
    dsk: Mapping[Any, Any], name: str, meta: Any, divisions: Any, like: pd.Index | None
) -> Index:
    out: Index = as_index(rebuild(dsk, name, meta, divisions))
    out._like = like
    return out


def _shift(part: pd.Series, periods: int, freq: Any) -> pd.Series:
    shifted = pd.Index(part.array, name=part.name).shift(periods, freq)
    return pd.Series(shifted, index=part.index, name=part.name)


def _multi_frame(part: pd.Series, multi: pd.MultiIndex, name: Any) -> pd.DataFrame:
    return _as_multi(part, multi).to_frame(name=name)


def _as_series(part: pd.Series, name: Any) -> pd.Series:
    values = part.array
    index = pd.Index(values, name=part.name)
    return pd.Series(values, index=index, name=part.name if name is None else name)


def _returning_index(func: Callable[..., Any], like: Index) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return as_index(func(*args, **kwargs), like)

    return call


class _AsIndex:
    """``.str``, ``.dt`` or ``.partitions`` of an Index: the Series' one, with Series
    results as Index."""

    def __init__(self, accessor: Any, like: Index) -> None:
        self._accessor = accessor
        self._like = like

    def __dir__(self) -> list[str]:
        return dir(self._accessor)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._accessor, name)
        return _returning_index(value, self._like) if callable(value) else as_index(value)

    def __getitem__(self, key: Any) -> Any:
        return as_index(self._accessor[key], self._like)


class _Lacking:
    """A Series attribute that pandas' Index lacks (``cumsum``, ``reset_index``...): an
    ``AttributeError`` on an Index, unless the pandas type of the index has it
    (``DatetimeIndex.mean``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        if hasattr(type(obj._pandas_index), self.name):
            return getattr(super(Index, obj), self.name)
        raise AttributeError(self.name)  # Index.__getattr__ says more


class Index(Series):
    """The lazy index of a DataFrame or Series (see the module docstring).

    >>> import tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series([1, 2, 3], index=list("abc")), npartitions=2)
    >>> s.index.str.upper().compute()
    Index(['A', 'B', 'C'], dtype='str')
    >>> s.index.to_frame(name="label").compute()
      label
    a     a
    b     b
    c     c
    """

    _kind = "Index"
    _values_are_labels = False
    _like: pd.Index | None = None  # the frame's index meta (df.index), or a MultiIndex's

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return _finalize_index, (self._multi,)

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return _rebuild_index, (self._name, self.meta, self.divisions, self._like)

    @property
    def _pandas_index(self) -> pd.Index:
        """The empty pandas Index this one computes to (levels, ``freq``, ``tz``...)."""
        return self._like if self._like is not None else pd.Index(self.meta)

    @property
    def _multi(self) -> pd.MultiIndex | None:
        return self._like if isinstance(self._like, pd.MultiIndex) else None

    def __getattr__(self, name: str) -> Any:
        """Static attributes of the pandas index (``names``, ``nlevels``, ``tz``, ``freq``
        ...) from the meta, and the fields and methods of a datetime-like index
        (``year``, ``dayofweek``, ``normalize()``...) as lazy Indexes, as ``.dt`` gives.
        """
        if name.startswith("_") or "meta" not in vars(self):
            raise AttributeError(name)
        pandas = self._pandas_index
        if name in _STATIC:
            return getattr(pandas, name)
        try:
            fields = self.meta.dt if hasattr(type(pandas), name) else None
        except AttributeError:  # not a datetime-like index
            fields = None
        if fields is not None and hasattr(fields, name):
            return getattr(self.dt, name)
        hint = f"; use .to_series().{name}" if hasattr(Series, name) else ""
        raise AttributeError(f"'Index' object has no attribute {name!r}{hint}")

    def __dir__(self) -> list[str]:
        lacking = {n for n, v in vars(Index).items() if isinstance(v, _Lacking)}
        return [n for n in super().__dir__() if n not in lacking or hasattr(self, n)]

    def tolist(self) -> list[Any]:
        """The labels as a list (computed).

        >>> import tessera.dataframe as dd
        >>> dd.from_pandas(pd.DataFrame({"x": [5, 6]}, index=[3, 4]), npartitions=2).index.tolist()
        [3, 4]
        """
        values: list[Any] = self.compute().tolist()
        return values

    to_list = tolist

    def shift(self, periods: int = 1, freq: Any = None) -> Index:  # type: ignore[override]
        """The labels moved by ``periods`` times ``freq`` (by default the index's own
        frequency), partition by partition: pandas' ``Index.shift``, for datetime-like
        indexes only (``NotImplementedError`` otherwise, as in pandas).

        >>> import tessera.dataframe as dd
        >>> t = pd.DataFrame({"v": [1, 2]}, index=pd.date_range("2020-01-01", periods=2))
        >>> dd.from_pandas(t, npartitions=2).index.shift(1, "D").compute().day.tolist()
        [2, 3]
        """
        pandas: Any = self._pandas_index
        freq = getattr(pandas, "freq", None) if freq is None else freq
        pandas.shift(periods, freq)  # pandas' errors, up front
        out: Index = as_index(partitionwise(_shift, self, periods, freq, prefix="index-shift"))
        return out

    @property
    def index(self) -> NoReturn:
        """An Index has no index (as in pandas)."""
        raise AttributeError("'Index' object has no attribute 'index'")

    @property
    def str(self) -> Any:  # an _AsIndex
        """Vectorised string methods (``.str``), giving an Index."""
        return _AsIndex(super().str, self)

    @property
    def dt(self) -> Any:  # an _AsIndex
        """Datetime properties and methods (``.dt``), giving an Index."""
        return _AsIndex(super().dt, self)

    @property
    def partitions(self) -> Any:  # an _AsIndex
        """Partitions by position (``idx.partitions[1:3]``), as an Index."""
        return _AsIndex(super().partitions, self)

    def to_series(self, name: Any = None) -> Series:
        """A Series of the labels, indexed by them (pandas' ``Index.to_series``).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": [5, 6]}, index=[3, 4]), npartitions=1)
        >>> df.index.to_series(name="n").compute().to_dict()
        {3: 3, 4: 4}
        """
        out: Series = partitionwise(_as_series, self, name, prefix="to-series")
        if not self._values_are_labels:
            out.divisions = (None,) * len(self.divisions)
        return out

    def to_frame(self, index: bool = True, name: Any = None) -> Any:  # type: ignore[override]
        """A one-column DataFrame of the labels (pandas' ``Index.to_frame``); with
        ``index=False`` the rows are numbered ``0 .. n-1``.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": [5, 6]}, index=[3, 4]), npartitions=2)
        >>> df.index.to_frame(index=False).compute()
           0
        0  3
        1  4
        """
        multi = self._multi
        if multi is None:
            frame = self.to_series().to_frame(name)
        else:  # one column per level, named by the levels (or ``name``)
            name = no_default if name is None else name
            meta = multi.to_frame(name=name)
            frame = partitionwise(_multi_frame, self, multi, name, meta=meta, prefix="to-frame")
            frame.divisions = (None,) * len(self.divisions)
        return frame if index else frame.reset_index(drop=True)


def _operator(name: str) -> Callable[..., Any]:
    method = getattr(Series, name)

    @functools.wraps(method)
    def call(self: Index, other: Any) -> Any:
        out = method(self, other)
        if isinstance(other, _Frame) and not isinstance(other, Index):
            return out
        return as_index(out, self)

    return call


def _method(name: str) -> Callable[..., Any]:
    method = getattr(Series, name)

    @functools.wraps(method)
    def call(self: Index, *args: Any, **kwargs: Any) -> Any:
        return as_index(method(self, *args, **kwargs), self)

    return call


for _name in _OPERATORS:
    setattr(Index, _name, _operator(_name))
for _name in _METHODS:
    setattr(Index, _name, _method(_name))
for _name in sorted({n for n in dir(Series) if not n.startswith("_")} - _KEPT):
    if _name not in vars(Index) and not hasattr(pd.Index, _name):
        setattr(Index, _name, _Lacking(_name))
