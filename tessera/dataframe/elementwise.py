"""Element-wise methods of DataFrame and Series: operators and pandas methods per partition.

Map
---
- :class:`ElementwiseMixin` -- arithmetic, comparison and logical operators (with frames of
  the same partitioning, lazy scalars or constants; pandas aligns within each partition),
  and ``astype, fillna, dropna, isna, notna, abs, round, clip, isin, rename, drop,
  explode, combine_first``.

Policy: every method is one call to :func:`~tessera.dataframe.graph.partitionwise`, the
meta is computed by running the same pandas method on the meta.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, -2, 3]}, npartitions=2)
>>> (df.abs() * 2 + 1).compute().a.tolist()
[3, 5, 7]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from tessera.dataframe.graph import partitionwise

__all__ = ["ElementwiseMixin"]


def _method(name: str) -> Callable[..., Any]:
    def call(part: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(part, name)(*args, **kwargs)

    call.__name__ = name
    return call


def _binary(op: Callable[..., Any], reflected: bool = False) -> Callable[..., Any]:
    name = op.__name__.strip("_")

    def method(self: Any, other: Any) -> Any:
        if reflected:
            return partitionwise(_Reflected(op), self, other, prefix=f"r{name}")
        return partitionwise(op, self, other, prefix=name)

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


class _Reflected:
    """``op(b, a)``: the reflected operator, picklable."""

    def __init__(self, op: Callable[..., Any]) -> None:
        self.op = op

    def __call__(self, a: Any, b: Any) -> Any:
        return self.op(b, a)

    def __tessera_tokenize__(self) -> Any:
        return ("reflected", self.op.__name__)


def _unary(op: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Any) -> Any:
        return partitionwise(op, self, prefix=op.__name__.strip("_"))

    return method


class ElementwiseMixin:
    """Operators and element-wise pandas methods, partition by partition."""

    meta: Any

    __add__ = _binary(operator.add)
    __radd__ = _binary(operator.add, True)
    __sub__ = _binary(operator.sub)
    __rsub__ = _binary(operator.sub, True)
    __mul__ = _binary(operator.mul)
    __rmul__ = _binary(operator.mul, True)
    __truediv__ = _binary(operator.truediv)
    __rtruediv__ = _binary(operator.truediv, True)
    __floordiv__ = _binary(operator.floordiv)
    __rfloordiv__ = _binary(operator.floordiv, True)
    __mod__ = _binary(operator.mod)
    __rmod__ = _binary(operator.mod, True)
    __pow__ = _binary(operator.pow)
    __rpow__ = _binary(operator.pow, True)
    __and__ = _binary(operator.and_)
    __rand__ = _binary(operator.and_, True)
    __or__ = _binary(operator.or_)
    __ror__ = _binary(operator.or_, True)
    __xor__ = _binary(operator.xor)
    __rxor__ = _binary(operator.xor, True)
    __lt__ = _binary(operator.lt)
    __le__ = _binary(operator.le)
    __gt__ = _binary(operator.gt)
    __ge__ = _binary(operator.ge)
    __eq__ = _binary(operator.eq)
    __ne__ = _binary(operator.ne)
    __neg__ = _unary(operator.neg)
    __pos__ = _unary(operator.pos)
    __invert__ = _unary(operator.invert)
    __abs__ = _unary(operator.abs)
    __hash__ = object.__hash__

    def _map(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return partitionwise(_method(name), self, *args, prefix=name, **kwargs)

    def astype(self, dtype: Any) -> Any:
        """Cast to ``dtype`` (a dtype, or a dict of column -> dtype).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2]}, npartitions=1).astype("float64").dtypes.tolist()
        [dtype('float64')]
        """
        from tessera.dataframe.categorical import astype_meta

        return self._map("astype", dtype, meta=astype_meta(self.meta, dtype))

    def fillna(self, value: Any = None, **kwargs: Any) -> Any:
        """Fill missing values with ``value`` (a scalar, dict or lazy scalar).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None]}, npartitions=2).fillna(0).compute().a.tolist()
        [1.0, 0.0]
        """
        return self._map("fillna", value, **kwargs)

    def dropna(self, **kwargs: Any) -> Any:
        """Drop rows with missing values (keywords as pandas', axis 0 only).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None, 3.0]}, npartitions=2).dropna().compute().a.tolist()
        [1.0, 3.0]
        """
        if kwargs.get("axis", 0) not in (0, "index"):
            raise NotImplementedError("dropna(axis=1) is not implemented yet.")
        return self._map("dropna", **kwargs)

    def isna(self) -> Any:
        """Where values are missing.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None]}, npartitions=1).isna().compute().a.tolist()
        [False, True]
        """
        return self._map("isna")

    isnull = isna

    def notna(self) -> Any:
        """Where values are not missing.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.0, None]}, npartitions=1).notna().compute().a.tolist()
        [True, False]
        """
        return self._map("notna")

    notnull = notna

    def abs(self) -> Any:
        """Absolute values.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [-1, 2]}, npartitions=2).abs().compute().a.tolist()
        [1, 2]
        """
        return self._map("abs")

    def round(self, decimals: Any = 0) -> Any:
        """Round to ``decimals`` places.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1.26, 2.5]}, npartitions=2).round(1).compute().a.tolist()
        [1.3, 2.5]
        """
        return self._map("round", decimals)

    def clip(self, lower: Any = None, upper: Any = None, **kwargs: Any) -> Any:
        """Limit values to ``[lower, upper]``.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 5, 9]}, npartitions=2).clip(2, 6).compute().a.tolist()
        [2, 5, 6]
        """
        return self._map("clip", lower, upper, **kwargs)

    def isin(self, values: Any) -> Any:
        """Whether each value is in ``values`` (a list, set or dict for frames).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.isin([1, 3]).compute().tolist()
        [True, False, True]
        """
        if isinstance(values, set | frozenset):
            values = sorted(values, key=repr)
        return self._map("isin", values)

    def rename(self, *args: Any, **kwargs: Any) -> Any:
        """Rename columns (``columns=``) or a Series (a scalar name), as pandas does.

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1]}, npartitions=1).rename(columns={"a": "b"}).columns.tolist()
        ['b']
        """
        if "index" in kwargs or ("axis" in kwargs and kwargs["axis"] in (0, "index")):
            raise NotImplementedError(
                "rename(index=...) would invalidate divisions; it is not implemented yet."
            )
        return self._map("rename", *args, **kwargs)

    def drop(self, labels: Any = None, *, columns: Any = None, axis: Any = 0, **kw: Any) -> Any:
        """Drop columns (``columns=`` or ``labels`` with ``axis=1``).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1], "b": [2]}, npartitions=1).drop(columns="a").columns.tolist()
        ['b']
        """
        if columns is None and axis in (1, "columns"):
            columns = labels
        elif labels is not None or columns is None:
            raise NotImplementedError(
                "Only dropping columns is implemented: pass columns= or axis=1."
            )
        return self._map("drop", columns=columns, **kw)

    def explode(self, column: Any = None, ignore_index: bool = False) -> Any:
        """One row per element of list-like values (of ``column`` for a DataFrame).

        The index repeats for the new rows, as in pandas, so divisions stay valid;
        ``ignore_index=True`` is refused because a global ``0..n-1`` needs every
        partition's length: call ``reset_index(drop=True)`` after it instead.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([[1, 2], [], [3]]), npartitions=2)
        >>> s.explode().compute().tolist()
        [1, 2, nan, 3]
        """
        if ignore_index:
            raise NotImplementedError(
                "explode(ignore_index=True) is not supported; use "
                "explode().reset_index(drop=True)."
            )
        args = () if column is None else (column,)
        return self._map("explode", *args)

    def combine_first(self, other: Any) -> Any:
        """Values of ``self``, with its missing values taken from ``other`` (aligned).

        >>> import tessera.dataframe as dd
        >>> a = dd.from_dict({"x": [1.0, None, 3.0]}, npartitions=2).x
        >>> b = dd.from_dict({"x": [9.0, 8.0, None]}, npartitions=2).x
        >>> a.combine_first(b).compute().tolist()
        [1.0, 8.0, 3.0]
        """
        return self._map("combine_first", other)
