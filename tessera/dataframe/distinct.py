"""Distinct values and rows: ``unique``, ``drop_duplicates`` and ``mode``.

Map
---
- :class:`DistinctMixin` -- the three methods, each a tree
  :func:`~tessera.dataframe.reductions.reduction` to one partition.
- ``drop_duplicates`` carries, per partial result, its *representatives* (the first --
  or, for ``keep="last"``, the last -- row of each key, in row order) and, for
  ``keep=False``, a flag saying whether the key was seen more than once.  Partial results
  are concatenated in partition order, so the rows kept are exactly pandas' (the
  globally first or last occurrence) with their index labels and in row order.
- ``unique`` keeps first appearances the same way; like Dask it returns a Series (with
  a fresh ``RangeIndex``) in order of appearance, where pandas returns an array.
- ``mode`` merges value counts (as ``value_counts``) and lets pandas sort the winners;
  ``DataFrame.mode`` combines the modes of its columns.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1, 3, 2]}), npartitions=3)
>>> df.drop_duplicates().compute().index.tolist()
[0, 1, 3]
>>> df.k.unique().compute().tolist()
[1, 2, 3]
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.counting import _counts, _merge_counts
from tessera.dataframe.tree import combine_results, reduction

__all__ = ["DistinctMixin"]

Reps = tuple[Any, Any]  # (representative rows, duplicate flags or None)


def _dedup(parts: list[Reps], subset: Any, keep: Any) -> Reps:
    frame = parts[0][0] if len(parts) == 1 else pd.concat([p for p, _ in parts])
    kw = {} if subset is None else {"subset": subset}
    rep = ~frame.duplicated(keep="first" if keep is False else keep, **kw).to_numpy()
    if keep is not False:
        return frame[rep], None
    seen = [np.zeros(len(p), dtype=bool) if f is None else f for p, f in parts]
    flags = frame.duplicated(keep=False, **kw).to_numpy() | np.concatenate(seen)
    return frame[rep], flags[rep]


def _dedup_chunk(part: Any, subset: Any, keep: Any) -> Reps:
    return _dedup([(part, None)], subset, keep)


def _dedup_final(parts: list[Reps], subset: Any, keep: Any, ignore_index: bool) -> Any:
    rows, flags = _dedup(parts, subset, keep)
    if flags is not None:
        rows = rows[~flags]
    return rows.reset_index(drop=True) if ignore_index else rows


def _first_seen(part: Any) -> Any:
    return part.drop_duplicates()


def _first_seen_all(parts: list[Any]) -> Any:
    return pd.concat(parts).drop_duplicates()


def _unique_final(parts: list[Any], name: Any) -> pd.Series:
    return pd.Series(pd.concat(parts).unique(), name=name)


def _mode_final(parts: list[Any], dropna: bool, meta: pd.Series) -> pd.Series:
    counts = _merge_counts(parts)
    counts = counts[counts > 0]
    winners = counts.index[counts == counts.max()] if len(counts) else []
    values = pd.Series(winners, dtype=meta.dtype, name=meta.name)
    return values.mode(dropna=dropna)  # every value is a winner; pandas sorts them


def _frame_of_modes(*modes: pd.Series) -> pd.DataFrame:
    return pd.concat([m.reset_index(drop=True) for m in modes], axis=1)


class DistinctMixin:
    """``unique``, ``drop_duplicates`` and ``mode`` for DataFrame and Series."""

    meta: Any
    columns: Any
    _check_columns: Any
    __getitem__: Any

    def unique(self, split_every: int | None = None) -> Any:
        """The distinct values of a Series in order of appearance (a lazy Series).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([3, 1, 3, None, 1], name="x"), npartitions=2)
        >>> s.unique().compute().tolist()
        [3.0, 1.0, nan]
        """
        if not isinstance(self.meta, pd.Series):
            raise AttributeError("'DataFrame' object has no attribute 'unique'; use a column.")
        meta = pd.Series(self.meta.unique(), name=self.meta.name)
        final = partial(_unique_final, name=self.meta.name)
        return reduction(
            self, _first_seen, _first_seen_all, final, meta, split_every, prefix="unique"
        )

    def drop_duplicates(
        self,
        subset: Any = None,
        keep: Any = "first",
        split_every: int | None = None,
        ignore_index: bool = False,
    ) -> Any:
        """Drop repeated rows, keeping the globally ``"first"``, ``"last"`` or none (False).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> pdf = pd.DataFrame({"k": [1, 2, 1, 3, 2], "v": range(5)})
        >>> df = dd.from_pandas(pdf, npartitions=2)
        >>> df.drop_duplicates(subset="k", keep="last").compute().v.tolist()
        [2, 3, 4]
        >>> df.drop_duplicates(subset=["k"], keep=False).compute().v.tolist()
        [3]
        """
        if keep not in ("first", "last", False):
            raise ValueError(f"keep must be 'first', 'last' or False, got {keep!r}.")
        if isinstance(self.meta, pd.Series):
            if subset is not None:
                raise TypeError("Series.drop_duplicates takes no subset=, as in pandas.")
            kw: dict[str, Any] = {}
        else:
            if subset is not None:
                self._check_columns(list(subset) if isinstance(subset, list | tuple) else [subset])
            kw = {"subset": subset}
        meta = self.meta.drop_duplicates(keep=keep, ignore_index=ignore_index, **kw)
        return reduction(
            self,
            partial(_dedup_chunk, subset=subset, keep=keep),
            partial(_dedup, subset=subset, keep=keep),
            partial(_dedup_final, subset=subset, keep=keep, ignore_index=ignore_index),
            meta,
            split_every,
            prefix="drop-duplicates",
        )

    def mode(self, dropna: bool = True, split_every: int | None = None) -> Any:
        """The most frequent value(s), sorted, as a Series (a DataFrame for a DataFrame).

        A DataFrame's columns with fewer modes are padded with ``NaN`` as in pandas,
        which changes their dtype from the one its meta promises.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([2, 1, 2, 1, 3]), npartitions=3)
        >>> s.mode().compute().tolist()
        [1, 2]
        """
        if isinstance(self.meta, pd.DataFrame):
            modes = [self[c].mode(dropna, split_every) for c in self.columns]
            return combine_results(_frame_of_modes, modes, self.meta, prefix="mode")
        meta = self.meta.mode(dropna=dropna)
        return reduction(
            self,
            partial(_counts, dropna=dropna),
            _merge_counts,
            partial(_mode_final, dropna=dropna, meta=self.meta),
            meta,
            split_every,
            prefix="mode",
        )
