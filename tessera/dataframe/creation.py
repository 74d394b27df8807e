"""Creating dataframes from in-memory data: ``from_pandas``, ``from_dict``, ``from_array``.

Map
---
- :func:`from_pandas` -- split a pandas DataFrame or Series by rows.  With ``sort=True``
  (default) the index is sorted first and the divisions (index bounds) are known; equal
  index values never straddle two partitions, so there may be fewer partitions than
  asked.  With ``sort=False`` the rows keep their order and divisions are unknown.
- :func:`from_dict` -- ``from_pandas(pd.DataFrame.from_dict(data, ...))``.
- :func:`from_array` -- a NumPy array (1-D: a Series; 2-D or structured: a DataFrame)
  cut into ``chunksize`` rows, or a :class:`tessera.array.Array` along its row chunks;
  the index is a ``RangeIndex`` and the divisions are known.

Policy: partitions are stored in the graph as literal tasks ``(_identity, part)``; the
name is a token of the data, so the same frame gives the same keys.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": range(5)}), npartitions=2)
>>> df.divisions
(0, 3, 4)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import new_collection
from tessera.hashing import tokenize

__all__ = ["ArrayToFrame", "from_array", "from_dict", "from_pandas"]


def _identity(x: Any) -> Any:
    return x


def _boundaries(index: pd.Index, chunksize: int, sort: bool) -> list[int]:
    n = len(index)
    starts = list(range(0, n, chunksize))
    if sort:  # move a start that splits repeated values forward, past the repeats
        moved = {
            int(index.get_slice_bound(index[s], side="right")) if index[s] == index[s - 1] else s
            for s in starts[1:]
        }
        starts = [0, *sorted(s for s in moved if s < n)]
    return [*starts, n]


def from_pandas(
    data: pd.DataFrame | pd.Series,
    npartitions: int | None = None,
    chunksize: int | None = None,
    sort: bool = True,
) -> Any:
    """Split a pandas DataFrame or Series into a lazy one with ``npartitions`` partitions.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        The data.
    npartitions : int, optional
        How many partitions (at most; fewer when the data is short or the index has
        repeated values).  Give this or ``chunksize``.
    chunksize : int, optional
        How many rows per partition.
    sort : bool
        Sort the index and record known divisions (default), or keep the row order
        with unknown divisions.

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> pdf = pd.DataFrame({"a": [1, 2, 3, 4]}, index=[3, 1, 2, 0])
    >>> df = dd.from_pandas(pdf, npartitions=2)
    >>> df.divisions, df.compute().index.tolist()
    ((0, 2, 3), [0, 1, 2, 3])
    >>> dd.from_pandas(pdf, chunksize=3, sort=False).divisions
    (None, None, None)
    """
    if not isinstance(data, pd.DataFrame | pd.Series):
        raise TypeError(
            f"from_pandas expects a pandas DataFrame or Series, got {type(data).__name__}."
        )
    if (npartitions is None) == (chunksize is None):
        raise ValueError("Give exactly one of npartitions= or chunksize= to from_pandas.")
    if npartitions is not None and (not isinstance(npartitions, int) or npartitions < 1):
        raise ValueError(f"npartitions must be a positive integer, got {npartitions!r}.")
    if chunksize is not None and (not isinstance(chunksize, int) or chunksize < 1):
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}.")
    if sort and not data.index.is_monotonic_increasing:
        data = data.sort_index()
    n = len(data)
    if chunksize is None:
        assert npartitions is not None
        chunksize = max(1, math.ceil(n / npartitions))
    name = f"from-pandas-{tokenize(data, chunksize, sort)}"
    meta = data.iloc[:0]
    if n == 0:
        layer = {(name, 0): (_identity, data)}
        return new_collection({name: layer}, name, meta, (None, None))
    bounds = _boundaries(data.index, chunksize, sort)
    parts = [data.iloc[a:b] for a, b in pairwise(bounds)]
    layer = {(name, i): (_identity, p) for i, p in enumerate(parts)}
    if sort:
        divisions = tuple(data.index[[*bounds[:-1], n - 1]].tolist())
    else:
        divisions = (None,) * (len(parts) + 1)
    return new_collection({name: layer}, name, meta, divisions)


def from_dict(
    data: dict[Any, Any],
    npartitions: int | None = None,
    orient: str = "columns",
    dtype: Any = None,
    columns: Any = None,
    chunksize: int | None = None,
    sort: bool = True,
) -> Any:
    """Build a lazy DataFrame from a dict, as ``pandas.DataFrame.from_dict`` does.

    Parameters
    ----------
    data : dict
        Column name -> values (``orient="columns"``) or row label -> values
        (``orient="index"``).
    npartitions, chunksize, sort
        How to split the frame, as in :func:`from_pandas` (give one of ``npartitions``
        and ``chunksize``).
    orient, dtype, columns
        As in ``pandas.DataFrame.from_dict``.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import tessera.dataframe as dd
    >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).compute().a.tolist()
    [1, 2, 3]
    """
    from_dict_: Any = pd.DataFrame.from_dict
    pdf = from_dict_(data, orient=orient, dtype=dtype, columns=columns)
    return from_pandas(pdf, npartitions=npartitions, chunksize=chunksize, sort=sort)


@dataclass(frozen=True)
class ArrayToFrame:
    """Rows ``start, start + 1, ...`` of an array as a Series or DataFrame.

    ``meta`` (optional) fixes the dtypes: pandas infers the dtype of an ``object``
    array from its values, which one block alone may not settle.

    >>> ArrayToFrame("x", 3)(np.array([1.5, 2.5]))
    3    1.5
    4    2.5
    Name: x, dtype: float64
    """

    columns: Any
    start: int = 0
    meta: Any = None

    def __call__(self, block: np.ndarray) -> Any:
        index = pd.RangeIndex(self.start, self.start + len(block))
        out: Any
        if block.dtype.names is not None:
            names = list(block.dtype.names) if self.columns is None else list(self.columns)
            out = pd.DataFrame({n: block[n] for n in names}, index=index, columns=names)
        elif block.ndim == 1:
            out = pd.Series(block, index=index, name=self.columns)
        else:
            out = pd.DataFrame(block, index=index, columns=self.columns)
        if self.meta is None:
            return out
        if isinstance(out, pd.Series):
            return out if out.dtype == self.meta.dtype else out.astype(self.meta.dtype)
        return out if out.dtypes.equals(self.meta.dtypes) else out.astype(self.meta.dtypes)


def _check_columns(dtype: np.dtype, shape: tuple[int, ...], columns: Any) -> None:
    if len(shape) not in (1, 2):
        raise ValueError(
            f"from_array takes a 1-D or 2-D array, got {len(shape)} dimensions (shape "
            f"{shape}); reshape it first."
        )
    if dtype.names is not None:
        missing = [c for c in columns or () if c not in dtype.names]
        if len(shape) != 1 or isinstance(columns, str) or missing:
            raise ValueError(
                f"from_array: a structured array must be 1-D and columns= a list of its "
                f"fields {list(dtype.names)!r}; got shape {shape} and columns={columns!r}."
            )
    elif len(shape) == 2 and columns is not None and len(columns) != shape[1]:
        raise ValueError(
            f"from_array: columns= has {len(columns)} names for an array with {shape[1]} "
            "columns; give one name per column."
        )


def from_array(x: Any, chunksize: int = 50_000, columns: Any = None) -> Any:
    """A lazy DataFrame (2-D or structured array) or Series (1-D array) from an array.

    Parameters
    ----------
    x : numpy.ndarray or tessera.array.Array
        The data.  A tessera array keeps its row chunks as partitions (a 2-D one is
        rechunked to a single chunk along its columns).
    chunksize : int
        Rows per partition, for a NumPy array.
    columns : list or str, optional
        Column names (2-D), the fields to keep (structured) or the Series name (1-D).

    Examples
    --------
    >>> import numpy as np, tessera.dataframe as dd
    >>> df = dd.from_array(np.arange(12).reshape(6, 2), chunksize=4, columns=["a", "b"])
    >>> df.divisions, df.b.sum().compute()
    ((0, 4, 5), np.int64(36))
    >>> import tessera.array as da
    >>> dd.from_array(da.arange(5, chunks=2), columns="x").compute().tolist()
    [0, 1, 2, 3, 4]
    """
    from tessera.base import is_collection

    if is_collection(x) and hasattr(x, "chunks"):
        return _from_tessera_array(x, columns)
    x = np.asarray(x)
    _check_columns(x.dtype, x.shape, columns)
    if not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}.")
    empty = ArrayToFrame(columns)(x if x.dtype.hasobject else x[:0]).iloc[:0]
    name = f"from-array-{tokenize(x, chunksize, columns)}"
    starts = list(range(0, len(x), chunksize)) or [0]
    layer = {
        (name, i): (ArrayToFrame(columns, s, empty), x[s : s + chunksize])
        for i, s in enumerate(starts)
    }
    return new_collection({name: layer}, name, empty, _range_divisions(starts, len(x)))


def _range_divisions(starts: list[int], n: int) -> tuple[Any, ...]:
    return (None,) * (len(starts) + 1) if n == 0 else (*starts, n - 1)


def _from_tessera_array(x: Any, columns: Any) -> Any:
    _check_columns(x.dtype, x.shape, columns)
    if any(c != c for c in x.chunks[0]):
        raise ValueError(
            "from_array: the array's row chunk sizes are unknown (nan); compute them "
            "first (e.g. x.compute_chunk_sizes() or persist the array)."
        )
    if x.ndim == 2 and len(x.chunks[1]) > 1:
        x = x.rechunk((x.chunks[0], (x.shape[1],)))
    empty = ArrayToFrame(columns)(np.empty((0, *x.shape[1:]), dtype=x.dtype))
    name = f"from-array-{tokenize(x, columns)}"
    starts = [0, *itertools.accumulate(x.chunks[0])][:-1]
    block = (lambda i: (x.name, i)) if x.ndim == 1 else (lambda i: (x.name, i, 0))
    layers = dict(x.layers)
    layers[name] = {
        (name, i): (ArrayToFrame(columns, s, empty), block(i)) for i, s in enumerate(starts)
    }
    return new_collection(layers, name, empty, _range_divisions(starts, x.shape[0]))
