"""Reshaping by values: ``get_dummies``, ``pivot_table`` and ``melt``.

Map
---
- :func:`get_dummies` -- pandas' ``get_dummies`` on each partition.  The output columns
  must be known before computing, so the encoded columns must be categoricals with
  known categories (:meth:`~tessera.dataframe.categorical.CategorizeMixin.categorize`
  makes them so), as in Dask.
- :func:`pivot_table` -- a tree reduction: each partition is grouped by
  ``(index, columns)`` into partial aggregates (:class:`_PivotHow` says which), partials
  are merged by a groupby, and the last step builds the table with pandas'
  ``pivot_table`` (the keys renamed there, so that a value column may also be the
  ``index`` or ``columns`` column, as in pandas).  ``columns`` must be a known
  categorical: the table has one column per category, as pandas gives with
  ``observed=False, dropna=False``.
- :func:`melt` -- one output partition per ``(value column, input partition)``, value
  column first, so the rows come in pandas' order; ``ignore_index=True`` then numbers
  them ``0 .. n-1`` like pandas.
- :class:`PivotMixin` -- ``DataFrame.pivot_table`` and ``DataFrame.melt``.

>>> import pandas as pd, tessera.dataframe as dd
>>> pdf = pd.DataFrame({"k": [1, 1, 2], "c": pd.Categorical(["x", "y", "x"]), "v": [1, 2, 3]})
>>> df = dd.from_pandas(pdf, npartitions=2)
>>> pivot_table(df, index="k", columns="c", values="v", aggfunc="sum").compute()
c  x  y
k
1  1  2
2  3  0
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from itertools import count, islice
from typing import Any

import pandas as pd

from tessera.dataframe.categorical import has_known_categories
from tessera.dataframe.graph import (
    make_meta,
    merge_layers,
    new_collection,
    nonempty,
    partitionwise,
)
from tessera.dataframe.tree import reduction
from tessera.hashing import tokenize

__all__ = ["PivotMixin", "get_dummies", "melt", "pivot_table"]


def _require_known(meta: Any, columns: list[Any], what: str) -> None:
    """Raise unless ``columns`` of ``meta`` (a Series: ``[None]``, itself) are known
    categoricals, saying how to make them so."""
    for c in columns:
        series = meta if isinstance(meta, pd.Series) else meta[c]
        label, fix = (
            ("the Series", "s.astype('category').cat.as_known()")
            if series is meta
            else (f"column {c!r}", f"df.categorize([{c!r}])")
        )
        if not isinstance(series.dtype, pd.CategoricalDtype):
            raise ValueError(
                f"{what} needs categoricals to know its output columns before computing; "
                f"{label} has dtype {series.dtype}. Call {fix} first."
            )
        if not has_known_categories(series.dtype):
            raise NotImplementedError(
                f"{what} needs known categories, but {label} has unknown categories (they "
                f"may differ between partitions). Call {fix} or .cat.as_known() first."
            )


def get_dummies(
    data: Any,
    prefix: Any = None,
    prefix_sep: Any = "_",
    dummy_na: bool = False,
    columns: Any = None,
    sparse: bool = False,
    drop_first: bool = False,
    dtype: Any = bool,
    **kwargs: Any,
) -> Any:
    """Indicator columns of categoricals with known categories, as pandas' ``get_dummies``.

    ``data`` is a categorical Series or a DataFrame; ``columns`` (default: every
    categorical column) must have known categories, and with ``columns=None`` there must
    be no ``object``/string columns (pandas would encode those too).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series(list("abca"), dtype="category"), npartitions=2)
    >>> get_dummies(s, dtype=int).compute()
       a  b  c
    0  1  0  0
    1  0  1  0
    2  0  0  1
    3  1  0  0
    >>> get_dummies(dd.from_dict({"s": ["a", "b"]}, npartitions=1))
    Traceback (most recent call last):
      ...
    NotImplementedError: get_dummies of a DataFrame with columns=None encodes every ...
    """
    meta = data.meta
    if isinstance(meta, pd.Series):
        _require_known(meta, [None], "get_dummies")
    elif columns is None:
        text = [c for c, d in meta.dtypes.items()
                if pd.api.types.is_object_dtype(d) or isinstance(d, pd.StringDtype)]  # fmt: skip
        if text:
            raise NotImplementedError(
                "get_dummies of a DataFrame with columns=None encodes every object or "
                f"string column, whose values are unknown before computing: {text!r}. "
                "Call df.categorize() first, or pass columns= naming categorical columns."
            )
        _require_known(meta, list(meta.select_dtypes("category").columns), "get_dummies")
    else:
        columns = list(columns) if isinstance(columns, list | tuple | pd.Index) else [columns]
        data._check_columns(columns)
        _require_known(meta, columns, "get_dummies")
    kw = dict(prefix=prefix, prefix_sep=prefix_sep, dummy_na=dummy_na, columns=columns,
              sparse=sparse, drop_first=drop_first, dtype=dtype, **kwargs)  # fmt: skip
    return partitionwise(_dummies, data, kw, meta=pd.get_dummies(meta, **kw),
                         prefix="get-dummies")  # fmt: skip


def _dummies(part: Any, kwargs: dict[str, Any]) -> Any:
    return pd.get_dummies(part, **kwargs)


@dataclass(frozen=True)
class _PivotHow:
    """The partial aggregate of one ``aggfunc``, how partials merge, and the final step."""

    chunk: Any
    combine: str
    final: str


_HOWS = {
    "mean": _PivotHow(["sum", "count"], "sum", "mean"),
    "sum": _PivotHow("sum", "sum", "sum"),
    "count": _PivotHow("count", "sum", "sum"),
    "first": _PivotHow("first", "first", "first"),
    "last": _PivotHow("last", "last", "last"),
}


def _pivot_chunk(part: Any, keys: list[Any], values: list[Any], how: _PivotHow) -> Any:
    grouped = part.groupby(keys, observed=True, dropna=False, sort=False)[values]
    return grouped.agg(how.chunk)


def _pivot_combine(parts: list[Any], how: _PivotHow) -> Any:
    joined = pd.concat(parts)
    return joined.groupby(level=[0, 1], dropna=False, sort=False).agg(how.combine)


def _free_names(taken: list[Any], n: int) -> list[str]:
    """``n`` column names that are not in ``taken``."""
    names = (f"_pivot_key_{i}" for i in count())
    return list(islice((name for name in names if name not in taken), n))


def _pivot_final(parts: list[Any], how: _PivotHow, spec: dict[str, Any], dtype: Any) -> Any:
    merged = _pivot_combine(parts, how)
    if isinstance(how.chunk, list):  # mean: partial sums and counts
        merged = merged.xs("sum", axis=1, level=1) / merged.xs("count", axis=1, level=1)
    # the keys get names of their own: a value column may be a key column too
    index, columns = _free_names(list(merged.columns), 2)
    small = merged.rename_axis([index, columns]).reset_index()
    small[columns] = small[columns].astype(dtype)
    aggfunc: Any = how.final
    table = pd.pivot_table(
        small, values=spec["values"], index=index, columns=columns, aggfunc=aggfunc,
        observed=False, dropna=False,
    )  # fmt: skip
    return table.rename_axis(index={index: spec["index"]}, columns={columns: spec["columns"]})


def pivot_table(
    df: Any, index: Any = None, columns: Any = None, values: Any = None, aggfunc: str = "mean"
) -> Any:
    """A spreadsheet-style pivot table, one column per category of ``columns``.

    Parameters
    ----------
    df : DataFrame
    index : column name
        Its distinct values become the rows (sorted, as pandas sorts them).
    columns : column name
        A categorical column with known categories (``df.categorize([columns])``).
    values : column name or list of column names
        The column(s) to aggregate; a list gives ``(value, category)`` columns.
    aggfunc : {'mean', 'sum', 'count', 'first', 'last'}

    The result equals pandas' ``pivot_table(..., observed=False, dropna=False)``: every
    category is a column, even one that no row uses (``0`` for sum and count, ``NaN``
    otherwise).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> pdf = pd.DataFrame({"k": [1, 2, 1], "c": pd.Categorical(["x", "x", "y"]),
    ...                     "v": [1.0, 2.0, 5.0]})
    >>> pivot_table(dd.from_pandas(pdf, 2), "k", "c", "v").compute()
    c    x    y
    k
    1  1.0  5.0
    2  2.0  NaN
    """
    if aggfunc not in _HOWS:
        raise ValueError(f"aggfunc must be one of {sorted(_HOWS)}, got {aggfunc!r}.")
    for name, key in (("index", index), ("columns", columns)):
        if key is None or isinstance(key, list | tuple):
            raise ValueError(f"pivot_table needs {name}= as one column name, got {key!r}.")
    if values is None:
        raise ValueError("pivot_table needs values= (a column name or a list of them).")
    if isinstance(values, list | tuple):
        values = list(values)
    vals = list(dict.fromkeys(values if isinstance(values, list) else [values]))
    df._check_columns([index, columns, *vals])
    _require_known(df.meta, [columns], "pivot_table")
    how = _HOWS[aggfunc]
    spec = {"index": index, "columns": columns, "values": values}
    dtype = df.meta[columns].dtype
    keys = [index, columns]
    final = partial(_pivot_final, how=how, spec=spec, dtype=dtype)
    fake = nonempty(df.meta[list(dict.fromkeys([*keys, *vals]))])  # a value may be a key
    meta = final([_pivot_chunk(fake, keys, vals, how)])
    return reduction(
        df,
        partial(_pivot_chunk, keys=keys, values=vals, how=how),
        partial(_pivot_combine, how=how),
        final,
        meta=make_meta(meta),
        prefix="pivot-table",
    )


@dataclass(frozen=True)
class _MeltOne:
    """``pd.melt`` of one partition for one value column, cast to the output's dtypes."""

    kwargs: tuple[tuple[str, Any], ...]
    value_var: Any
    dtypes: dict[Any, Any]

    def __call__(self, part: Any) -> Any:
        out = pd.melt(part, value_vars=[self.value_var], ignore_index=False, **dict(self.kwargs))
        return out.astype(self.dtypes)


def melt(
    frame: Any,
    id_vars: Any = None,
    value_vars: Any = None,
    var_name: Any = None,
    value_name: Any = "value",
    col_level: Any = None,
    ignore_index: bool = True,
) -> Any:
    """Unpivot from wide to long, in pandas' row order (value column by value column).

    >>> import pandas as pd, tessera.dataframe as dd
    >>> df = dd.from_dict({"id": [1, 2], "a": [10, 20], "b": [30, 40]}, npartitions=2)
    >>> melt(df, id_vars="id").compute()
       id variable  value
    0   1        a     10
    1   2        a     20
    2   1        b     30
    3   2        b     40
    """
    meta = frame.meta
    kw = {"id_vars": id_vars, "var_name": var_name, "value_name": value_name,
          "col_level": col_level}  # fmt: skip
    out_meta = pd.melt(meta, value_vars=value_vars, ignore_index=False, **kw)
    ids = [] if id_vars is None else id_vars if isinstance(id_vars, list | tuple) else [id_vars]
    if value_vars is None:
        chosen = [c for c in meta.columns if c not in set(ids)]
    else:
        chosen = list(value_vars) if isinstance(value_vars, list | tuple) else [value_vars]
    name = f"melt-{tokenize(frame, kw, chosen)}"
    n = frame.npartitions
    dtypes = out_meta.dtypes.to_dict()
    layer = {(name, j * n + i): (_MeltOne(tuple(kw.items()), v, dtypes), (frame._name, i))
             for j, v in enumerate(chosen) for i in range(n)}  # fmt: skip
    layers = merge_layers(frame)
    layers[name] = layer
    out = new_collection(layers, name, out_meta, (None,) * (len(layer) + 1))
    return out.reset_index(drop=True) if ignore_index else out


class PivotMixin:
    """``DataFrame.pivot_table`` and ``DataFrame.melt``."""

    def pivot_table(
        self, index: Any = None, columns: Any = None, values: Any = None, aggfunc: str = "mean"
    ) -> Any:
        """A pivot table; see :func:`pivot_table`.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> pdf = pd.DataFrame({"k": [1, 1], "c": pd.Categorical(["x", "y"]), "v": [1, 2]})
        >>> dd.from_pandas(pdf, 1).pivot_table("k", "c", "v", "count").compute().values.tolist()
        [[1, 1]]
        """
        return pivot_table(self, index, columns, values, aggfunc)

    def melt(
        self,
        id_vars: Any = None,
        value_vars: Any = None,
        var_name: Any = None,
        value_name: Any = "value",
        col_level: Any = None,
        ignore_index: bool = True,
    ) -> Any:
        """Unpivot from wide to long; see :func:`melt`.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2], "b": [3, 4]}, npartitions=2)
        >>> df.melt().compute().value.tolist()
        [1, 2, 3, 4]
        """
        return melt(self, id_vars, value_vars, var_name, value_name, col_level, ignore_index)
