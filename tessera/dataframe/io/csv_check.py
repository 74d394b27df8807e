"""The dtypes of CSV blocks: what they are parsed with, the check, the error.

Map
---
- :func:`block_dtypes` -- the ``dtype=`` every block is parsed with (the meta's dtypes,
  the user's on top), so that blocks come out as pandas would read the whole file.
  ``object`` columns are left to each block: pandas infers ``object`` for values that are
  not all strings (booleans with missing values), and ``dtype=object`` would read those
  as strings; :func:`conform` then casts what the block inferred (``bool``, all-missing
  ``float64``) to ``object``.
- :func:`conform` -- return the block with the meta's dtypes, or raise the error below.
  Harmless differences (integers where floats were inferred, anything where strings
  were inferred) are cast; categoricals match whatever their categories.
- :func:`mismatch_error` -- a ``ValueError`` naming each column whose values do not fit
  the inferred dtype, the dtype expected and found, an example value, and the
  ``dtype={...}`` to pass instead (``None`` if nothing disagrees).
- :func:`categorical_meta`, :func:`empty_block` -- categoricals: a column read with
  ``dtype="category"`` (or ``{"c": "category"}``) gets in each block the categories
  found in that block's values, so the meta marks them *unknown* (the convention of
  :mod:`tessera.dataframe.categorical`); a ``pd.CategoricalDtype(categories)`` gives
  every block, and the meta, exactly those.  A block without rows has no categories.

>>> import pandas as pd
>>> meta = pd.DataFrame({"k": pd.Series([], dtype="int64")})
>>> print(mismatch_error(pd.DataFrame({"k": [1.0, 1.5]}), meta, "'a.csv'", "read_csv"))
read_csv: the values in 'a.csv' do not fit the dtypes inferred from the sample at the head of the first file:
- column 'k': expected int64, found float64 (e.g. 1.5)
Pass dtype={'k': 'float64'} to read_csv (or a larger sample=; assume_missing=True reads integer columns as float64).
"""  # noqa: E501

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from tessera.dataframe.categorical import has_known_categories, unknown_categories

__all__ = ["block_dtypes", "categorical_meta", "conform", "empty_block", "mismatch_error"]


def _same(expected: Any, found: Any) -> bool:
    if isinstance(expected, pd.CategoricalDtype):
        return isinstance(found, pd.CategoricalDtype)
    return bool(expected == found)


def _harmless(expected: Any, found: Any) -> bool:
    """Whether ``found`` values always fit ``expected`` (what pandas would widen to)."""
    if isinstance(expected, pd.StringDtype) or expected is np.dtype(object):
        return True
    numpy = not isinstance(expected, ExtensionDtype) and not isinstance(found, ExtensionDtype)
    return numpy and expected.kind == "f" and found.kind in "iub"


def _example(values: pd.Series, expected: Any) -> tuple[Any] | None:
    """``(value,)`` for the first value that does not convert to ``expected``, if any."""
    for v in values.drop_duplicates().iloc[:1000]:
        try:
            back = pd.Series([v], dtype=values.dtype).astype(expected).iloc[0]
        except (TypeError, ValueError, OverflowError):
            return (v,)
        if isinstance(v, int | float | np.number) and back != v:
            return (v,)
    return None


def mismatch_error(
    found: pd.DataFrame, meta: pd.DataFrame, where: str, caller: str
) -> ValueError | None:
    """The error explaining how ``found`` (one block) disagrees with ``meta``, or ``None``."""
    if not found.columns.equals(meta.columns):
        return ValueError(
            f"{caller}: {where} has the columns {list(found.columns)!r}, but the head of the "
            f"first file has {list(meta.columns)!r}. Files read together must have the same "
            "columns; read them separately, or pass names= and usecols=."
        )
    lines, fix = [], {}
    for col in meta.columns:
        expected, got = meta[col].dtype, found[col].dtype
        if _same(expected, got) or _harmless(expected, got):
            continue
        ex = _example(found[col], expected)
        eg = "" if ex is None else f" (e.g. {ex[0]!r})"
        lines.append(f"- column {col!r}: expected {expected}, found {got}{eg}")
        fix[col] = str(got)
    if not lines:
        return None
    return ValueError(
        f"{caller}: the values in {where} do not fit the dtypes inferred from the sample "
        "at the head of the first file:\n" + "\n".join(lines) + f"\nPass dtype={fix!r} to "
        f"{caller} (or a larger sample=; assume_missing=True reads integer columns as "
        "float64)."
    )


def conform(df: pd.DataFrame, meta: pd.DataFrame, where: str, caller: str) -> pd.DataFrame:
    """``df`` with ``meta``'s dtypes; raise :func:`mismatch_error` if they do not fit.

    >>> meta = pd.DataFrame({"x": pd.Series([], dtype="float64")})
    >>> conform(pd.DataFrame({"x": [1, 2]}), meta, "b", "read_csv").x.dtype
    dtype('float64')
    """
    if df.columns.equals(meta.columns) and all(
        _same(e, f) for e, f in zip(meta.dtypes, df.dtypes, strict=True)
    ):
        return df
    error = mismatch_error(df, meta, where, caller)
    if error is not None:
        raise error
    cast = {c: meta[c].dtype for c in meta.columns if not _same(meta[c].dtype, df[c].dtype)}
    return df.astype(cast)


def block_dtypes(meta: pd.DataFrame, user_dtype: Any, converters: Any) -> Any:
    """The ``dtype=`` every block is parsed with: the meta's, then the user's on top.

    Dates and categoricals are left out (pandas parses dates with ``parse_dates``, and
    a categorical's categories differ from block to block), as are converted columns and
    ``object`` columns (``dtype=object`` reads ``True`` as the string ``'True'``, while
    pandas infers ``object`` for booleans with missing values and keeps them booleans).

    >>> meta = pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="str"),
    ...                      "c": pd.Series([], dtype=object)})
    >>> block_dtypes(meta, {"b": "category"}, None)
    {'a': dtype('int64'), 'b': 'category'}
    >>> block_dtypes(meta, None, None)
    {'a': dtype('int64'), 'b': <StringDtype(na_value=nan)>}
    """
    if user_dtype is not None and not isinstance(user_dtype, dict):
        return user_dtype
    named: list[tuple[Any, Any]] = [(c, meta[c].dtype) for c in meta.columns]
    if meta.index.name is not None and meta.index.nlevels == 1:
        named.append((meta.index.name, meta.index.dtype))
    if len({c for c, _ in named}) < len(named):
        return user_dtype
    out = {
        c: dt
        for c, dt in named
        if not isinstance(dt, pd.CategoricalDtype)
        and dt.kind not in "Mm"
        and dt != np.dtype(object)
        and c not in (converters or {})
    }
    out.update(user_dtype or {})
    return out


def _with_index_dtype(frame: pd.DataFrame, dtype: pd.CategoricalDtype) -> pd.DataFrame:
    index = pd.CategoricalIndex([], dtype=dtype, name=frame.index.name)
    return frame.iloc[:0].set_axis(index)


def _given_categories(spec: Any) -> bool:
    """Whether a ``dtype=`` entry gives its categories (then every block has them)."""
    return isinstance(spec, pd.CategoricalDtype) and spec.categories is not None


def categorical_meta(meta: pd.DataFrame, user_dtype: Any) -> pd.DataFrame:
    """``meta`` (parsed from the sample) with the categories that ``user_dtype`` does not
    give marked unknown, in its columns and its index: pandas finds those in each block.

    >>> meta = pd.DataFrame({"c": pd.Categorical(["x"]), "d": pd.Categorical(["x"])})
    >>> out = categorical_meta(meta, {"c": "category", "d": pd.CategoricalDtype(["x", "y"])})
    >>> has_known_categories(out.c), has_known_categories(out.d)
    (False, True)
    """

    def unknown(name: Any, dtype: Any) -> bool:
        spec = user_dtype.get(name) if isinstance(user_dtype, dict) else user_dtype
        return isinstance(dtype, pd.CategoricalDtype) and not _given_categories(spec)

    columns = [c for c, d in meta.dtypes.items() if unknown(c, d)]
    out = unknown_categories(meta, columns) if columns else meta
    if meta.index.nlevels == 1 and unknown(meta.index.name, meta.index.dtype):
        out = _with_index_dtype(out, unknown_categories(meta.index.to_series()).dtype)
    return out


def empty_block(meta: pd.DataFrame) -> pd.DataFrame:
    """The frame of a block without rows: ``meta``, with no categories where they are
    unknown (the sentinel category is not a value of the data).

    >>> meta = categorical_meta(pd.DataFrame({"c": pd.Categorical([])}), "category")
    >>> empty_block(meta).c.cat.categories.tolist()
    []
    """

    def cleared(dtype: Any) -> Any:
        if isinstance(dtype, pd.CategoricalDtype) and not has_known_categories(dtype):
            return pd.CategoricalDtype([], ordered=dtype.ordered)
        return None

    casts = {c: cleared(d) for c, d in meta.dtypes.items() if cleared(d) is not None}
    out = meta.iloc[:0].astype(casts) if casts else meta.iloc[:0].copy()
    index = cleared(meta.index.dtype) if meta.index.nlevels == 1 else None
    return out if index is None else _with_index_dtype(out, index)
