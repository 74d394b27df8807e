"""Lazy, partitioned pandas DataFrames and Series (Dask's ``dask.dataframe`` API).

Map
---
- :mod:`~tessera.dataframe.core` -- :class:`DataFrame`, :class:`Series` (structure,
  selection, ``assign``, ``len``).
- :mod:`~tessera.dataframe.head` -- ``head`` and ``tail``.
- :mod:`~tessera.dataframe.scalar` -- :class:`Scalar`, a lazy single value.
- :mod:`~tessera.dataframe.index` -- :class:`Index`, the lazy ``df.index``.
- :mod:`~tessera.dataframe.graph` -- meta inference and the partition-wise waist.
- :mod:`~tessera.dataframe.elementwise` -- operators and element-wise methods.
- :mod:`~tessera.dataframe.reductions` -- the tree reduction waist and reductions.
- :mod:`~tessera.dataframe.groupby` -- grouped reductions.
- :mod:`~tessera.dataframe.creation` -- :func:`from_pandas`, :func:`from_dict`.
- :mod:`~tessera.dataframe.testing` -- :func:`~tessera.dataframe.testing.assert_eq`.

Default scheduler: threads.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1], "v": [1.0, 2.0, 3.0]}), npartitions=2)
>>> df[df.v > 1].groupby("k").v.sum().compute().to_dict()
{1: 3.0, 2: 2.0}
"""

from __future__ import annotations

from typing import Any

from tessera.base import compute
from tessera.dataframe.concat import concat
from tessera.dataframe.convert import to_datetime, to_numeric
from tessera.dataframe.core import DataFrame, Series
from tessera.dataframe.creation import from_array, from_dict, from_pandas
from tessera.dataframe.graph import partitionwise
from tessera.dataframe.groupby_custom import Aggregation
from tessera.dataframe.index import Index
from tessera.dataframe.io.csv import read_csv, read_table
from tessera.dataframe.io.csv_write import to_csv
from tessera.dataframe.io.parquet import read_parquet
from tessera.dataframe.io.parquet_write import to_parquet
from tessera.dataframe.merge import merge
from tessera.dataframe.overlap import map_overlap
from tessera.dataframe.pivot import get_dummies, melt, pivot_table
from tessera.dataframe.scalar import Scalar

__all__ = [
    "Aggregation",
    "DataFrame",
    "Index",
    "Scalar",
    "Series",
    "compute",
    "concat",
    "from_array",
    "from_dict",
    "from_pandas",
    "get_dummies",
    "map_overlap",
    "map_partitions",
    "melt",
    "merge",
    "pivot_table",
    "read_csv",
    "read_parquet",
    "read_table",
    "to_csv",
    "to_datetime",
    "to_numeric",
    "to_parquet",
]


def map_partitions(func: Any, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
    """Apply ``func`` to each partition of the frames in ``args``.

    Parameters
    ----------
    func : callable
        Called as ``func(part, *args, **kwargs)`` with pandas objects in place of frames.
    *args, **kwargs
        Frames, lazy scalars and plain values.  Frames with known but different
        divisions are lined up by index first; frames with unknown divisions must have
        the same number of partitions.  Lazy scalars and other values are passed to
        every call.
    meta : pandas object, dict, tuple, optional
        The output's structure (an empty pandas object, a dict of column -> dtype or a
        ``(name, dtype)`` tuple).  Without it, the output's meta is found by calling
        ``func`` on the empty metas; if that raises, on small fake partitions, with a
        ``UserWarning``.

    Returns
    -------
    DataFrame or Series (one value per partition when ``func`` returns scalars)
        Lazy, with the first frame's divisions.

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> df = dd.from_dict({"a": [1, 2, 3]}, npartitions=2)
    >>> dd.map_partitions(lambda d, k: d.a + k, df, 10).compute().tolist()
    [11, 12, 13]
    >>> dd.map_partitions(len, df, meta=("n", "int64")).compute().tolist()
    [2, 1]
    """
    return partitionwise(func, *args, meta=meta, **kwargs)
