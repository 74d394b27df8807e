"""More element-wise methods, accessors, label indexing and statistics for frames.

Map
---
- :class:`MethodsMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`; holds
  ``loc``/``iloc`` (:mod:`~tessera.dataframe.indexing`), ``str``/``dt``
  (:mod:`~tessera.dataframe.accessors`), ``where, mask, replace, between,
  select_dtypes``, ``map`` and ``apply``; and, through its bases, ``idxmin, idxmax,
  nlargest, nsmallest`` (:mod:`~tessera.dataframe.topk`), ``unique, drop_duplicates,
  mode`` (:mod:`~tessera.dataframe.distinct`) and ``quantile, describe``
  (:mod:`~tessera.dataframe.stats`).

Policy: element-wise methods are one :func:`~tessera.dataframe.graph.partitionwise`
call of the pandas method.  A user function (``map`` with a callable, ``apply``) cannot
be trusted on an empty meta, so without ``meta=`` its output is guessed by running it on
a small fake partition, with a ``UserWarning`` (as Dask does); if it raises there, the
error keeps the function's exception type.  Dicts and Series given to ``map`` go through
:func:`~tessera.dataframe.graph.infer_meta`, so the dtype is the one data gives
(``NaN`` for missing keys).  A lazy Series passed to ``map`` is gathered into one pandas
Series that every partition receives.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, -2, 3]}, npartitions=2)
>>> df.a.where(df.a > 0, 0).compute().tolist()
[1, 0, 3]
>>> df.a.map({1: "one", 3: "three"}).compute().tolist()
['one', nan, 'three']
"""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import no_default

from tessera.dataframe.accessors import DatetimeAccessor, StringAccessor
from tessera.dataframe.distinct import DistinctMixin
from tessera.dataframe.graph import error_like, infer_meta, make_meta, nonempty, partitionwise
from tessera.dataframe.indexing import ILocIndexer, LocIndexer
from tessera.dataframe.reductions import reduction
from tessera.dataframe.scalar import Scalar
from tessera.dataframe.stats import StatsMixin
from tessera.dataframe.topk import TopkMixin

__all__ = ["MethodsMixin"]


def _whole(parts: list[Any]) -> Any:
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def _identity(x: Any) -> Any:
    return x


def _as_value(x: Any) -> Scalar:
    """A lazy frame as one lazy value holding the whole pandas object, which
    :func:`~tessera.dataframe.graph.partitionwise` passes to every partition."""
    whole = reduction(x, _identity, _whole, _whole, meta=x.meta, prefix="gather")
    return Scalar(whole.layers, whole._name, x.meta)


def _fake_of(x: Any) -> Any:
    if isinstance(x, Scalar):
        return x.meta
    return nonempty(x.meta) if hasattr(x, "divisions") else x


def _where_meta(obj: Any, method: str, cond: Any, other: Any, kwargs: dict[str, Any]) -> Any:
    """The meta of ``where``/``mask`` when some values are kept and some replaced (the
    dtype pandas gives then: ``NaN`` turns integers into floats)."""
    fake = nonempty(obj.meta)
    mixed = np.array([True, False])
    if isinstance(fake, pd.DataFrame):
        mixed = np.repeat(mixed[:, None], fake.shape[1], axis=1)
    if not (callable(cond) or hasattr(cond, "divisions") or hasattr(cond, "shape")):
        mixed = cond  # a constant condition decides alone
    return getattr(fake, method)(mixed, _fake_of(other), **kwargs)


def _guess_meta(func: Callable[..., Any], obj: Any, user_func: Any, *args: Any) -> Any:
    """Run ``func`` on a fake partition of ``obj`` and warn that the meta is a guess."""
    name = getattr(user_func, "__name__", repr(user_func))
    try:
        result = func(nonempty(obj.meta), user_func, *args)
    except Exception as e:
        raise error_like(
            e,
            f"Could not guess the output of {name!r}: on a small fake partition it raised "
            f"{type(e).__name__}: {e}. Pass meta= (an empty pandas object, a dict of "
            "column -> dtype, or a (name, dtype) tuple).",
        ) from e
    warnings.warn(
        f"No meta= given for {name!r}: tessera guessed its output dtype by running it on a "
        "small fake partition. Pass meta= (for example meta=('x', 'float64')) to be sure "
        "and silence this warning.",
        UserWarning,
        stacklevel=3,
    )
    return make_meta(result)


class MethodsMixin(TopkMixin, DistinctMixin, StatsMixin):
    """Methods shared by DataFrame and Series (see the module map)."""

    meta: Any
    columns: Any
    __getitem__: Any
    _map: Any  # ElementwiseMixin._map: one pandas method on each partition

    # -- indexing and accessors -----------------------------------------------------
    @property
    def loc(self) -> LocIndexer:
        """Select rows by label (and columns): ``obj.loc[rows]``, ``df.loc[rows, cols]``.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series(range(5), index=list("abcde")), npartitions=2)
        >>> s.loc["b":"d"].compute().tolist()
        [1, 2, 3]
        """
        return LocIndexer(self)

    @property
    def iloc(self) -> ILocIndexer:
        """Select columns by position: ``df.iloc[:, cols]``."""
        return ILocIndexer(self)

    @property
    def str(self) -> StringAccessor:
        """pandas' string methods, partition by partition (see ``StringAccessor``)."""
        return StringAccessor(self)

    @property
    def dt(self) -> DatetimeAccessor:
        """pandas' datetime properties and methods (see ``DatetimeAccessor``)."""
        return DatetimeAccessor(self)

    # -- element-wise -----------------------------------------------------------------
    def where(self, cond: Any, other: Any = no_default, **kwargs: Any) -> Any:
        """Keep values where ``cond`` holds, else ``other`` (``NaN`` by default).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 2, 3]), npartitions=2)
        >>> s.where(s > 1).compute().tolist()
        [nan, 2.0, 3.0]
        """
        meta = _where_meta(self, "where", cond, other, kwargs)
        return self._map("where", cond, other, meta=meta, **kwargs)

    def mask(self, cond: Any, other: Any = no_default, **kwargs: Any) -> Any:
        """Replace values where ``cond`` holds with ``other`` (``NaN`` by default).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 2, 3]), npartitions=2)
        >>> s.mask(s > 1, -1).compute().tolist()
        [1, -1, -1]
        """
        meta = _where_meta(self, "mask", cond, other, kwargs)
        return self._map("mask", cond, other, meta=meta, **kwargs)

    def replace(self, to_replace: Any = None, value: Any = no_default, **kwargs: Any) -> Any:
        """Replace values as pandas' ``replace`` (scalars, lists, dicts, ``regex=``).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 2, 3]), npartitions=2)
        >>> s.replace({1: 10, 3: 30}).compute().tolist()
        [10, 2, 30]
        """
        return self._map("replace", to_replace, value, **kwargs)

    def between(self, left: Any, right: Any, inclusive: builtins.str = "both") -> Any:
        """Whether each value is between ``left`` and ``right`` (a Series method).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 2, 3]), npartitions=2)
        >>> s.between(2, 3, inclusive="left").compute().tolist()
        [False, True, False]
        """
        if not isinstance(self.meta, pd.Series):
            raise AttributeError("'DataFrame' object has no attribute 'between'; use a column.")
        return self._map("between", left, right, inclusive=inclusive)

    def select_dtypes(self, include: Any = None, exclude: Any = None) -> Any:
        """The columns whose dtypes are in ``include`` and not in ``exclude``.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1], "b": ["x"], "c": [1.5]}, npartitions=1)
        >>> df.select_dtypes("number").columns.tolist()
        ['a', 'c']
        """
        columns = self.meta.select_dtypes(include=include, exclude=exclude).columns
        return self[list(columns)]

    def map(self, arg: Any, na_action: Any = None, meta: Any = None) -> Any:
        """Map values with a dict, a Series (pandas or lazy) or a function.

        For a DataFrame, ``arg`` is a function applied to every element (pandas'
        ``DataFrame.map``).  Without ``meta=``, a function's output dtype is guessed
        on a fake partition (with a warning).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 2, 3]), npartitions=2)
        >>> s.map(lambda x: x * 10, meta=("x", "int64")).compute().tolist()
        [10, 20, 30]
        >>> s.map(pd.Series(["a", "b"], index=[1, 2])).compute().tolist()
        ['a', 'b', nan]
        """
        if hasattr(arg, "divisions"):  # a lazy Series: its dtype, not its empty meta's
            if meta is None:
                fake = nonempty(arg.meta).iloc[:1]  # one label: unique
                meta = infer_meta(_map_values, (self, fake, na_action), {})
            arg = _as_value(arg)
        if meta is None and callable(arg) and not isinstance(arg, pd.Series):
            meta = _guess_meta(_map_values, self, arg, na_action)
        return partitionwise(_map_values, self, arg, na_action, meta=meta, prefix="map")

    def apply(self, func: Any, axis: Any = 0, meta: Any = None, args: tuple[Any, ...] = (),
              **kwargs: Any) -> Any:  # fmt: skip
        """Apply ``func`` to each row (``DataFrame.apply(axis=1)``) or each value (Series).

        ``DataFrame.apply`` needs ``axis=1``.  Without ``meta=`` the output is guessed
        on a fake partition, with a warning.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2], "b": [10, 20]}, npartitions=2)
        >>> df.apply(lambda r: r.a + r.b, axis=1, meta=(None, "int64")).compute().tolist()
        [11, 22]
        >>> df.a.apply(str, meta=("a", object)).compute().tolist()
        ['1', '2']
        """
        kw = dict(kwargs, args=args)
        if isinstance(self.meta, pd.DataFrame):
            if axis not in (1, "columns"):
                raise NotImplementedError(
                    f"DataFrame.apply(axis={axis!r}) would call func on whole columns, which "
                    "are split across partitions; only axis=1 (one row at a time) is "
                    "supported. For column-wise work use reductions (df.sum(), ...), "
                    "map_partitions, or compute first."
                )
            kw["axis"] = 1
        elif axis not in (0, "index"):
            raise ValueError(f"No axis named {axis!r} for object type Series.")
        if meta is None:
            meta = _guess_meta(_apply, self, func, kw)
        return partitionwise(_apply, self, func, kw, meta=meta, prefix="apply")


def _map_values(part: Any, arg: Any, na_action: Any) -> Any:
    return part.map(arg, na_action=na_action)


def _apply(part: Any, func: Any, kwargs: dict[str, Any]) -> Any:
    return part.apply(func, **kwargs)
