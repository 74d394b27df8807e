"""The last step of a grouped aggregation: merged partials to the result pandas gives.

Map
---
- :func:`finalize` -- the last merge of the partials (with the user's ``sort``), then
  each output column laid out as the plan's meta says (labels, dtypes, Series or
  DataFrame); for ``as_index=False`` the keys then move into columns (:func:`flatten`).
- :func:`value_dtypes` -- the ``as_index=False`` meta with the value dtypes of the
  ``as_index=True`` one (which tessera corrects, e.g. float32 means).
- :func:`flatten` -- an ``as_index=True`` result turned into pandas' ``as_index=False``
  layout: the group keys as leading columns (except a key whose name is already a
  result column, which pandas leaves out) and a fresh ``RangeIndex``.

>>> import pandas as pd
>>> s = pd.Series([4, 2], index=pd.Index([1, 2], name="k"), name="v")
>>> flatten(s, pd.DataFrame({"k": pd.Series([], dtype="int64"), "v": []}))
   k  v
0  1  4
1  2  2
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tessera.dataframe.groupby_aggs import Partial, Plan, merge, output

__all__ = ["finalize", "flatten", "value_dtypes"]


def value_dtypes(flat: pd.DataFrame, meta: Any) -> pd.DataFrame:
    """``flat`` with its value columns (the last ones) of the dtypes of ``meta``'s.

    >>> meta = pd.Series([], dtype="float32", name="v")
    >>> value_dtypes(pd.DataFrame({"k": [], "v": []}), meta).dtypes.tolist()
    [dtype('float64'), dtype('float32')]
    """
    dtypes = [meta.dtype] if isinstance(meta, pd.Series) else list(meta.dtypes)
    flat = flat.copy()
    first = flat.shape[1] - len(dtypes)
    for j, dtype in enumerate(dtypes):
        flat.isetitem(first + j, flat.iloc[:, first + j].astype(dtype).array)
    return flat


def flatten(result: Any, flat: pd.DataFrame) -> pd.DataFrame:
    """``result`` (keys in the index) in the ``as_index=False`` layout of meta ``flat``."""
    frame = result.to_frame(flat.columns[-1]) if isinstance(result, pd.Series) else result
    index = frame.index
    levels = [i for i, name in enumerate(index.names) if name is None or name not in frame]
    nkeys = flat.shape[1] - frame.shape[1]
    if len(levels) != nkeys:
        raise NotImplementedError(
            f"as_index=False: pandas puts {nkeys} keys in columns but tessera found "
            f"{len(levels)} among {list(index.names)}; use as_index=True and reset_index()."
        )
    pieces = [pd.Series(index.get_level_values(i), copy=False) for i in levels]
    values = frame.reset_index(drop=True)
    out = pd.concat([*pieces, values], axis=1) if pieces else values
    out.columns = flat.columns
    return out


def finalize(parts: list[Partial], plan: Plan) -> Any:
    """The last merge (sorted if asked), then the outputs laid out as ``plan.meta``."""
    merged = merge(parts, plan, sort=plan.grouping.sort)
    meta = plan.meta
    dtypes = [meta.dtype] if isinstance(meta, pd.Series) else list(meta.dtypes)
    columns = [
        output(o, plan, merged, dtype) for o, dtype in zip(plan.outputs, dtypes, strict=True)
    ]
    if isinstance(meta, pd.Series):
        out = columns[0].copy(deep=False)
        out.name = meta.name
    else:
        out = pd.DataFrame(dict(enumerate(columns)), index=merged.wide.index)
        out.columns = meta.columns
    out.index.names = meta.index.names
    return out if plan.flat is None else flatten(out, plan.flat)
