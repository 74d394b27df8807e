"""Common pandas/Dask API of DataFrame and Series: shape, conversions, iteration, small methods.

Map
---
- :class:`FrameAPIMixin` (DataFrame and Series) -- ``shape`` (the row count is a lazy
  :class:`~tessera.dataframe.scalar.Scalar`, as in Dask), ``values`` and
  ``to_dask_array(lengths=None)`` (a :class:`tessera.array.Array`, one row chunk per
  partition, of one dtype: :func:`numpy_dtype`), ``copy()``, ``pipe(func, ...)``,
  ``reset_index(level=, drop=)`` (some levels: partition-wise).
- :class:`DataFrameAPIMixin` -- the ``columns`` property and its setter (a partition-wise
  rename, length checked), ``del df[c]``, ``iter(df)`` and ``in`` (column labels),
  ``items()`` (lazy columns), ``iterrows()`` and ``itertuples()``.
- :func:`check_assignable` -- the ``TypeError`` of ``assign``/``df[c] = ...`` for values
  given by position (NumPy arrays, lists, a pandas Index, tessera arrays).
- :class:`SeriesAPIMixin` -- ``iter(s)``, ``items()`` and ``in`` (index labels, as in
  pandas; computed), ``reset_index(level=, drop=, name=)``,
  ``is_monotonic_increasing``/``is_monotonic_decreasing`` (lazy Scalars).

Policy: iterating rows or values computes one partition at a time (only that partition's
part of the graph runs), so memory holds one partition.  A reassignment (``df.columns =
...``, ``del df[c]``) points the wrapper at a new graph, like ``df[c] = ...``.  Array
chunk sizes are unknown (``nan``) unless ``lengths`` gives them or ``lengths=True``
computes them.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]}), npartitions=2)
>>> rows, ncols = df.shape
>>> rows.compute(), ncols
(3, 2)
>>> df.to_dask_array(lengths=True).chunks
((2, 1), (2,))
>>> df.a.is_monotonic_increasing.compute()
True
"""

from __future__ import annotations

import copy as copying
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import no_default

from tessera.dataframe.graph import partitionwise
from tessera.dataframe.probes import with_missing
from tessera.dataframe.reshape import ReshapeMixin
from tessera.dataframe.tree import reduction
from tessera.hashing import tokenize

__all__ = [
    "DataFrameAPIMixin",
    "FrameAPIMixin",
    "SeriesAPIMixin",
    "check_assignable",
    "numpy_dtype",
]


def _to_numpy(part: Any, dtype: np.dtype) -> np.ndarray:
    na_value = np.nan if dtype.kind in "fc" else no_default
    return part.to_numpy(dtype=dtype, na_value=na_value)


def numpy_dtype(meta: Any) -> np.dtype:
    """The dtype of ``to_numpy()`` of partitions like ``meta``: pandas' dtype on values
    with missing ones wherever the dtypes allow, so that it does not depend on the data
    (``Int64`` gives ``float64``, ``boolean`` gives ``object``, as pandas does when values
    are missing; NumPy dtypes are kept).

    >>> numpy_dtype(pd.Series([], dtype="Int64")), numpy_dtype(pd.Series([], dtype="int64"))
    (dtype('float64'), dtype('int64'))
    """
    try:
        dtype: np.dtype = with_missing(meta).to_numpy().dtype
    except Exception:
        dtype = meta.to_numpy().dtype
    return dtype


def _set_columns(part: pd.DataFrame, columns: pd.Index) -> pd.DataFrame:
    return part.set_axis(columns, axis=1)


def check_assignable(key: Any, value: Any) -> None:
    """Raise ``TypeError`` for a column value given by position (array, list, pandas Index):
    ``df.assign(z=value)`` cannot split it among partitions of unknown lengths.

    >>> check_assignable("z", [1, 2])
    Traceback (most recent call last):
      ...
    TypeError: Cannot assign list values (length 2) to column 'z': ...
    """
    tessera_array = hasattr(value, "chunks") and hasattr(value, "__tessera_graph__")
    if isinstance(value, np.ndarray) or tessera_array:
        positional = value.ndim > 0
    else:
        positional = isinstance(value, _POSITIONAL)
    if not positional:
        return
    kind = "tessera Array" if tessera_array else type(value).__name__
    length = value.shape[0] if hasattr(value, "shape") else len(value)
    raise TypeError(
        f"Cannot assign {kind} values (length {length}) to column {key!r}: values given by "
        "position cannot be split among the partitions, whose lengths are unknown before "
        "computing. Assign a tessera Series with the same partitioning instead (for "
        "example dd.from_pandas(pd.Series(values, index=<the pandas index>), "
        "npartitions=...) with the frame's divisions, or dd.from_array(values, "
        "chunksize=...) for a frame made by from_array with the same chunksize), a pandas "
        "Series (aligned by index) or a scalar."
    )


_POSITIONAL = (list, tuple, range, pd.Index, pd.api.extensions.ExtensionArray)


class FrameAPIMixin:
    """``shape``, ``values``/``to_dask_array``, ``copy`` and ``pipe``."""

    layers: Any
    _name: str
    meta: Any
    divisions: tuple[Any, ...]

    def _row_count(self) -> Any:
        """The number of rows, as a lazy Scalar."""
        return reduction(self, len, sum, sum, meta=0, prefix="len")

    @property
    def shape(self) -> tuple[Any, ...]:
        """``(rows,)`` or ``(rows, columns)``; ``rows`` is a lazy Scalar (as in Dask).

        >>> import tessera.dataframe as dd
        >>> s = dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a
        >>> s.shape[0].compute()
        3
        """
        rows = self._row_count()
        return (rows, self.meta.shape[1]) if self.meta.ndim == 2 else (rows,)

    @property
    def values(self) -> Any:
        """The values as a lazy :class:`tessera.array.Array` (unknown chunk sizes).

        >>> import tessera.dataframe as dd
        >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a.values.compute()
        array([1, 2, 3])
        """
        return self.to_dask_array()

    def to_dask_array(self, lengths: bool | Sequence[int] | None = None) -> Any:
        """The values as a :class:`tessera.array.Array`, one row chunk per partition.

        Every chunk has the dtype pandas' ``to_numpy()`` gives when values are missing
        (:func:`numpy_dtype`), whether or not that chunk has missing values: nullable
        integers and floats (``Int64``, ``Float64``, integer categories) give ``float64``
        with ``nan``, ``boolean`` and strings give ``object`` with ``pd.NA``; NumPy dtypes
        are kept.  (pandas' own dtype depends on the data; Dask gives ``object``.)

        Parameters
        ----------
        lengths : bool or sequence of int, optional
            The row count of each partition.  ``True`` computes them; ``None`` (default)
            leaves them unknown (``nan``), as in Dask.

        Examples
        --------
        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3], "b": [1.5, 2.5, 3.5]}, npartitions=2)
        >>> x = df.to_dask_array(lengths=[2, 1])
        >>> x.chunks, x.dtype
        (((2, 1), (2,)), dtype('float64'))
        >>> x.sum().compute()
        np.float64(13.5)
        """
        from tessera.array.core import Array

        n = len(self.divisions) - 1
        if lengths is True:
            sizes = partitionwise(len, self, meta=("len", "int64"), prefix="lengths")
            lengths = [int(k) for k in sizes.compute()]
        rows = (np.nan,) * n if lengths is None or lengths is False else tuple(lengths)
        if len(rows) != n or not all(r != r or (int(r) == r and r >= 0) for r in rows):
            raise ValueError(
                f"lengths must give one non-negative row count per partition ({n}), got "
                f"{lengths!r}; pass lengths=True to compute them."
            )
        name = f"to-array-{tokenize(self, rows)}"
        two_d = self.meta.ndim == 2
        convert = partial(_to_numpy, dtype=numpy_dtype(self.meta))
        layer = {((name, i, 0) if two_d else (name, i)): (convert, (self._name, i))
                 for i in range(n)}  # fmt: skip
        layers = {**self.layers, name: layer}
        chunks = (rows, (self.meta.shape[1],)) if two_d else (rows,)
        return Array(layers, name, chunks, convert.keywords["dtype"])

    def copy(self, deep: bool = False) -> Any:
        """A new wrapper of the same graph (partitions are never changed in place, so
        ``deep`` changes nothing); ``df[c] = ...`` on the copy leaves this one alone.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2]}, npartitions=1)
        >>> c = df.copy()
        >>> c["b"] = 1
        >>> df.columns.tolist(), c.columns.tolist()
        (['a'], ['a', 'b'])
        """
        out = copying.copy(self)
        out.layers = dict(self.layers)
        return out

    def pipe(self, func: Callable[..., Any] | tuple[Callable[..., Any], str], *args: Any,
             **kwargs: Any) -> Any:  # fmt: skip
        """``func(self, *args, **kwargs)``; with ``func=(callable, "kw")`` the frame goes in
        as keyword ``kw`` (pandas' ``pipe``).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2]}, npartitions=1)
        >>> df.pipe(lambda d, k: d.a * k, 3).compute().tolist()
        [3, 6]
        """
        if isinstance(func, tuple):
            func, keyword = func
            if keyword in kwargs:
                raise ValueError(f"{keyword!r} is both the pipe target and a keyword argument.")
            kwargs[keyword] = self
            return func(*args, **kwargs)
        return func(self, *args, **kwargs)

    def reset_index(self, drop: bool = False, *, level: Any = None) -> Any:
        """pandas' ``reset_index``: with ``level=`` naming some of the index levels, these
        become columns (or are dropped) partition by partition and the other levels stay
        the index; otherwise the rows are numbered ``0 .. n-1`` across all partitions.

        ``drop`` comes first (as in Dask): levels go by keyword, ``level=``; a level given
        by position raises ``TypeError``.

        >>> import tessera.dataframe as dd
        >>> pdf = pd.DataFrame({"v": [1, 2], "k": ["a", "b"], "j": [3, 4]}).set_index(["k", "j"])
        >>> dd.from_pandas(pdf, npartitions=2).reset_index(level="k").compute()
           k  v
        j
        3  a  1
        4  b  2
        """
        if not isinstance(drop, bool | np.bool_):
            raise TypeError(
                f"reset_index: drop must be True or False, got {drop!r}; give index levels "
                f"by keyword: reset_index(level={drop!r})."
            )
        if level is None:
            return super().reset_index(drop=drop)  # type: ignore[misc]
        meta = self.meta.reset_index(level=level, drop=drop)  # pandas' errors for bad levels
        if isinstance(meta.index, pd.RangeIndex):  # every level: renumber the rows
            return super().reset_index(drop=drop)  # type: ignore[misc]
        out = partitionwise(_reset_levels, self, level, drop, meta=meta, prefix="reset-index")
        out.divisions = (None,) * len(self.divisions)
        return out

    def _become(self, new: Any) -> None:
        """Point this wrapper at ``new``'s graph (``df[c] = ...`` and friends)."""
        self.layers, self._name, self.meta, self.divisions = (
            new.layers, new._name, new.meta, new.divisions,
        )  # fmt: skip

    def _computed_partitions(self) -> Iterator[Any]:
        """Each partition, computed one at a time."""
        frame: Any = self
        for i in range(frame.npartitions):
            yield frame.get_partition(i).compute()


class DataFrameAPIMixin(FrameAPIMixin):
    """``columns`` (settable), ``del df[c]``, ``iter``, ``items``, ``iterrows``,
    ``itertuples``."""

    _check_columns: Any
    __getitem__: Any
    iloc: Any

    @property
    def columns(self) -> pd.Index:
        """The column labels; setting them renames the columns of every partition.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1], "b": [2.0]}, npartitions=1)
        >>> df.columns = ["x", "y"]
        >>> df.compute()
           x    y
        0  1  2.0
        """
        columns: pd.Index = self.meta.columns
        return columns

    @columns.setter
    def columns(self, labels: Any) -> None:
        new = pd.Index(labels)
        if len(new) != len(self.meta.columns):
            raise ValueError(
                f"Length mismatch: the frame has {len(self.meta.columns)} columns, the new "
                f"labels have {len(new)} ({list(new)!r}); give one label per column."
            )
        meta = _set_columns(self.meta, new)
        self._become(partitionwise(_set_columns, self, new, meta=meta, prefix="set-columns"))

    def __delitem__(self, key: Any) -> None:
        """``del df[c]`` drops column ``c`` (this wrapper points at the new graph).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1], "b": [2]}, npartitions=1)
        >>> del df["a"]
        >>> df.columns.tolist()
        ['b']
        """
        self._check_columns([key])
        self._become(partitionwise(_drop, self, key, prefix="delitem"))

    def __iter__(self) -> Iterator[Any]:
        """The column labels, as pandas iterates a DataFrame."""
        return iter(self.meta.columns)

    def __contains__(self, key: Any) -> bool:
        """Whether ``key`` is a column label (as in pandas; nothing is computed)."""
        return key in self.meta.columns

    def items(self) -> Iterator[tuple[Any, Any]]:
        """``(label, column)`` pairs; the columns are lazy Series.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2], "b": [3, 4]}, npartitions=2)
        >>> [(k, v.sum().compute()) for k, v in df.items()]
        [('a', np.int64(3)), ('b', np.int64(7))]
        """
        for i, label in enumerate(self.meta.columns):
            yield label, self.iloc[:, i]

    def iterrows(self) -> Iterator[tuple[Any, pd.Series]]:
        """``(label, row)`` pairs, computing one partition at a time.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
        >>> [(i, row.a) for i, row in df.iterrows()]
        [(0, np.int64(1)), (1, np.int64(2)), (2, np.int64(3))]
        """
        for part in self._computed_partitions():
            yield from part.iterrows()

    def itertuples(self, index: bool = True, name: str | None = "Pandas") -> Iterator[Any]:
        """Rows as named tuples, computing one partition at a time.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
        >>> [tuple(r) for r in df.itertuples(index=False, name=None)]
        [(1,), (2,), (3,)]
        """
        for part in self._computed_partitions():
            yield from part.itertuples(index=index, name=name)


def _reset_levels(part: Any, level: Any, drop: bool) -> Any:
    return part.reset_index(level=level, drop=drop)


def _drop(part: pd.DataFrame, key: Any) -> pd.DataFrame:
    return part.drop(columns=[key])


def _monotonic_chunk(part: pd.Series, increasing: bool) -> tuple[bool, list[Any]]:
    """Whether ``part`` is monotonic, and its first and last values (none when empty)."""
    flag = part.is_monotonic_increasing if increasing else part.is_monotonic_decreasing
    ends = [part.iloc[0], part.iloc[-1]] if len(part) else []
    return bool(flag), ends


def _monotonic_combine(
    chunks: list[tuple[bool, list[Any]]], increasing: bool
) -> tuple[bool, list[Any]]:
    """Join consecutive summaries: each monotonic, and each end before the next start."""
    ends = [e for _, e in chunks if e]
    flag = all(f for f, _ in chunks)
    for (_, hi), (lo, _) in pairwise(ends):
        ordered = pd.notna(hi) and pd.notna(lo) and (hi <= lo if increasing else hi >= lo)
        flag = flag and bool(ordered)
    return flag, [ends[0][0], ends[-1][-1]] if ends else []


def _monotonic_aggregate(chunks: list[tuple[bool, list[Any]]], increasing: bool) -> bool:
    return _monotonic_combine(chunks, increasing)[0]


class SeriesAPIMixin(FrameAPIMixin, ReshapeMixin):
    """``iter``, ``items``, ``reset_index(name=)``, ``is_monotonic_*``."""

    rename: Any

    def __iter__(self) -> Iterator[Any]:
        """The values, computing one partition at a time.

        >>> import tessera.dataframe as dd
        >>> list(dd.from_dict({"a": [1, 2, 3]}, npartitions=2).a)
        [1, 2, 3]
        """
        for part in self._computed_partitions():
            yield from part

    def __contains__(self, key: Any) -> bool:
        """Whether ``key`` is an index label (as in pandas), computed.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([5, 6], index=[10, 20]), npartitions=2)
        >>> 20 in s, 5 in s
        (True, False)
        """
        frame: Any = self
        return bool(frame.index.isin([key]).any().compute())

    def items(self) -> Iterator[tuple[Any, Any]]:
        """``(label, value)`` pairs, computing one partition at a time."""
        for part in self._computed_partitions():
            yield from part.items()

    def reset_index(self, drop: bool = False, name: Any = no_default, *, level: Any = None) -> Any:
        """Number the rows ``0 .. n-1``; the old index becomes a column unless ``drop``;
        ``name`` names the values' column; ``level=`` resets only these index levels (see
        :meth:`FrameAPIMixin.reset_index`); pandas' ``Series.reset_index``.

        >>> import tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([5, 6], index=[10, 20]), npartitions=2)
        >>> s.reset_index(name="v").compute()
           index  v
        0     10  5
        1     20  6
        """
        if name is not no_default and drop is False:
            return self.rename(name).reset_index(level=level)
        return super().reset_index(drop=drop, level=level)

    def _is_monotonic(self, increasing: bool) -> Any:
        return reduction(
            self,
            partial(_monotonic_chunk, increasing=increasing),
            partial(_monotonic_combine, increasing=increasing),
            partial(_monotonic_aggregate, increasing=increasing),
            meta=True,
            prefix="is-monotonic",
        )

    @property
    def is_monotonic_increasing(self) -> Any:
        """Whether the values never decrease, as a lazy Scalar (``NaN`` anywhere: False).

        >>> import tessera.dataframe as dd
        >>> dd.from_pandas(pd.Series([1, 3, 2]), npartitions=2).is_monotonic_increasing.compute()
        False
        """
        return self._is_monotonic(True)

    @property
    def is_monotonic_decreasing(self) -> Any:
        """Whether the values never increase, as a lazy Scalar (``NaN`` anywhere: False).

        >>> import tessera.dataframe as dd
        >>> dd.from_pandas(pd.Series([3, 2, 2]), npartitions=2).is_monotonic_decreasing.compute()
        True
        """
        return self._is_monotonic(False)
