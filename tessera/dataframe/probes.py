"""Probe partitions: the dtypes a function gives on data, where empty input misleads.

Map
---
- :func:`refine` -- the result of a function on the empty metas (its structure: columns,
  index, names) with the dtypes it gives on *probe partitions* where these differ:
  pandas keeps the input dtype on empty input where data would change it
  (``s.map({"a": 1})`` on strings, ``fillna("z")``, ``clip(upper=1.5)`` on integers).
  Used by :func:`~tessera.dataframe.graph.infer_meta`.
- ``_probe`` -- a probe partition: ``_ROWS`` varied values per column, the call's own
  constants that fit each column (the keys ``map``/``replace`` look for, at most
  ``_MAX_EXTRA``) and, if asked, a row of missing values; cached by dtypes and
  constants (at most ``_MAX_PROBES``).
- :func:`with_missing` -- a probe partition with missing values, for dtypes that depend
  on them (``to_numpy()`` of nullable columns).

Policy: a dtype that only makes room for missing values (``dt.year`` of ``NaT``) is taken
from a probe without them; categories come from the metas, never from probes; a string
column keeps ``str`` when only filling missing values would change it; an object column
stays object where probes made strings.

>>> import pandas as pd, tessera.dataframe as dd
>>> s = dd.from_pandas(pd.Series(["a", "b"]), npartitions=1)
>>> empty = s.meta.map({"a": 1})  # on empty input pandas keeps the strings' dtype
>>> empty.dtype, refine(empty, pd.Series.map, (s, {"a": 1}), {}).dtype
(<StringDtype(na_value=nan)>, dtype('float64'))
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import (
    _as_meta,
    _fake_values,
    _is_collection,
    _typed,
    make_meta,
    nonempty,
)

__all__ = ["refine", "with_missing"]

_ROWS = 3  # varied values in a probe partition
_MAX_EXTRA = 8  # constants of a call added to a probe partition
_PLAIN = (str, bool, int, float, np.generic, pd.Timestamp, pd.Timedelta)
_VARIED: dict[str, list[Any]] = {
    "b": [True, False, True],
    "i": [1, 2, 3],
    "u": [1, 2, 3],
    "f": [1.5, 2.5, 3.5],
    "c": [1.5, 2.5, 3.5],
    "O": ["foo", "bar", "baz"],
}
_FAILED = object()
_PROBES: dict[Any, Any] = {}  # probe partitions by dtypes and constants (see _probe)
_MAX_PROBES = 256


def _harvest(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """Plain constants of a call (scalars, dict keys, list items, a Series' labels): values
    the data is likely to hold, since ``replace``, ``map`` or ``fillna`` act on them."""
    out: list[Any] = []
    for a in [*args, *kwargs.values()]:
        if _is_collection(a) or isinstance(a, pd.DataFrame):
            continue
        items: Any = a.index if isinstance(a, pd.Series) else a
        if not isinstance(items, dict | list | tuple | set | frozenset | np.ndarray | pd.Index):
            items = [items]
        out.extend(v for v in itertools.islice(items, _MAX_EXTRA) if isinstance(v, _PLAIN))
    return out[:_MAX_EXTRA]


def _fits(value: Any, dtype: Any) -> bool:
    """Whether ``value`` is a valid value of ``dtype`` (object columns: strings only)."""
    if _is_object(dtype):
        return isinstance(value, str)
    try:
        return bool(pd.Series([value], dtype=dtype).iloc[0] == value)
    except Exception:
        return False


def _varied(dtype: Any) -> list[Any]:
    if isinstance(dtype, pd.CategoricalDtype):
        return list(dtype.categories[:_ROWS]) or ["a"]
    kind = getattr(dtype, "kind", "O")
    if kind == "M":
        return list(pd.date_range("2000-01-01", periods=_ROWS, tz=getattr(dtype, "tz", None)))
    if kind == "m":
        return list(pd.to_timedelta(np.arange(1, _ROWS + 1), unit="D"))
    return _VARIED.get(kind, _VARIED["O"])


def _probe_column(dtype: Any, extra: list[Any], rows: int, missing: bool) -> Any:
    """``rows`` values of ``dtype``: varied ones and the ``extra`` constants that fit, the
    last one missing when ``missing`` and the dtype can hold it.  Unknown categories
    become the string constants (the labels the call names)."""
    if _unknown(dtype):
        labels = [v for v in extra if isinstance(v, str)] or _VARIED["O"]
        dtype = pd.CategoricalDtype(list(dict.fromkeys(labels)), ordered=dtype.ordered)
    try:
        values = [*_varied(dtype), *[v for v in extra if _fits(v, dtype)]]
        values = [values[i % len(values)] for i in range(rows)]
        column = pd.Series(values, dtype=dtype)
    except Exception:
        return _fake_values(dtype, rows)
    try:
        holed = pd.Series([*values[:-1], None], dtype=dtype)
    except Exception:
        return column.array
    keep = not missing or holed.dtype != dtype or not holed.isna().iloc[-1]
    return column.array if keep else holed.array


def _unknown(dtype: Any) -> bool:
    from tessera.dataframe.categorical import has_known_categories

    return isinstance(dtype, pd.CategoricalDtype) and not has_known_categories(dtype)


def _probe_index(index: pd.Index, rows: int) -> pd.Index:
    """``rows`` distinct labels (where the dtype allows) of the type of ``index``."""
    if isinstance(index, pd.MultiIndex):
        levels = [_probe_index(index.get_level_values(i), rows) for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=index.names)
    dtype, steps = index.dtype, np.arange(rows)
    try:
        if dtype.kind in "iuf":
            return pd.Index(steps + (0.5 if dtype.kind == "f" else 0), name=index.name).astype(
                dtype
            )
        if dtype.kind in "Mm":
            start = _varied(dtype)[0] if dtype.kind == "M" else pd.Timedelta(0)
            return pd.Index(start + pd.to_timedelta(steps, unit="D"), name=index.name).astype(
                dtype
            )
        if not isinstance(dtype, pd.CategoricalDtype):
            return pd.Index([f"i{i}" for i in steps], dtype=dtype, name=index.name)
    except Exception:
        pass
    return pd.Index(_fake_values(dtype, rows), name=index.name)


def _probe(meta: Any, extra: list[Any], missing: bool) -> Any:
    """A probe partition like ``meta``: varied values, the call's constants that fit each
    column, and with ``missing``, a last row of missing values where dtypes allow.

    Probes are cached by dtypes and constants (a shallow copy is returned: copy-on-write
    keeps the cached one intact)."""
    if not isinstance(meta, pd.DataFrame | pd.Series):
        return nonempty(meta)
    index = meta.index
    key = (type(meta), tuple(_dtypes(meta)), type(index), index.dtype, tuple(index.names),
           tuple(extra), missing)  # fmt: skip
    try:
        out = _PROBES[key].copy(deep=False)
    except KeyError:
        out = _build_probe(meta, extra, missing)
        if len(_PROBES) >= _MAX_PROBES:
            _PROBES.clear()
        _PROBES[key] = out.copy(deep=False)
    except TypeError:  # unhashable labels or constants
        out = _build_probe(meta, extra, missing)
    if isinstance(out, pd.DataFrame):
        out.columns = meta.columns
    else:
        out.name = meta.name
    return out


def with_missing(meta: Any) -> Any:
    """A small partition like the empty ``meta`` whose last row is missing in every column
    whose dtype can hold missing values (what data may look like, where ``meta`` cannot
    say: ``Int64`` values give floats in ``to_numpy()`` only where some are missing).

    >>> with_missing(pd.Series([], dtype="Int64")).to_numpy().dtype
    dtype('float64')
    """
    return _probe(meta, [], True)


def _build_probe(meta: Any, extra: list[Any], missing: bool) -> Any:
    rows = _ROWS + len(extra) + 1
    index = _probe_index(meta.index, rows)
    if isinstance(meta, pd.Series):
        return _typed(_probe_column(meta.dtype, extra, rows, missing), index, meta.dtype)
    data = {i: _typed(_probe_column(dt, extra, rows, missing), index, dt)
            for i, dt in enumerate(meta.dtypes)}  # fmt: skip
    return pd.DataFrame(data, index=index)


def _on_probes(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], missing: bool
) -> Any:
    """``func`` on probe partitions (see :func:`_probe`), silently."""
    extra = _harvest(args, kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probes = [_probe(_as_meta(a), extra, missing) if _is_collection(a) else a for a in args]
        kprobes = {k: _probe(_as_meta(v), extra, missing) if _is_collection(v) else v
                   for k, v in kwargs.items()}  # fmt: skip
        return func(*probes, **kprobes)


def _missing_label(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    metas = [_as_meta(a) for a in [*args, *kwargs.values()] if _is_collection(a)]
    first = next(m for m in metas if isinstance(m, pd.DataFrame | pd.Series))
    return _probe_index(first.index, _ROWS + len(_harvest(args, kwargs)) + 1)[-1]


def _kept_missing(result: Any, j: int, label: Any) -> bool:
    """Whether column ``j`` of a probe result is missing in the probe's missing row (or
    whether that row cannot be found)."""
    try:
        (row,) = result.index.get_indexer([label])
        column = result if isinstance(result, pd.Series) else result.iloc[:, j]
        return row < 0 or bool(pd.isna(column.iloc[row]))
    except Exception:
        return True


def _dtypes(x: Any) -> list[Any]:
    return list(x.dtypes) if isinstance(x, pd.DataFrame) else [x.dtype]


def _same_shape(a: Any, b: Any) -> bool:
    return type(a) is type(b) and (isinstance(a, pd.Series) or a.columns.equals(b.columns))


def _attempt(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], missing: bool
) -> Any:
    try:
        return _on_probes(func, args, kwargs, missing)
    except Exception:
        return _FAILED


def refine(
    empty: Any, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """``empty`` (the result on empty input: its structure) with the dtypes pandas gives
    on data, where these differ (``map``, ``replace``, ``fillna``, ``clip`` ...).

    A probe with missing values decides, unless a column is missing where the probe was:
    then the dtype only made room for missing values (``dt.year``), and a probe without
    them decides.  A string column keeps ``str`` when only filling missing values would
    change it (``df.fillna(0)`` on a frame with text columns).
    """
    full = _attempt(func, args, kwargs, True)
    if full is _FAILED:
        return empty
    if not isinstance(empty, pd.DataFrame | pd.Series):
        if type(make_meta(full)) is type(empty) or isinstance(full, pd.DataFrame | pd.Series):
            return empty  # the same type, or a pandas object only on data: keep the first
        base = _attempt(func, args, kwargs, False)
        return make_meta(full if base is _FAILED else base)
    if not _same_shape(empty, full):
        return empty
    before, after = _dtypes(empty), _dtypes(full)
    changed = [j for j, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if not changed:
        return empty
    base = _attempt(func, args, kwargs, False)
    plain = _dtypes(base) if _same_shape(empty, base) else None
    label = _missing_label(args, kwargs)
    out = empty
    for j in changed:
        dtype = after[j]
        if _kept_missing(full, j, label):
            if plain is None:
                continue
            dtype = plain[j]
        elif isinstance(before[j], pd.StringDtype) and (plain is None or plain[j] == before[j]):
            continue  # strings change only where missing values are filled: keep str
        if _keep(before[j], dtype):
            continue
        if isinstance(dtype, pd.CategoricalDtype) and _any_unknown(args, kwargs):
            from tessera.dataframe.categorical import UNKNOWN_CATEGORIES

            dtype = pd.CategoricalDtype([UNKNOWN_CATEGORIES], ordered=dtype.ordered)
        out = out.astype(dtype) if isinstance(out, pd.Series) else _with_dtype(out, j, dtype)
    return out


def _keep(empty: Any, probed: Any) -> bool:
    """Whether the dtype on empty input stands: the same as on probes, categorical on both
    (categories come from the metas, not probes), or object where probes made strings
    (object columns may hold anything: lists, mixed values)."""
    both_categorical = isinstance(empty, pd.CategoricalDtype) and isinstance(
        probed, pd.CategoricalDtype
    )
    return empty == probed or both_categorical or (_is_object(empty) and probed == "str")


def _is_object(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _any_unknown(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether a frame among the arguments has a column of unknown categories."""
    metas = [_as_meta(a) for a in [*args, *kwargs.values()] if _is_collection(a)]
    return any(_unknown(dt) for m in metas if hasattr(m, "dtype") or hasattr(m, "dtypes")
               for dt in _dtypes(m))  # fmt: skip


def _with_dtype(frame: pd.DataFrame, j: int, dtype: Any) -> pd.DataFrame:
    out = frame.copy()
    out.isetitem(j, frame.iloc[:, j].astype(dtype))
    return out
