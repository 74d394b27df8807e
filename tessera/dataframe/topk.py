"""Reductions that pick rows: ``idxmin``/``idxmax`` and ``nlargest``/``nsmallest``.

Map
---
- :class:`TopkMixin` -- the four methods, each one
  :func:`~tessera.dataframe.reductions.reduction`.
- ``idxmin``/``idxmax``: each partition keeps, per column, its *candidates*: the row
  of its extreme value (first on ties) and, when ``NaN`` matters (``skipna=False``, or
  no other value), its first ``NaN`` row.  Candidates stay in row order, so pandas'
  own ``idxmin`` on the concatenated candidates gives pandas' answer, ties resolved to
  the globally first row and ``NaN`` raising pandas' errors.
- ``nlargest``/``nsmallest``: each partition keeps its own top ``n + 1`` rows, in row
  order; any row of the global top ``n`` is among them, so pandas' own method on the
  concatenated candidates gives pandas' answer, ``keep="first"|"last"|"all"`` ties
  included.  (One row more than ``n`` makes pandas take the same path as on the
  whole data: with at most ``n`` rows it merely sorts, ordering ``keep="last"`` ties
  differently.)

``axis=1`` variants of ``idxmin``/``idxmax`` run partition by partition.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": [3, 1, 4, 1, 5]}), npartitions=3)
>>> df.x.idxmin().compute()
np.int64(1)
>>> df.nlargest(2, "x").compute().x.tolist()
[5, 4]
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import nonempty, partitionwise
from tessera.dataframe.reductions import reduction

__all__ = ["TopkMixin"]


def _candidates(s: pd.Series, op: str, skipna: bool) -> pd.Series:
    """The rows of ``s`` that can decide ``s.<op>(skipna=skipna)``, in row order."""
    if len(s) == 0:
        return s
    na = s.isna().to_numpy()
    keep = set()
    if not na.all():
        keep.add(int(getattr(s.reset_index(drop=True), op)(skipna=True)))
    if na.any() and (not skipna or na.all()):
        keep.add(int(na.argmax()))
    return s.iloc[sorted(keep)]


def _arg_chunk(part: Any, op: str, skipna: bool) -> list[pd.Series]:
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    return [_candidates(frame.iloc[:, j], op, skipna) for j in range(frame.shape[1])]


def _arg_combine(parts: list[list[pd.Series]], op: str, skipna: bool) -> list[pd.Series]:
    columns = zip(*parts, strict=True)
    return [_candidates(pd.concat(col), op, skipna) for col in columns]


def _arg_aggregate(parts: list[list[pd.Series]], op: str, skipna: bool, meta: Any) -> Any:
    labels = [getattr(c, op)(skipna=skipna) for c in _arg_combine(parts, op, skipna)]
    if isinstance(meta, pd.Series):
        return pd.Series(labels, index=meta.index, name=meta.name, dtype=meta.dtype)
    return labels[0]


def _top_chunk(part: Any, op: str, kwargs: dict[str, Any]) -> Any:
    """The ``n + 1`` rows of ``part`` that ``op`` ranks first, kept in row order."""
    wider = dict(kwargs, n=kwargs["n"] + 1)
    positions = getattr(part.reset_index(drop=True), op)(**wider).index
    return part.iloc[np.sort(positions.to_numpy())]


def _top_combine(parts: list[Any], op: str, kwargs: dict[str, Any]) -> Any:
    return _top_chunk(pd.concat(parts), op, kwargs)


def _top_final(parts: list[Any], op: str, kwargs: dict[str, Any]) -> Any:
    return getattr(pd.concat(parts), op)(**kwargs)


def _pandas_method(part: Any, op: str, kwargs: dict[str, Any]) -> Any:
    return getattr(part, op)(**kwargs)


class TopkMixin:
    """``idxmin, idxmax, nlargest, nsmallest`` for DataFrame and Series."""

    meta: Any
    _check_columns: Any

    def _arg(self, op: str, axis: Any, skipna: bool, split_every: int | None) -> Any:
        if axis not in (None, 0, "index"):
            meta = getattr(nonempty(self.meta), op)(axis=axis, skipna=skipna)
            return partitionwise(_pandas_method, self, op, {"axis": axis, "skipna": skipna},
                                 meta=meta, prefix=f"{op}-axis1")  # fmt: skip
        meta = getattr(nonempty(self.meta), op)(skipna=skipna)  # labels of the columns
        return reduction(
            self,
            partial(_arg_chunk, op=op, skipna=skipna),
            partial(_arg_combine, op=op, skipna=skipna),
            partial(_arg_aggregate, op=op, skipna=skipna, meta=meta),
            meta,
            split_every,
            prefix=op,
        )

    def idxmin(self, axis: Any = None, skipna: bool = True, split_every: int | None = None) -> Any:
        """The label of the first minimum of each column (a lazy Scalar for a Series).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"a": [2, 0, 0], "b": [1.0, None, -1]}), 2)
        >>> df.idxmin().compute().tolist()
        [1, 2]
        """
        return self._arg("idxmin", axis, skipna, split_every)

    def idxmax(self, axis: Any = None, skipna: bool = True, split_every: int | None = None) -> Any:
        """The label of the first maximum of each column (a lazy Scalar for a Series).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([1, 5, 5], index=list("abc")), npartitions=2)
        >>> s.idxmax().compute()
        'b'
        """
        return self._arg("idxmax", axis, skipna, split_every)

    def _top(self, op: str, n: int, columns: Any, keep: str, split_every: int | None) -> Any:
        kwargs: dict[str, Any] = {"n": n, "keep": keep}
        if isinstance(self.meta, pd.DataFrame):
            if columns is None:
                raise TypeError(f"DataFrame.{op} needs columns= (a column name or a list).")
            self._check_columns(columns if isinstance(columns, list) else [columns])
            kwargs["columns"] = columns
        elif columns is not None:
            raise TypeError(f"Series.{op} takes no columns=, got columns={columns!r}.")
        meta = getattr(self.meta, op)(**kwargs)  # pandas validates n, columns and keep
        return reduction(
            self,
            partial(_top_chunk, op=op, kwargs=kwargs),
            partial(_top_combine, op=op, kwargs=kwargs),
            partial(_top_final, op=op, kwargs=kwargs),
            meta,
            split_every,
            prefix=op,
        )

    def nlargest(
        self, n: int = 5, columns: Any = None, keep: str = "first", split_every: int | None = None
    ) -> Any:
        """The ``n`` rows with the largest values (in ``columns`` for a DataFrame).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([3, 9, 1, 9, 4]), npartitions=3)
        >>> s.nlargest(3).compute().to_dict()
        {1: 9, 3: 9, 4: 4}
        """
        return self._top("nlargest", n, columns, keep, split_every)

    def nsmallest(
        self, n: int = 5, columns: Any = None, keep: str = "first", split_every: int | None = None
    ) -> Any:
        """The ``n`` rows with the smallest values (in ``columns`` for a DataFrame).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"a": [3, 1, 2], "b": [0, 1, 2]}), npartitions=2)
        >>> df.nsmallest(2, "a").compute().b.tolist()
        [1, 2]
        """
        return self._top("nsmallest", n, columns, keep, split_every)
