"""Building a dataframe's task graph: bound partition functions, meta, the partition-wise waist.

Map
---
- :class:`Slot`, :class:`Apply` -- a function with its constant arguments fixed and slots
  where computed partitions go; the graph only sees the keys, so constants (column
  names, pandas objects) are never scanned for keys.
- :func:`nonempty` -- a small non-empty pandas object with the dtypes of a meta (used
  when a function fails on the empty meta, and for the dtype of reductions).
- :func:`infer_meta` -- the meta of a function's output: the structure (columns, index,
  names) from running it on the empty metas, the dtypes from *probe partitions* where
  they differ, since on empty input pandas keeps dtypes that data changes
  (``s.map({"a": 1})`` on strings, ``fillna("z")``, ``clip(upper=1.5)`` on integers).
  A probe (``_probe``) has varied values, the call's constants that fit each column (the
  keys ``map``/``replace`` look for) and a row of missing values; a dtype that only makes
  room for missing values (``dt.year`` of ``NaT``) is taken from a probe without them.
  If the function fails on empty input, a small fake partition decides, with a
  ``UserWarning`` asking for ``meta=``; if it fails there too, the error keeps the type
  pandas raised (:func:`error_like`).
- :func:`make_meta` -- meta from a pandas object, a dict of dtypes, a ``(name, dtype)``
  tuple, a dtype or a scalar (with a given index).
- :func:`partitionwise` -- **the waist**: one task per partition,
  ``func(part, *args, **kwargs)``; frames are aligned partition by partition, scalars
  (lazy :class:`~tessera.dataframe.scalar.Scalar` or constants) are broadcast.  Every
  element-wise method is one call to it.  A ``meta=`` built from dtypes gets the first
  frame's index; a function returning scalars gives a Series with one row per partition
  (labelled by partition number; Dask too gives a Series); a function with a
  ``partition_info`` parameter gets ``{"number": i, "division": divisions[i]}``.
- :func:`new_collection` -- wrap layers, a name, a meta and divisions in a DataFrame,
  Series or Scalar according to the meta's type.

Policy: keys are ``(name, i)`` with ``name = f"{prefix}-{tokenize(inputs)}"``.

>>> import pandas as pd
>>> f = Apply(pd.Series.add, (Slot(0), 10), {})
>>> f(pd.Series([1, 2])).tolist()
[11, 12]
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.hashing import tokenize

__all__ = ["Apply", "Slot", "infer_meta", "new_collection", "nonempty", "partitionwise"]

Layers = dict[str, Mapping[Any, Any]]

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


@dataclass(frozen=True)
class Slot:
    """Where the ``i``-th computed input goes among a function's arguments."""

    i: int


@dataclass(frozen=True)
class Apply:
    """``func(*args, **kwargs)`` with :class:`Slot` arguments filled from the call's inputs.

    >>> Apply(divmod, (Slot(1), Slot(0)), {})(3, 7)
    (2, 1)
    """

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, *values: Any) -> Any:
        args = [values[a.i] if type(a) is Slot else a for a in self.args]
        kwargs = {k: values[v.i] if type(v) is Slot else v for k, v in self.kwargs.items()}
        return self.func(*args, **kwargs)


def _fake_values(dtype: Any, n: int = 2) -> Any:
    array: Any = pd.array
    if isinstance(dtype, pd.CategoricalDtype):
        cats = list(dtype.categories) or ["a"]
        return pd.Categorical([cats[0]] * n, categories=cats, ordered=dtype.ordered)
    if isinstance(dtype, pd.StringDtype):
        return array(["foo"] * n, dtype=dtype)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        try:
            return array([1] * n, dtype=dtype)
        except (TypeError, ValueError):
            return array([None] * n, dtype=dtype)
    kind = np.dtype(dtype).kind
    if kind == "b":
        return np.array([True, False][:n] * n, dtype=dtype)[:n]
    if kind in "iu":
        return np.ones(n, dtype=dtype)
    if kind in "fc":
        return np.full(n, 1.5, dtype=dtype)
    if kind == "M":
        return pd.to_datetime(["2000-01-01"] * n).astype(dtype)
    if kind == "m":
        return pd.to_timedelta(["1D"] * n).astype(dtype)
    if kind == "O":
        return np.array(["foo"] * n, dtype=object)
    return array([None] * n, dtype=dtype)


def _fake_index(index: pd.Index) -> pd.Index:
    if index.dtype.kind in "iu":
        values: Any = np.arange(2)
        return pd.Index(values.astype(index.dtype), name=index.name)
    return pd.Index(_fake_values(index.dtype), name=index.name)


def _typed(values: Any, index: pd.Index, dtype: Any, name: Any = None) -> pd.Series:
    """A Series of ``values`` with exactly ``dtype`` (pandas 3 would turn object strings into
    ``str``); categoricals keep the dtype of their fake values."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(values, index=index, name=name)
    return pd.Series(values, index=index, dtype=dtype, name=name)


def nonempty(meta: Any) -> Any:
    """Return a 2-row pandas object with the columns, dtypes and index dtype of ``meta``.

    >>> nonempty(pd.DataFrame({"a": pd.Series([], dtype="int64")}))
       a
    0  1
    1  1
    """
    if isinstance(meta, pd.DataFrame):
        index = _fake_index(meta.index)
        data = {i: _typed(_fake_values(dt), index, dt) for i, dt in enumerate(meta.dtypes)}
        out = pd.DataFrame(data, index=index)
        out.columns = meta.columns
        return out
    if isinstance(meta, pd.Series):
        index = _fake_index(meta.index)
        return _typed(_fake_values(meta.dtype), index, meta.dtype, meta.name)
    if isinstance(meta, np.generic):
        return _fake_values(meta.dtype, 1)[0]
    return meta


def _is_collection(x: Any) -> bool:
    return hasattr(x, "__tessera_graph__") and hasattr(x, "meta")


def _as_meta(x: Any) -> Any:
    return x.meta if _is_collection(x) else x


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


def _refine(
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


def error_like(error: BaseException, message: str) -> Exception:
    """An exception of ``error``'s type (pandas' error type) with ``message``; a
    ``ValueError`` when that type cannot be built from a message.

    >>> error_like(TypeError("bad"), "meta: bad")
    TypeError('meta: bad')
    """
    try:
        out = type(error)(message)
    except Exception:
        return ValueError(message)
    return out if isinstance(out, Exception) else ValueError(message)


def infer_meta(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Return the empty result of ``func`` on frames like ``args`` and ``kwargs``.

    The structure (columns, index, names) comes from running ``func`` on the empty metas;
    the dtypes from probe partitions when they differ (pandas keeps the input dtype on
    empty input where data would change it, as in ``s.map({"a": 1})`` on strings).  If
    ``func`` raises on empty input, the result on a small fake partition is used, with a
    ``UserWarning`` asking for ``meta=``.  If that raises too, the error has the type of
    the first one (pandas' error type).

    >>> infer_meta(lambda df: df + 1, (pd.DataFrame({"a": [1]}).iloc[:0],), {}).dtypes
    a    int64
    dtype: object
    >>> import tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series([1.5, None]), npartitions=1)
    >>> infer_meta(lambda s: s.fillna("z"), (s,), {}).dtype  # pandas: on data, not on []
    dtype('O')
    """
    metas = [_as_meta(a) for a in args]
    kmetas = {k: _as_meta(v) for k, v in kwargs.items()}
    try:
        empty = make_meta(func(*metas, **kmetas))
    except Exception as first:
        fakes = [nonempty(m) for m in metas]
        kfakes = {k: nonempty(v) for k, v in kmetas.items()}
        try:
            result = func(*fakes, **kfakes)
        except Exception as second:
            raise error_like(
                first,
                f"Metadata inference failed for {getattr(func, '__name__', func)!r}: it raised "
                f"{type(first).__name__}: {first} on empty input and "
                f"{type(second).__name__}: {second} on a small fake input. "
                "Pass meta= (an empty pandas object, a dict of column -> dtype, or a "
                "(name, dtype) tuple) to say what it returns.",
            ) from second
        warnings.warn(
            f"{getattr(func, '__name__', func)!r} raised {type(first).__name__} on empty "
            "input, so tessera guessed its output columns and dtypes by running it on a "
            "small fake partition. Pass meta= to silence this warning and be sure.",
            UserWarning,
            stacklevel=3,
        )
        return make_meta(result)
    return _refine(empty, func, args, kwargs)


def make_meta(x: Any, index: pd.Index | None = None) -> Any:
    """Turn a pandas object, a dict of dtypes (or list of ``(column, dtype)`` pairs), a
    ``(name, dtype)`` tuple, a NumPy dtype or scalar type, or a scalar into meta.

    A meta built from dtypes gets ``index`` (type, dtype, name) when given, else a
    ``RangeIndex``.

    >>> make_meta({"a": "int64", "b": "float64"}).dtypes.tolist()
    [dtype('int64'), dtype('float64')]
    >>> make_meta(("x", "float64"), index=pd.DatetimeIndex([], name="t")).index
    DatetimeIndex([], dtype='datetime64[s]', name='t', freq=None)
    >>> make_meta(float)
    np.float64(0.0)
    """
    if isinstance(x, pd.DataFrame | pd.Series):
        return x.iloc[:0]
    if isinstance(x, pd.Index):
        return x[:0]
    empty = None if index is None else index[:0]
    if isinstance(x, list) and x and all(isinstance(p, tuple) and len(p) == 2 for p in x):
        x = dict(x)
    if isinstance(x, dict):
        columns = {c: pd.Series([], dtype=d, index=empty) for c, d in x.items()}
        return pd.DataFrame(columns, index=empty) if columns else pd.DataFrame(index=empty)
    if isinstance(x, tuple) and len(x) == 2:
        return pd.Series([], dtype=x[1], name=x[0], index=empty)
    if (
        isinstance(x, np.dtype)
        or x in (bool, int, float, complex)
        or (isinstance(x, type) and issubclass(x, np.generic))
    ):
        return np.zeros((), dtype=x)[()]
    if isinstance(x, np.generic):
        return x
    if isinstance(x, bool | int | float | complex):
        return np.array(x)[()]
    return x


def new_collection(layers: Layers, name: str, meta: Any, divisions: tuple[Any, ...]) -> Any:
    """Wrap a graph in the collection its ``meta`` calls for: DataFrame, Series or Scalar."""
    from tessera.dataframe.core import DataFrame, Series
    from tessera.dataframe.scalar import Scalar

    if isinstance(meta, pd.DataFrame):
        return DataFrame(layers, name, meta, divisions)
    if isinstance(meta, pd.Series):
        return Series(layers, name, meta, divisions)
    return Scalar(layers, name, meta)


def merge_layers(*collections: Any) -> Layers:
    """The union of the layers of ``collections`` (skipping non-collections)."""
    out: Layers = {}
    for c in collections:
        if _is_collection(c):
            out.update(c.layers)
    return out


def _misaligned(frames: list[Any]) -> bool:
    """Whether frames with known but different divisions must be lined up first."""
    return all(f.known_divisions for f in frames) and any(
        f.divisions != frames[0].divisions for f in frames[1:]
    )


def _aligned(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``args`` and ``kwargs`` with all their frames repartitioned to common divisions."""
    from tessera.dataframe.core import _Frame
    from tessera.dataframe.repartition import align

    items = [*enumerate(args), *kwargs.items()]
    at = [k for k, v in items if isinstance(v, _Frame)]
    out = dict(items)
    out.update(zip(at, align([out[k] for k in at]), strict=True))
    return tuple(out[i] for i in range(len(args))), {k: out[k] for k in kwargs}


@dataclass(frozen=True)
class _Row:
    """``func``'s scalar result as a one-row Series labelled ``i`` (a partition's row of
    :func:`partitionwise`'s output when ``func`` returns scalars)."""

    func: Callable[..., Any]
    i: int

    def __call__(self, *values: Any) -> pd.Series:
        return _as_row(self.func(*values), self.i)


def _as_row(value: Any, i: int) -> pd.Series:
    nested = isinstance(value, list | tuple | dict | set | np.ndarray)
    return pd.Series([value], index=[i], dtype=object if nested else None)


def _takes_partition_info(func: Callable[..., Any]) -> bool:
    try:
        return "partition_info" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _partition_info(divisions: tuple[Any, ...], i: int) -> dict[str, Any]:
    return {"number": i, "division": divisions[i]}


def partitionwise(
    func: Callable[..., Any],
    *args: Any,
    meta: Any = None,
    prefix: str | None = None,
    **kwargs: Any,
) -> Any:
    """Apply ``func`` to each partition: the element-wise waist.

    Frame arguments must have the same number of partitions; lazy scalars and constants
    are passed to every call.  ``meta`` is inferred on the metas when not given.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3]}), npartitions=2)
    >>> partitionwise(lambda d, k: d * k, df, 10).compute()
        a
    0  10
    1  20
    2  30
    """
    from tessera.dataframe.core import _Frame

    frames = [a for a in [*args, *kwargs.values()] if isinstance(a, _Frame)]
    if not frames:
        raise TypeError("partitionwise needs at least one DataFrame or Series argument.")
    if _misaligned(frames):
        args, kwargs = _aligned(args, kwargs)
        return partitionwise(func, *args, meta=meta, prefix=prefix, **kwargs)
    nparts = frames[0].npartitions
    for f in frames[1:]:
        if f.npartitions != nparts:
            raise ValueError(
                f"Cannot combine frames with {nparts} and {f.npartitions} partitions "
                "partition by partition; repartition one of them first."
            )
    divisions = frames[0].divisions
    info = "partition_info" not in kwargs and _takes_partition_info(func)
    if meta is None:
        first = {"partition_info": _partition_info(divisions, 0)} if info else {}
        meta = infer_meta(func, args, {**kwargs, **first})
    else:
        meta = make_meta(meta, index=frames[0].meta.index)
    label = prefix or getattr(func, "__name__", "map-partitions").strip("<>").replace("_", "-")
    name = f"{label}-{tokenize(func, args, kwargs, meta)}"
    inputs: list[Any] = []

    def slot(x: Any) -> Any:
        if _is_collection(x):
            inputs.append(x)
            return Slot(len(inputs) - 1)
        return x

    slots = tuple(slot(a) for a in args), {k: slot(v) for k, v in kwargs.items()}
    scalar = not isinstance(meta, pd.DataFrame | pd.Series | pd.Index)
    if scalar:  # one value per partition: a Series labelled by partition number
        meta, divisions = _as_row(meta, 0).iloc[:0], (*range(nparts), nparts - 1)

    def task(i: int) -> Callable[..., Any]:
        info_kw = {"partition_info": _partition_info(frames[0].divisions, i)} if info else {}
        bound = Apply(func, slots[0], {**slots[1], **info_kw})
        return _Row(bound, i) if scalar else bound

    def key(x: Any, i: int) -> Any:
        return (x._name, i) if isinstance(x, _Frame) else (x._name, 0)

    layer = {(name, i): (task(i), *[key(x, i) for x in inputs]) for i in range(nparts)}
    layers = merge_layers(*inputs)
    layers[name] = layer
    return new_collection(layers, name, meta, divisions)
