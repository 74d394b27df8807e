"""The ``.str`` and ``.dt`` accessors of a Series: pandas' accessors, partition by partition.

Map
---
- :class:`StringAccessor` -- ``s.str.<method>(...)`` and ``s.str[i]`` for every public
  method of pandas' ``Series.str``; ``split``/``rsplit`` with ``expand=True`` need ``n=``
  (the output's columns must be known before computing; a partition with fewer pieces
  gets ``NaN`` columns up to ``n + 1``); ``cat()`` without ``others`` is a reduction
  to one lazy string; ``get_dummies`` is not supported (its columns depend on the data).
- :class:`DatetimeAccessor` -- ``s.dt.<property>`` and ``s.dt.<method>(...)`` for
  datetime, timedelta and period Series; ``tz`` and ``unit`` come from the dtype without
  computing; ``freq`` is not supported (it depends on all values).
- :class:`_Accessor` -- the shared delegation: names are checked against the pandas
  accessor of the Series' meta, so an unknown name raises ``AttributeError`` at once.

Policy: every call is one :func:`~tessera.dataframe.graph.partitionwise` of the pandas
accessor, so results equal pandas'.  The meta comes from running it on the meta, which
has no missing values: where pandas widens a result because of missing values (counts
become ``float64``, booleans of an ``object`` Series become ``object``, ``.dt.year`` of
a Series with ``NaT`` becomes ``float64``), the computed result is pandas' and the
declared dtype is the narrower one, as in Dask.

>>> import pandas as pd, tessera.dataframe as dd
>>> s = dd.from_pandas(pd.Series(["a-b", "c-d-e", None]), npartitions=2)
>>> s.str.upper().compute().tolist()
['A-B', 'C-D-E', nan]
>>> s.str.split("-", n=1, expand=True).compute()
     0    1
0    a    b
1    c  d-e
2  NaN  NaN
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import pandas as pd

from tessera.dataframe.graph import infer_meta, make_meta, nonempty, partitionwise
from tessera.dataframe.reductions import reduction

__all__ = ["DatetimeAccessor", "StringAccessor"]


@dataclass(frozen=True)
class _AccessorCall:
    """``part.<accessor>.<name>`` (a property) or ``part.<accessor>.<name>(*args)``."""

    accessor: str
    name: str
    is_property: bool

    def __call__(self, part: Any, *args: Any, **kwargs: Any) -> Any:
        attr = getattr(getattr(part, self.accessor), self.name)
        return attr if self.is_property else attr(*args, **kwargs)


class _Accessor:
    """Delegate attribute access to the pandas accessor ``_accessor`` of each partition."""

    _accessor = ""
    _kinds = ""
    _unsupported: ClassVar[dict[str, str]] = {}

    def __init__(self, series: Any) -> None:
        meta = series.meta
        try:
            self._meta_accessor = getattr(meta, self._accessor)
        except AttributeError as e:
            raise AttributeError(
                f"Can only use .{self._accessor} accessor with {self._kinds} values; the "
                f"Series {meta.name!r} has dtype {meta.dtype}. Convert it first (for example "
                f"with astype or to_datetime)."
            ) from e
        self._series = series

    def _names(self) -> list[str]:
        return sorted(n for n in dir(type(self._meta_accessor)) if not n.startswith("_"))

    def __dir__(self) -> list[str]:
        return self._names()

    def __iter__(self) -> Any:
        raise TypeError(f"'{type(self).__name__}' object is not iterable")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._unsupported:
            raise NotImplementedError(f".{self._accessor}.{name}: {self._unsupported[name]}")
        if name not in self._names():
            raise AttributeError(
                f"'.{self._accessor}' accessor has no attribute {name!r} for dtype "
                f"{self._series.dtype}; available: {', '.join(self._names())}."
            )
        static = inspect.getattr_static(type(self._meta_accessor), name)
        if isinstance(static, property):
            value = getattr(self._meta_accessor, name)
            if not isinstance(value, pd.Series | pd.DataFrame):
                return value  # a property of the dtype (tz, unit): known without computing
            return self._call(name, True)
        return partial(self._call, name, False)

    def _call(self, name: str, is_property: bool, *args: Any, **kwargs: Any) -> Any:
        func = _AccessorCall(self._accessor, name, is_property)
        meta = infer_meta(func, (self._series, *args), kwargs)
        if isinstance(meta, pd.DataFrame) and meta.shape[1] == 0:  # partition: no rows, no pieces
            meta = make_meta(func(nonempty(self._series.meta), *args, **kwargs))
        prefix = f"{self._accessor}-{name}"
        return partitionwise(func, self._series, *args, meta=meta, prefix=prefix, **kwargs)


def _split(part: Any, method: str, columns: int, dtype: Any, kwargs: dict[str, Any]) -> Any:
    out = getattr(part.str, method)(expand=True, **kwargs)
    for i in range(out.shape[1], columns):
        out[i] = None  # pandas' filler for a missing piece
    return out.astype(dtype)


def _cat_chunk(part: Any, sep: str, na_rep: Any) -> Any:
    values = part if na_rep is not None else part.dropna()
    return part.str.cat(sep=sep, na_rep=na_rep) if len(values) else None


def _cat_join(parts: list[Any], sep: str) -> Any:
    present = [p for p in parts if p is not None]
    return sep.join(present) if present else None


def _cat_final(parts: list[Any], sep: str) -> str:
    return _cat_join(parts, sep) or ""


class StringAccessor(_Accessor):
    """``Series.str``: pandas' string methods on each partition.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series(["apple", "kiwi"], dtype=object), npartitions=2)
    >>> s.str.len().compute().tolist()
    [5, 4]
    >>> s.str[0].compute().tolist()
    ['a', 'k']
    >>> s.str.cat(sep=",").compute()
    'apple,kiwi'
    >>> s.str.shout()
    Traceback (most recent call last):
      ...
    AttributeError: '.str' accessor has no attribute 'shout' for dtype object; available: ...
    """

    _accessor = "str"
    _kinds = "string"
    _unsupported: ClassVar[dict[str, str]] = {
        "get_dummies": "its columns depend on every value, so they are unknown before "
        "computing; convert to a categorical with known categories and use pandas' "
        "get_dummies in map_partitions instead."
    }

    def __getitem__(self, key: Any) -> Any:
        return partitionwise(_str_getitem, self._series, key, prefix="str-getitem")

    def split(self, pat: Any = None, *, n: int = -1, expand: bool = False, **kw: Any) -> Any:
        """Split each string; with ``expand=True``, ``n`` must be given (``n + 1`` columns).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series(["a b", "c"]), npartitions=2)
        >>> s.str.split(n=1, expand=True).columns.tolist()
        [0, 1]
        """
        return self._split("split", pat, n, expand, kw)

    def rsplit(self, pat: Any = None, *, n: int = -1, expand: bool = False, **kw: Any) -> Any:
        """Split each string from the right; ``expand=True`` needs ``n`` as in :meth:`split`.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series(["a b c"]), npartitions=1)
        >>> s.str.rsplit(n=1, expand=True).compute().iloc[0].tolist()
        ['a b', 'c']
        """
        return self._split("rsplit", pat, n, expand, kw)

    def _split(self, method: str, pat: Any, n: Any, expand: bool, kw: dict[str, Any]) -> Any:
        kw = {"pat": pat, "n": n, **kw}
        if not expand:
            return self._call(method, False, **kw)
        if n is None or n <= 0:
            raise ValueError(
                f"str.{method}(expand=True) needs n= (the maximum number of splits), because "
                f"the number of output columns must be known before computing; got n={n!r}. "
                f"For example n=2 gives 3 columns."
            )
        dtype = self._series.dtype if isinstance(self._series.dtype, pd.StringDtype) else object
        meta = make_meta({i: dtype for i in range(n + 1)})
        meta.index = self._series.meta.index
        return partitionwise(_split, self._series, method, n + 1, dtype, kw, meta=meta,
                             prefix=f"str-{method}")  # fmt: skip

    def cat(self, others: Any = None, sep: str | None = None, **kwargs: Any) -> Any:
        """Concatenate: with ``others``, element-wise; without, all values into one string.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series(["a", None, "c"]), npartitions=3)
        >>> s.str.cat(s, sep="-").compute().tolist()
        ['a-a', nan, 'c-c']
        >>> s.str.cat(sep="+", na_rep="?").compute()
        'a+?+c'
        """
        if others is not None:
            return self._call("cat", False, others, sep=sep, **kwargs)
        if set(kwargs) - {"na_rep"}:
            raise TypeError(f"str.cat() without others takes sep and na_rep, got {kwargs}.")
        sep = "" if sep is None else sep
        chunk = partial(_cat_chunk, sep=sep, na_rep=kwargs.get("na_rep"))
        return reduction(
            self._series,
            chunk,
            partial(_cat_join, sep=sep),
            partial(_cat_final, sep=sep),
            meta="",
            prefix="str-cat",
        )


def _str_getitem(part: Any, key: Any) -> Any:
    return part.str[key]


class DatetimeAccessor(_Accessor):
    """``Series.dt``: pandas' datetime, timedelta and period properties and methods.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> t = pd.Series(pd.to_datetime(["2000-01-31 00:00", "2000-02-29 12:00"]))
    >>> s = dd.from_pandas(t, npartitions=2)
    >>> s.dt.month.compute().tolist()
    [1, 2]
    >>> s.dt.floor("D").dt.day_name().compute().tolist()
    ['Monday', 'Tuesday']
    >>> s.dt.tz is None, s.dt.unit
    (True, 'us')
    """

    _accessor = "dt"
    _kinds = "datetimelike"
    _unsupported: ClassVar[dict[str, str]] = {
        "freq": "it is inferred from all values at once; compute the series and use "
        "pandas' .dt.freq (or pd.infer_freq) on the result."
    }
