"""Flexible arithmetic and comparison methods of DataFrame and Series (``df.add(other, ...)``).

Map
---
- :data:`ARITHMETIC`, :data:`COMPARISON` -- the table: ``add, sub, mul, div, truediv,
  floordiv, mod, pow``, their reflected ``radd ... rpow``, and ``eq, ne, lt, le, gt, ge``.
- :class:`FlexOpsMixin` -- one method per name, each made by :func:`_flex` from the table:
  the arguments are bound by pandas' own signature of the method (so positional order,
  defaults and errors are pandas': a DataFrame's are ``(other, axis="columns", level=None,
  fill_value=None)``, a Series' ``(other, level=None, fill_value=None, axis=0)``), then one
  :func:`~tessera.dataframe.graph.partitionwise` call runs pandas' method per partition.
- :class:`FlexOp` -- the picklable per-partition call ``part.<name>(other, **options)``.
- :func:`lazy_other` -- what ``other`` becomes: lazy frames and lazy scalars stay lazy, a
  pandas object aligned on the index becomes a one-partition frame (lined up with the
  partitions by their divisions), anything broadcast over the columns stays a constant.

Policy: frames with different known divisions are repartitioned to common ones first
(as the operators do), so pandas aligns each pair of partitions; ``fill_value`` fills a
value missing on one side only, element by element, which is exact partition by partition
once both sides are split alike.  The meta is pandas' method run on non-empty fakes of the
metas.  What cannot be split by rows raises: a lazy Series aligned with a DataFrame's
columns, or a list or array aligned with the rows.  As with the operators, an integer
``floordiv``/``mod`` by zero makes pandas give a float column in the partitions that
hold such a zero, while the meta (from fakes without zeros) says integer.

>>> import pandas as pd, tessera.dataframe as dd
>>> pdf = pd.DataFrame({"a": [1.0, None, 3.0], "b": [4, 5, 6]})
>>> df = dd.from_pandas(pdf, npartitions=2)
>>> df.add(df.a, axis="index", fill_value=0).compute()
     a    b
0  2.0  5.0
1  NaN  5.0
2  6.0  9.0
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pandas.api.types import is_list_like

from tessera.dataframe.graph import make_meta, nonempty, partitionwise

__all__ = ["ARITHMETIC", "COMPARISON", "FlexOp", "FlexOpsMixin", "lazy_other"]

#: Arithmetic method -> the operation it names (its reflection is ``r<name>``).
ARITHMETIC = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "truediv": "/",
    "floordiv": "//",
    "mod": "%",
    "pow": "**",
}

#: Comparison method -> the operator it names.
COMPARISON = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class FlexOp:
    """``part.<name>(other, **options)``: pandas' flexible method on one partition.

    >>> FlexOp("rsub")(pd.Series([1, 2]), 10).tolist()
    [9, 8]
    """

    name: str

    def __call__(self, part: Any, other: Any, **options: Any) -> Any:
        return getattr(part, self.name)(other, **options)


def _along_index(meta: Any, axis: Any) -> bool:
    """Whether a Series ``other`` lines up with the rows (not the columns) of ``meta``."""
    return isinstance(meta, pd.Series) or axis in (0, "index", "rows")


def _by_rows(frame: Any, other: Any, axis: Any, level: Any) -> bool:
    """Whether pandas lines the pandas object ``other`` up with the rows of ``frame``
    (with a ``level`` it is broadcast across that level, the same for every partition)."""
    if level is not None:
        return False
    return isinstance(other, pd.DataFrame) or (
        isinstance(other, pd.Series) and _along_index(frame.meta, axis)
    )


def _check_positional(frame: Any, other: Any, axis: Any) -> None:
    """Refuse a list or array that pandas would match with the rows by position."""
    positional = is_list_like(other) and not isinstance(other, dict | pd.Series | pd.DataFrame)
    if positional and _along_index(frame.meta, axis) and not hasattr(other, "divisions"):
        raise NotImplementedError(
            f"A list-like other of type {type(other).__name__} would be matched with the "
            "rows by position, which differs in every partition. Wrap it in a pandas "
            "Series with the frame's index (or use a lazy Series) instead."
        )


def _meta(frame: Any, name: str, fake_other: Any, options: dict[str, Any]) -> Any:
    """pandas' ``name`` on a non-empty fake of ``frame``; on the empty meta when the fake
    does not fit (a MultiIndex ``level``), which also lets pandas raise on bad input."""
    try:
        return make_meta(getattr(nonempty(frame.meta), name)(fake_other, **options))
    except Exception:
        other = fake_other.iloc[:0] if hasattr(fake_other, "iloc") else fake_other
        return make_meta(getattr(frame.meta, name)(other, **options))


def _fake_other(frame: Any, other: Any, axis: Any, level: Any) -> Any:
    """What ``other`` is in the meta computation: a non-empty fake of a frame, cut to one
    row when its rows may not line up with ``frame``'s (so that pandas' alignment shows,
    e.g. integers becoming floats), a lazy scalar's fake, or the constant itself."""
    from tessera.dataframe.core import _Frame

    if isinstance(other, _Frame) or _by_rows(frame, other, axis, level):
        lazy = isinstance(other, _Frame)
        fake = nonempty(other.meta if lazy else other.iloc[:0])
        same = lazy and other.divisions == frame.divisions
        return fake if same else fake.iloc[:1]
    return nonempty(other.meta) if hasattr(other, "meta") else other


def lazy_other(frame: Any, other: Any, axis: Any, level: Any = None) -> Any:
    """``other`` as :class:`FlexOpsMixin` passes it to every partition (see the map).

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": [1, 2]}, npartitions=2)
    >>> lazy_other(df, pd.Series([5], index=["a"]), "columns").tolist()
    [5]
    >>> lazy_other(df, pd.DataFrame({"a": [5]}), "columns").npartitions
    1
    """
    from tessera.dataframe.core import DataFrame, _Frame
    from tessera.dataframe.creation import from_pandas

    along = _along_index(frame.meta, axis)
    if isinstance(other, _Frame):
        if isinstance(other, DataFrame) or along:
            return other
        raise NotImplementedError(
            f"DataFrame.<op>(<lazy Series>, axis={axis!r}) lines the Series up with the "
            "columns, which a row-partitioned Series cannot do lazily. Pass axis='index' "
            "to line it up with the rows, or compute() the Series first."
        )
    if _by_rows(frame, other, axis, level):
        if not frame.known_divisions:
            raise ValueError(
                "Combining a frame of unknown divisions with a pandas object needs the "
                "divisions to line the pandas rows up with the partitions. Give the frame "
                "known divisions first (set_index, or from_pandas), or wrap the pandas "
                "object with from_pandas and repartition both alike."
            )
        return from_pandas(other, npartitions=1)
    return other


def _flex(name: str, symbol: str) -> Callable[..., Any]:
    """The :class:`FlexOpsMixin` method ``name`` (see the module map)."""

    def method(self: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        pandas_method = getattr(type(self.meta), name)
        try:
            bound = inspect.signature(pandas_method).bind(self.meta, other, *args, **kwargs)
        except TypeError as e:
            raise TypeError(
                f"{type(self).__name__}.{name}: {e}; the signature is pandas' "
                f"{name}{inspect.signature(pandas_method)}."
            ) from None
        options = dict(list(bound.arguments.items())[2:])
        axis, level = options.get("axis"), options.get("level")
        _check_positional(self, other, axis)
        meta = _meta(self, name, _fake_other(self, other, axis, level), options)
        other = lazy_other(self, other, axis, level)
        return partitionwise(FlexOp(name), self, other, meta=meta, prefix=name, **options)

    reflected = name.startswith("r") and name[1:] in ARITHMETIC
    what = f"other {symbol} frame" if reflected else f"frame {symbol} other"
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"""``{what}`` element-wise, as pandas' ``{name}`` (see the module map).

        Parameters are pandas': ``other`` (scalar, lazy scalar, frame, pandas object),
        ``axis`` (DataFrame: ``"columns"`` or ``"index"`` to line a Series up with the
        rows), ``level`` (MultiIndex level to broadcast across) and ``fill_value``.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> p = pd.DataFrame({{"a": [1.0, None, 3.0, 4.0], "b": [2, 3, 0, 5]}})
        >>> d = dd.from_pandas(p, npartitions=3)
        >>> d.{name}(d.b, axis="index").compute().equals(p.{name}(p.b, axis="index"))
        True
        >>> d.a.{name}(2, fill_value=1).compute().equals(p.a.{name}(2, fill_value=1))
        True
        """
    return method


def _methods() -> dict[str, Callable[..., Any]]:
    table = {**ARITHMETIC, **{f"r{k}": v for k, v in ARITHMETIC.items()}, **COMPARISON}
    return {name: _flex(name, symbol) for name, symbol in table.items()}


class FlexOpsMixin:
    """Flexible arithmetic and comparison methods, one per name of the table (see the map)."""

    meta: Any


for _name, _method in _methods().items():
    setattr(FlexOpsMixin, _name, _method)
