"""Creating dataframes from in-memory pandas data: :func:`from_pandas`, :func:`from_dict`.

Map
---
- :func:`from_pandas` -- split a pandas DataFrame or Series by rows.  With ``sort=True``
  (default) the index is sorted first and the divisions (index bounds) are known; equal
  index values never straddle two partitions, so there may be fewer partitions than
  asked.  With ``sort=False`` the rows keep their order and divisions are unknown.
- :func:`from_dict` -- ``from_pandas(pd.DataFrame.from_dict(data, ...))``.

Policy: partitions are stored in the graph as literal tasks ``(_identity, part)``; the
name is a token of the data, so the same frame gives the same keys.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"x": range(5)}), npartitions=2)
>>> df.divisions
(0, 3, 4)
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

import pandas as pd

from tessera.dataframe.graph import new_collection
from tessera.hashing import tokenize

__all__ = ["from_dict", "from_pandas"]


def _identity(x: Any) -> Any:
    return x


def _boundaries(index: pd.Index, chunksize: int, sort: bool) -> list[int]:
    n = len(index)
    starts = list(range(0, n, chunksize))
    if sort:  # move a start that splits repeated values forward, past the repeats
        moved = {
            int(index.searchsorted(index[s], side="right")) if index[s] == index[s - 1] else s
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

    >>> import tessera.dataframe as dd
    >>> dd.from_dict({"a": [1, 2, 3]}, npartitions=2).compute().a.tolist()
    [1, 2, 3]
    """
    from_dict_: Any = pd.DataFrame.from_dict
    pdf = from_dict_(data, orient=orient, dtype=dtype, columns=columns)
    return from_pandas(pdf, npartitions=npartitions, chunksize=chunksize, sort=sort)
