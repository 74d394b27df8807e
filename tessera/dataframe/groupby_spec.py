"""What a grouped aggregation asks for: ``agg`` arguments normalized to a list of outputs.

Map
---
- :class:`Output` -- one result column: an input column and an aggregation (a name or
  a user-defined :class:`~tessera.dataframe.groupby_custom.Aggregation`).
- :data:`SUPPORTED` -- the aggregation names computed by a tree reduction.
- :func:`check_name` -- validate one aggregation (the errors of every entry point).
- :func:`normalize` -- turn the arguments of ``GroupBy.agg`` (a name, a list, a dict,
  named aggregations) into the ordered :class:`Output` list, one per result column in
  pandas' order: a name gives one output per value column, a list ``col x func``, a
  dict its items (lists expanded in place), named aggregations their keyword order.

Policy: the result's labels, dtypes and whether it is a Series come from running pandas
on a small fake partition (the meta); this module only decides *what* to compute, in
the same order as pandas lays the columns out.  Errors follow pandas' types:
``AttributeError`` for an unknown name (pandas' own), ``NotImplementedError`` for a
pandas aggregation that is not a per-group reduction (``cumsum``, ``rank``...),
``SpecificationError`` for a malformed spec,
``KeyError`` (listing the available columns) for an unknown column.

>>> normalize({"v": "mean", "w": ["sum", "max"]}, {}, ["v", "w"], series=False)
(Output(column='v', func='mean'), Output(column='w', func='sum'), Output(column='w', func='max'))
>>> normalize(None, {"top": ("v", "max")}, ["v", "w"], series=False)
(Output(column='v', func='max'),)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pandas.errors import SpecificationError

from tessera.dataframe.groupby_custom import Aggregation

__all__ = ["SUPPORTED", "Output", "check_name", "normalize"]

SUPPORTED = (
    "sum", "mean", "count", "size", "min", "max", "prod",
    "first", "last", "std", "var", "nunique", "median", "quantile",
)  # fmt: skip

_NEEDS_SHUFFLE = (
    "sem", "skew", "kurt", "ohlc", "describe", "idxmin", "idxmax",
    "any", "all", "mode", "cumsum", "cumprod", "cummin", "cummax", "cumcount", "rank",
    "diff", "shift", "head", "tail", "nth", "corr", "cov", "unique", "value_counts",
)  # fmt: skip


@dataclass(frozen=True)
class Output:
    """One column of a grouped aggregation: ``func`` applied to input ``column``."""

    column: Any
    func: str | Aggregation

    @property
    def label(self) -> str:
        """The aggregation's name (``Aggregation.name`` for a user-defined one)."""
        return self.func.name if isinstance(self.func, Aggregation) else self.func


def check_name(func: Any) -> str | Aggregation:
    """Return ``func`` if it is a supported aggregation, else raise pandas' error type.

    >>> check_name("sum")
    'sum'
    >>> check_name("nope")
    Traceback (most recent call last):
      ...
    AttributeError: 'nope' is not a groupby aggregation tessera supports; expected one of \
['sum', 'mean', 'count', 'size', 'min', 'max', 'prod', 'first', 'last', 'std', 'var', \
'nunique', 'median', 'quantile'].
    """
    if isinstance(func, Aggregation):
        return func
    if not isinstance(func, str):
        raise TypeError(
            f"groupby aggregations are given by name (one of {list(SUPPORTED)}) or as "
            f"dd.Aggregation(name, chunk, agg, finalize); got {func!r}. For any other "
            "function use groupby(...).apply(func)."
        )
    if func in SUPPORTED:
        return func
    if func in _NEEDS_SHUFFLE:
        raise NotImplementedError(
            f"groupby aggregation {func!r} is not supported by agg; use "
            f"groupby(...).apply(lambda g: g.{func}()) instead, or one of {list(SUPPORTED)}."
        )
    raise AttributeError(
        f"{func!r} is not a groupby aggregation tessera supports; expected one of "
        f"{list(SUPPORTED)}."
    )


def _names(funcs: Sequence[Any]) -> list[str | Aggregation]:
    checked = [check_name(f) for f in funcs]
    names = [f.name if isinstance(f, Aggregation) else f for f in checked]
    if len(set(names)) != len(names):
        raise SpecificationError(
            f"Function names must be unique in a list of aggregations, got {names!r}; "
            "use named aggregations (agg(new_name=(column, func))) to repeat one."
        )
    if not names:
        raise ValueError("No aggregation given: the list of functions is empty.")
    return checked


def _check_column(column: Any, available: Sequence[Any]) -> Any:
    if column not in available:
        raise KeyError(
            f"Column(s) [{column!r}] not found; available columns: {list(available)!r}."
        )
    return column


def _named(kwargs: Mapping[str, Any], available: Sequence[Any], series: bool) -> list[Output]:
    outputs = []
    for name, spec in kwargs.items():
        if series:
            if isinstance(spec, tuple):
                raise TypeError(
                    f"SeriesGroupBy.agg({name}={spec!r}): on a single column a named "
                    f"aggregation is name=func, e.g. agg({name}='sum')."
                )
            outputs.append(Output(available[0], check_name(spec)))
            continue
        extra = getattr(spec, "args", ()) or getattr(spec, "kwargs", {})  # pandas >= 3
        if isinstance(spec, pd.NamedAgg) and not extra:
            spec = (spec.column, spec.aggfunc)
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise TypeError(
                f"Named aggregation {name}={spec!r} must be a (column, func) tuple or "
                "pd.NamedAgg(column=..., aggfunc=...) without args or kwargs."
            )
        outputs.append(Output(_check_column(spec[0], available), check_name(spec[1])))
    return outputs


def normalize(
    func: Any,
    kwargs: Mapping[str, Any],
    columns: Sequence[Any],
    series: bool,
    available: Sequence[Any] | None = None,
) -> tuple[Output, ...]:
    """The ordered outputs of ``agg(func, **kwargs)`` over value ``columns``.

    ``series`` is true for a SeriesGroupBy (``columns`` is then its one column);
    ``kwargs`` are named aggregations and are only read when ``func`` is None.  A dict
    or a named aggregation may name any of ``available`` (default ``columns``), which
    includes the grouping columns as in pandas.

    >>> normalize(["sum", "max"], {}, ["v", "w"], series=False)  # doctest: +NORMALIZE_WHITESPACE
    (Output(column='v', func='sum'), Output(column='v', func='max'),
     Output(column='w', func='sum'), Output(column='w', func='max'))
    >>> normalize("size", {}, ["v", "w"], series=False)
    (Output(column=None, func='size'),)
    """
    available = columns if available is None else available
    if func is None:
        if not kwargs:
            raise TypeError("agg() needs a function name, a list, a dict or named aggregations.")
        return tuple(_named(kwargs, available, series))
    if isinstance(func, str | Aggregation):
        name = check_name(func)
        if name == "size" and not series:
            return (Output(None, "size"),)
        return tuple(Output(c, name) for c in columns)
    if isinstance(func, Mapping):
        if series:
            raise SpecificationError(
                "nested renamer is not supported: a SeriesGroupBy takes a name, a list of "
                "names or named aggregations (agg(new_name='sum')), not a dict."
            )
        outputs: list[Output] = []
        for column, funcs in func.items():
            _check_column(column, available)
            many = funcs if isinstance(funcs, list | tuple) else [funcs]
            outputs.extend(Output(column, f) for f in _names(many))
        return tuple(outputs)
    if isinstance(func, list | tuple):
        names = _names(func)
        return tuple(Output(c, f) for c in columns for f in names)
    return (Output(None, check_name(func)),)
