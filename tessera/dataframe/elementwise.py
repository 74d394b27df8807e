"""Element-wise methods of DataFrame and Series: operators and pandas methods per partition.

Map
---
- :class:`ElementwiseMixin` -- arithmetic, comparison and logical operators (with frames of
  the same partitioning, lazy scalars or constants; pandas aligns within each partition),
  and ``astype, fillna, dropna, isna, notna, abs, round, clip, isin, rename, drop,
  explode, combine_first``.
- ``_index_mapper``, ``_renamed_divisions`` -- what ``rename`` maps the index with, and
  the divisions it keeps when the caller promises the mapping is sorted.

Policy: every method is one call to :func:`~tessera.dataframe.graph.partitionwise`, the
meta is computed by running the same pandas method on the meta.  Methods that change
index labels drop the divisions (``rename(index=...)``, unless ``sorted_index=True``);
``explode(ignore_index=True)`` numbers the rows through ``reset_index``.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"a": [1, -2, 3]}, npartitions=2)
>>> (df.abs() * 2 + 1).compute().a.tolist()
[3, 5, 7]
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pandas as pd
from pandas.api.types import is_dict_like

from tessera.dataframe.graph import new_collection, partitionwise

__all__ = ["ElementwiseMixin"]


def _method(name: str) -> Callable[..., Any]:
    def call(part: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(part, name)(*args, **kwargs)

    call.__name__ = name
    return call


class _Explode:
    """``part.explode(*args)``, marked ``grows_data``: one row may become any number
    (the shuffle-method choice counts on it, see
    :mod:`~tessera.dataframe.shuffle_method`)."""

    grows_data = True

    def __call__(self, part: Any, *args: Any) -> Any:
        return part.explode(*args)


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


def _index_mapper(meta: Any, mapper: Any, index: Any, axis: Any) -> Any:
    """What ``rename`` maps the index labels with, or None, by pandas' rules: a Series'
    scalar is its new name; a DataFrame's ``mapper`` maps the index unless ``axis`` says
    columns."""
    if isinstance(meta, pd.Series):
        value = index if mapper is None else mapper
        return value if callable(value) or is_dict_like(value) else None
    if mapper is not None and axis in (None, 0, "index"):
        return mapper
    return index


def _renamed_divisions(divisions: tuple[Any, ...], labels: Any, level: Any) -> tuple[Any, ...]:
    """The divisions mapped as ``rename`` maps the index (``sorted_index=True``).

    >>> _renamed_divisions((0, 5, 9), {5: 6}, None)
    (0, 6, 9)
    """
    renamed = pd.Series(0, index=pd.Index(divisions)).rename(labels, level=level).index
    if not renamed.is_monotonic_increasing:
        raise ValueError(
            f"rename(sorted_index=True): the divisions {list(divisions)} map to "
            f"{renamed.tolist()}, which are not sorted, so the mapping does not keep the "
            "index sorted. Leave sorted_index=False (the divisions become unknown)."
        )
    return tuple(renamed.tolist())


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

    def rename(
        self,
        mapper: Any = None,
        *,
        index: Any = None,
        columns: Any = None,
        axis: Any = None,
        level: Any = None,
        errors: str = "ignore",
        sorted_index: bool = False,
    ) -> Any:
        """Rename index labels, columns, or a Series, as pandas does.

        Parameters
        ----------
        mapper : scalar, dict-like or callable, optional
            A Series: a scalar is its new name, a dict-like or function maps the index
            labels (pandas' positional ``index``).  A DataFrame: maps the labels of
            ``axis``.
        index, columns : dict-like or callable, optional
            Map the index labels / the column names (``index`` may be a Series' new name).
        axis : {0 or "index", 1 or "columns"}, optional
            The axis ``mapper`` maps (default the index).
        level : int or label, optional
            Only the labels of this level of a MultiIndex.
        errors : {"ignore", "raise"}
            ``"raise"``: a ``KeyError`` for dict-like column names not found.  Not
            supported for index labels (each partition holds only some of them).
        sorted_index : bool
            Index labels only: promise that the mapping keeps the index sorted, so the
            divisions are mapped too and stay known (as in Dask); otherwise they become
            unknown.  ``ValueError`` if the mapped divisions are not sorted.

        Returns
        -------
        DataFrame or Series

        Examples
        --------
        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
        >>> df.rename(columns={"a": "b"}).columns.tolist()
        ['b']
        >>> df.a.rename("q").name
        'q'
        >>> out = df.rename(index=lambda i: 10 * i)
        >>> out.compute().index.tolist(), out.known_divisions
        ([0, 10, 20], False)
        >>> df.rename(lambda i: 10 * i, sorted_index=True).divisions
        (0, 20, 20)
        """
        labels = _index_mapper(self.meta, mapper, index, axis)
        if errors == "raise" and is_dict_like(labels):
            raise NotImplementedError(
                "rename(errors='raise') cannot check index labels: each partition holds "
                "only some of them. Use errors='ignore' (the default)."
            )
        args = () if mapper is None else (mapper,)
        given = {"index": index, "columns": columns, "axis": axis, "level": level}
        kwargs = {k: v for k, v in given.items() if v is not None}
        meta = self.meta.rename(*args, errors=errors, **kwargs)  # pandas validates
        out = self._map("rename", *args, errors=errors, meta=meta, **kwargs)
        if labels is None:  # names or columns only: the divisions hold
            return out
        divisions = (None,) * len(out.divisions)
        if sorted_index and out.known_divisions:
            divisions = _renamed_divisions(out.divisions, labels, level)
        return new_collection(out.layers, out._name, out.meta, divisions)

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

        The index repeats for the new rows, as in pandas, so divisions stay valid.
        ``ignore_index=True`` numbers the rows ``0 .. n-1`` across all partitions, as
        pandas does (through :meth:`reset_index`: every partition's length is counted
        first, and the divisions become unknown).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([[1, 2], [], [3]]), npartitions=2)
        >>> s.explode().compute().tolist()
        [1, 2, nan, 3]
        >>> s.explode(ignore_index=True).compute().index.tolist()
        [0, 1, 2, 3]
        """
        if column is not None and isinstance(self.meta, pd.Series):
            raise TypeError(
                f"Series.explode() takes no column (got {column!r}); it explodes the "
                "Series' own values."
            )
        args = () if column is None else (column,)
        out = partitionwise(_Explode(), self, *args, prefix="explode")
        return out.reset_index(drop=True) if ignore_index else out

    def combine_first(self, other: Any) -> Any:
        """Values of ``self``, with its missing values taken from ``other`` (aligned).

        >>> import tessera.dataframe as dd
        >>> a = dd.from_dict({"x": [1.0, None, 3.0]}, npartitions=2).x
        >>> b = dd.from_dict({"x": [9.0, 8.0, None]}, npartitions=2).x
        >>> a.combine_first(b).compute().tolist()
        [1.0, 8.0, 3.0]
        """
        return self._map("combine_first", other)
