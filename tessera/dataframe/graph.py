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
  Probes are built and read in :mod:`~tessera.dataframe.probes`.
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
  (labelled by partition number; Dask too gives a Series); a function returning NumPy
  arrays gives a :class:`tessera.array.Array` of them stacked along the first axis
  (unknown row counts, as in Dask); a function with a
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
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tessera.hashing import tokenize

__all__ = ["Apply", "Slot", "infer_meta", "new_collection", "nonempty", "partitionwise"]

Layers = dict[str, Mapping[Any, Any]]


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
    if isinstance(index, pd.MultiIndex):  # two rows, each level with its own dtype
        levels = [_fake_index(index.get_level_values(i)) for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=index.names)
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
    from tessera.dataframe.probes import refine  # probes builds on this module

    return refine(empty, func, args, kwargs)


def make_meta(x: Any, index: pd.Index | None = None) -> Any:
    """Turn a pandas object, a dict of dtypes (or list of ``(column, dtype)`` pairs), a
    ``(name, dtype)`` tuple, a NumPy dtype or scalar type, a NumPy array (empty along its
    first axis) or a scalar into meta.

    A meta built from dtypes gets ``index`` (type, dtype, name) when given, else a
    ``RangeIndex``.

    >>> make_meta({"a": "int64", "b": "float64"}).dtypes.tolist()
    [dtype('int64'), dtype('float64')]
    >>> make_meta(("x", "float64"), index=pd.DatetimeIndex([], name="t")).index
    DatetimeIndex([], dtype='datetime64[s]', name='t', freq=None)
    >>> make_meta(float)
    np.float64(0.0)
    >>> make_meta(np.array([[1.5, 2.5]]))  # arrays: empty along the rows
    array([], shape=(0, 2), dtype=float64)
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
    if isinstance(x, np.dtype) or (
        isinstance(x, type) and (x in (bool, int, float, complex) or issubclass(x, np.generic))
    ):  # types first: ``x in (...)`` on an array would compare element-wise
        return np.zeros((), dtype=x)[()]
    if isinstance(x, np.ndarray) and x.ndim:
        return x[:0]
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


def flat_graph(layers: Layers) -> dict[Any, Any]:
    """One task graph from a collection's layers (its ``__tessera_graph__``).

    >>> flat_graph({"a": {("a", 0): 1}, "b": {("b", 0): 2}})
    {('a', 0): 1, ('b', 0): 2}
    """
    dsk: dict[Any, Any] = {}
    for layer in layers.values():
        dsk.update(layer)
    return dsk


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
    are passed to every call.  ``meta`` is inferred on the metas when not given.  The
    result is a DataFrame or Series (pandas results), a tessera Array (NumPy arrays: one
    chunk of rows per partition) or a Series of one value per partition (scalars).

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
    array = isinstance(meta, np.ndarray) and meta.ndim > 0
    scalar = not array and not isinstance(meta, pd.DataFrame | pd.Series | pd.Index)
    if scalar:  # one value per partition: a Series labelled by partition number
        meta, divisions = _as_row(meta, 0).iloc[:0], (*range(nparts), nparts - 1)

    def task(i: int) -> Callable[..., Any]:
        info_kw = {"partition_info": _partition_info(frames[0].divisions, i)} if info else {}
        bound = Apply(func, slots[0], {**slots[1], **info_kw})
        return _Row(bound, i) if scalar else bound

    def key(x: Any, i: int) -> Any:
        return (x._name, i) if isinstance(x, _Frame) else (x._name, 0)

    rest = (0,) * (meta.ndim - 1) if array else ()
    layer = {(name, i, *rest): (task(i), *[key(x, i) for x in inputs]) for i in range(nparts)}
    layers = merge_layers(*inputs)
    layers[name] = layer
    if array:
        return _array(layers, name, meta, nparts)
    return new_collection(layers, name, meta, divisions)


def _array(layers: dict[str, Any], name: str, meta: np.ndarray, nparts: int) -> Any:
    """A tessera Array of the partitions' arrays stacked along the rows (row counts
    unknown), as Dask gives for a function returning NumPy arrays."""
    from tessera.array.core import Array

    chunks = ((np.nan,) * nparts, *((k,) for k in meta.shape[1:]))
    return Array(layers, name, chunks, meta.dtype)
