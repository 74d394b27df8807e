"""The lazy :class:`Index` of a DataFrame or Series: ``df.index`` as a collection.

Map
---
- :class:`Index` -- a :class:`~tessera.dataframe.core.Series` whose partitions hold the
  index labels as values and are indexed by the frame's own labels
  (``part.index.to_series()``), so its rows line up with the frame's:
  ``df[df.index > 15]``, ``df.loc[df.index > 15]`` and ``df.assign(y=df.index * 2)``
  work partition by partition.  ``compute()`` gives a pandas Index; ``name``, ``dtype``
  and the divisions (the frame's) are known without computing; reductions (``min``,
  ``max``, ``len``, ``nunique``...) are the Series'.  Operators, element-wise methods and
  the ``.str``/``.dt`` accessors give an Index again, except that an operator with a
  Series or DataFrame of the frame gives a Series (as pandas' ``Index + Series`` does).
- :func:`frame_index` -- ``frame.index``.
- :func:`as_index` -- a Series result as an Index (pandas or lazy); :class:`_AsIndex`
  wraps ``.str``, ``.dt`` and ``.partitions`` likewise.

Policy: an Index's values are the labels until an operation changes them (``df.index *
2``); its partitions keep the frame's labels as their index either way, which is what
keeps it aligned with the frame.  ``to_series()`` re-indexes by the values, keeping the
divisions only when the values are still the frame's labels.

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
    *("abs", "astype", "between", "clip", "drop_duplicates", "dropna", "fillna", "head"),
    *("isin", "isna", "map", "mask", "notna", "rename", "round", "sort_values", "tail"),
    *("repartition", "unique", "where"),
)


def as_index(x: Any) -> Any:
    """``x`` as an Index if it is a Series (lazy or pandas), else ``x`` itself.

    >>> as_index(pd.Series([1, 2], name="a"))
    Index([1, 2], dtype='int64', name='a')
    """
    if isinstance(x, Series) and not isinstance(x, Index):
        return Index(x.layers, x._name, x.meta, x.divisions)
    if isinstance(x, pd.Series):
        return pd.Index(x)
    return x


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
    return out


def _finalize_index(results: list[Any]) -> pd.Index:
    return pd.Index(finalize(results))


def _rebuild_index(dsk: Mapping[Any, Any], name: str, meta: Any, divisions: Any) -> Index:
    out: Index = as_index(rebuild(dsk, name, meta, divisions))
    return out


def _as_series(part: pd.Series, name: Any) -> pd.Series:
    values = part.array
    index = pd.Index(values, name=part.name)
    return pd.Series(values, index=index, name=part.name if name is None else name)


def _returning_index(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return as_index(func(*args, **kwargs))

    return call


class _AsIndex:
    """``.str``, ``.dt`` or ``.partitions`` of an Index: the Series' one, with Series
    results as Index."""

    def __init__(self, accessor: Any) -> None:
        self._accessor = accessor

    def __dir__(self) -> list[str]:
        return dir(self._accessor)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._accessor, name)
        return _returning_index(value) if callable(value) else as_index(value)

    def __getitem__(self, key: Any) -> Any:
        return as_index(self._accessor[key])


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

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return _finalize_index, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return _rebuild_index, (self._name, self.meta, self.divisions)

    @property
    def index(self) -> NoReturn:
        """An Index has no index (as in pandas)."""
        raise AttributeError("'Index' object has no attribute 'index'")

    @property
    def str(self) -> Any:  # an _AsIndex
        """Vectorised string methods (``.str``), giving an Index."""
        return _AsIndex(super().str)

    @property
    def dt(self) -> Any:  # an _AsIndex
        """Datetime properties and methods (``.dt``), giving an Index."""
        return _AsIndex(super().dt)

    @property
    def partitions(self) -> Any:  # an _AsIndex
        """Partitions by position (``idx.partitions[1:3]``), as an Index."""
        return _AsIndex(super().partitions)

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
        series = self.to_series()
        if not index:
            series = series.reset_index(drop=True)
        return series.to_frame(name)


def _operator(name: str) -> Callable[..., Any]:
    method = getattr(Series, name)

    @functools.wraps(method)
    def call(self: Index, other: Any) -> Any:
        out = method(self, other)
        return out if isinstance(other, _Frame) and not isinstance(other, Index) else as_index(out)

    return call


def _method(name: str) -> Callable[..., Any]:
    method = getattr(Series, name)

    @functools.wraps(method)
    def call(self: Index, *args: Any, **kwargs: Any) -> Any:
        return as_index(method(self, *args, **kwargs))

    return call


for _name in _OPERATORS:
    setattr(Index, _name, _operator(_name))
for _name in _METHODS:
    setattr(Index, _name, _method(_name))
