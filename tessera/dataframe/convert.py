"""Top-level conversions: :func:`to_datetime` and :func:`to_numeric` on lazy or eager data.

Map
---
- :func:`to_datetime` -- ``pd.to_datetime`` on each partition of a Series (or of a
  DataFrame of ``year``/``month``/``day``... columns); anything else goes to pandas.
- :func:`to_numeric` -- ``pd.to_numeric`` on each partition of a Series; anything else
  (lists, arrays, pandas objects, scalars) goes to pandas.

Policy: the output dtype (meta) is found by running pandas on the meta, like Dask, so
it can differ from the data's (``to_numeric`` of strings gives ``int64`` for the empty
meta, even if some strings are ``"1.5"``): pass ``meta=`` when it matters.  Parsed
date strings are assumed to give microseconds (``datetime64[us]``, pandas 3's unit for
ordinary date strings).  Each partition is parsed on its own, so a ``format`` that
pandas would infer from the first value is inferred per partition: pass ``format=``
for mixed data.

>>> import pandas as pd, tessera.dataframe as dd
>>> s = dd.from_pandas(pd.Series(["2000-01-01", "2000-01-02"]), npartitions=2)
>>> dd.to_datetime(s).dt.day.compute().tolist()
[1, 2]
>>> t = dd.from_pandas(pd.Series(["1", "x"]), npartitions=1)
>>> dd.to_numeric(t, errors="coerce").compute().tolist()
[1.0, nan]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tessera.dataframe.graph import make_meta, partitionwise

__all__ = ["to_datetime", "to_numeric"]


def _is_frame(x: Any) -> bool:
    from tessera.dataframe.core import _Frame

    return isinstance(x, _Frame)


def _to_datetime(part: Any, dtype: Any, kwargs: dict[str, Any]) -> Any:
    out = pd.to_datetime(part, **kwargs)
    return out.astype(dtype) if len(out) == 0 else out


def _datetime_meta(arg: Any, kwargs: dict[str, Any]) -> Any:
    meta = pd.to_datetime(arg.meta, **kwargs)
    if isinstance(meta, pd.Series) and meta.dtype.kind == "M":
        source = arg.meta.dtype if isinstance(arg.meta, pd.Series) else None
        if source is not None and pd.api.types.is_string_dtype(source):
            meta = meta.dt.as_unit("us")  # what pandas 3 gives for ordinary date strings
    return meta


def to_datetime(arg: Any, meta: Any = None, **kwargs: Any) -> Any:
    """Convert to datetimes; a lazy Series or DataFrame is converted partition by partition.

    Parameters
    ----------
    arg : Series, DataFrame, or anything ``pandas.to_datetime`` takes
        A lazy frame is converted partition by partition; other values at once.
    meta : pandas object, dict, tuple, optional
        The result's structure, when the default (found by converting the meta) is not
        what the data gives.
    **kwargs
        pandas' keywords (``format``, ``errors``, ``utc``, ``unit``, ``dayfirst``...).

    Returns
    -------
    Series, or what ``pandas.to_datetime`` returns for other values

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> df = dd.from_dict({"year": [2000, 2001], "month": [2, 3], "day": [1, 4]}, npartitions=2)
    >>> dd.to_datetime(df).compute().tolist()
    [Timestamp('2000-02-01 00:00:00'), Timestamp('2001-03-04 00:00:00')]
    >>> dd.to_datetime("2000-01-02")
    Timestamp('2000-01-02 00:00:00')
    """
    if not _is_frame(arg):
        return pd.to_datetime(arg, **kwargs)
    meta = _datetime_meta(arg, kwargs) if meta is None else make_meta(meta, index=arg.meta.index)
    return partitionwise(_to_datetime, arg, meta.dtype, kwargs, meta=meta, prefix="to-datetime")


def to_numeric(arg: Any, errors: str = "raise", meta: Any = None, **kwargs: Any) -> Any:
    """Convert to numbers; a lazy Series is converted partition by partition.

    Parameters
    ----------
    arg : Series, or anything ``pandas.to_numeric`` takes
        A lazy Series is converted partition by partition; other values at once.
    errors : {"raise", "coerce"}
        As in pandas (``"coerce"`` turns what does not parse into ``NaN``).
    meta : pandas object, dict, tuple, optional
        The result's structure; the dtype pandas picks depends on the values, so pass
        it when the default (``float64`` for strings) is not what the data gives.
    **kwargs
        pandas' keywords (``downcast``, ``dtype_backend``).

    Returns
    -------
    Series, or what ``pandas.to_numeric`` returns for other values

    Examples
    --------
    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series(["1.5", "2"]), npartitions=2)
    >>> dd.to_numeric(s, meta=("x", "float64")).compute().tolist()
    [1.5, 2.0]
    >>> dd.to_numeric(["1", "2"]).tolist()
    [1, 2]
    """
    if not _is_frame(arg):
        return pd.to_numeric(arg, errors=errors, **kwargs)  # type: ignore[call-overload]
    if not isinstance(arg.meta, pd.Series):
        raise TypeError(
            "to_numeric takes a Series, not a DataFrame (as pandas); convert each column, "
            "for example df.assign(x=dd.to_numeric(df.x))."
        )
    if meta is not None:
        meta = make_meta(meta, index=arg.meta.index)
    return partitionwise(pd.to_numeric, arg, errors=errors, meta=meta, prefix="to-numeric",
                         **kwargs)  # fmt: skip
