"""Converting a bag of records into a dataframe: ``Bag.to_dataframe``.

Map
---
- :func:`to_dataframe` -- one DataFrame partition per bag partition, built by
  :class:`ToFrame`; the meta is given, or inferred from the first items of the first
  partition (computed in the calling process).  Divisions are unknown; each partition
  has its own ``RangeIndex`` from 0, as in Dask.
- :class:`ToFrame` -- a list of dicts, tuples or scalars -> a pandas DataFrame with the
  meta's columns and dtypes.

``tessera.dataframe`` is imported only when a conversion is asked for (sibling
collections do not import each other at module level).

>>> import tessera.bag as db
>>> b = db.from_sequence([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], npartitions=2)
>>> b.to_dataframe().compute(scheduler="sync")
   a  b
0  1  x
0  2  y
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tessera.bag.core import Bag

__all__ = ["ToFrame", "to_dataframe"]

#: How many items of the first partition are used to infer the meta.
SAMPLE_ITEMS = 100


@dataclass(frozen=True)
class ToFrame:
    """Build a partition with ``meta``'s columns and dtypes from a list of records.

    >>> import pandas as pd
    >>> meta = pd.DataFrame({"a": pd.Series([], dtype="float64")})
    >>> ToFrame(meta)([(1,), (2,)]).a.tolist()
    [1.0, 2.0]
    """

    meta: pd.DataFrame

    def __call__(self, part: Any) -> pd.DataFrame:
        import pandas as pd

        records = part if isinstance(part, list) else list(part)
        if not records:
            return self.meta.copy()
        df = pd.DataFrame(records, columns=self.meta.columns)
        if df.dtypes.equals(self.meta.dtypes):
            return df
        try:
            return df.astype(self.meta.dtypes.to_dict())
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"to_dataframe: a partition's values do not fit the meta's dtypes "
                f"{self.meta.dtypes.astype(str).to_dict()} ({e}). Pass meta= with the "
                "right dtypes (a dict of column -> dtype or an empty DataFrame)."
            ) from e


def _infer_meta(bag: Bag, columns: Any) -> pd.DataFrame:
    import pandas as pd

    head = bag.take(SAMPLE_ITEMS, npartitions=1, compute=False, warn=False)
    items = head.compute(scheduler="sync")
    if not items:
        raise ValueError(
            "to_dataframe: the first partition is empty, so the columns and dtypes cannot "
            "be inferred; pass meta= (a dict of column -> dtype or an empty DataFrame)."
        )
    return pd.DataFrame(items, columns=columns).iloc[:0]


def to_dataframe(bag: Bag, meta: Any = None, columns: Any = None) -> Any:
    """A lazy DataFrame with one partition per partition of ``bag``.

    Parameters
    ----------
    bag : Bag
        Records: dicts (keys are columns), tuples or lists (in column order), or
        scalars (one column).
    meta : dict, list of pairs or empty DataFrame, optional
        The columns and dtypes (``{"a": "int64", "b": "str"}``).  Default: inferred from
        the first items of the first partition.
    columns : list, optional
        Column names, when ``meta`` is not given (the dict keys or ``0, 1, ...``
        otherwise).

    Examples
    --------
    >>> import tessera.bag as db
    >>> b = db.from_sequence([(1, 2.5), (2, 3.5), (3, 4.5)], npartitions=2)
    >>> df = b.to_dataframe(columns=["k", "v"])
    >>> df.dtypes.astype(str).tolist(), df.v.sum().compute()
    (['int64', 'float64'], np.float64(10.5))
    >>> b.to_dataframe(meta={"k": "float64", "v": "float64"}).k.sum().compute()
    np.float64(6.0)
    """
    import pandas as pd

    from tessera.dataframe.graph import make_meta, new_collection
    from tessera.hashing import tokenize

    if meta is not None and columns is not None:
        raise ValueError("to_dataframe: give meta= or columns=, not both.")
    if meta is None:
        meta = _infer_meta(bag, columns)
    elif isinstance(meta, list):
        meta = make_meta(dict(meta))
    else:
        meta = make_meta(meta)
    if not isinstance(meta, pd.DataFrame):
        raise TypeError(
            f"to_dataframe: meta must describe a DataFrame (a dict of column -> dtype or an "
            f"empty DataFrame), got {type(meta).__name__}."
        )
    func = ToFrame(meta)
    name = f"to-dataframe-{tokenize(bag, func)}"
    layers: dict[str, Any] = dict(bag.layers)
    layers[name] = {(name, i): (func, (bag.name, i)) for i in range(bag.npartitions)}
    return new_collection(layers, name, meta, (None,) * (bag.npartitions + 1))
