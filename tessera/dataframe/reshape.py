"""Repartitioning, shuffles, sorting, set_index and joins of frames.

Map
---
- :class:`ReshapeMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`: the public
  methods, each validation plus one call into its module --
  :mod:`~tessera.dataframe.repartition` (``repartition``),
  :mod:`~tessera.dataframe.shuffle` (``shuffle``), :mod:`~tessera.dataframe.sort`
  (``set_index``, ``sort_values``), :mod:`~tessera.dataframe.merge` (``merge``,
  ``join``) -- and ``reset_index`` (below).  It also makes frames' computes clean up
  after shuffles: the frames' optimizer gives every shuffle a fresh spill directory and
  ``compute``/``persist`` delete it when they return or raise
  (:mod:`~tessera.dataframe.spill`).
- :class:`ResetIndex` -- one partition of ``reset_index``: a ``RangeIndex`` that starts
  where the previous partitions' rows end.

``reset_index`` follows pandas: the new index runs ``0 .. n-1`` over the whole frame
(Dask restarts it at 0 in every partition).  It needs every partition's length first,
so each partition is held in memory until all lengths are known.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [3, 1, 2, 1], "v": range(4)}), npartitions=2)
>>> df.sort_values("k").reset_index(drop=True).compute()
   k  v
0  1  1
1  1  3
2  2  2
3  3  0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe import spill
from tessera.hashing import tokenize

__all__ = ["ResetIndex", "ReshapeMixin"]


def _offsets(lengths: list[int]) -> list[int]:
    return [0, *np.cumsum(lengths).tolist()]


@dataclass(frozen=True)
class ResetIndex:
    """Partition ``i`` of ``reset_index``, numbered from ``offsets[i]``.

    >>> ResetIndex(False, 1)(pd.Series([5], index=["a"]), [0, 3, 4]).index.tolist()
    [3]
    """

    drop: bool
    i: int

    def __call__(self, part: Any, offsets: list[int]) -> Any:
        out = part.reset_index(drop=self.drop)
        out.index = pd.RangeIndex(offsets[self.i], offsets[self.i] + len(out))
        return out


def _frame_only(frame: Any, method: str) -> None:
    if not isinstance(frame.meta, pd.DataFrame):
        raise AttributeError(
            f"'Series' object has no attribute {method!r}; it is a DataFrame method."
        )


class ReshapeMixin(spill.SpillScoped):
    """Methods shared by DataFrame and Series (see the module map)."""

    def repartition(
        self,
        divisions: Any = None,
        npartitions: int | None = None,
        partition_size: int | str | None = None,
        force: bool = False,
    ) -> Any:
        """Split the frame differently: give exactly one of the three ways.

        Parameters
        ----------
        divisions : list, optional
            New index bounds (needs known divisions; must start and end at the old ones,
            or outside them with ``force=True``).
        npartitions : int, optional
            Fewer: neighbouring partitions are combined (divisions stay known).  More:
            with known divisions of a numeric or datetime index, new divisions are
            interpolated (they stay known, there may be fewer partitions than asked);
            otherwise each partition is cut into row-slices (divisions unknown).
        partition_size : int or str, optional
            Target bytes per partition (``"100MB"``): measures the partitions now (one
            pass), then cuts big ones and combines small neighbours.
        force : bool
            Allow ``divisions`` beyond the old first and last ones.

        Examples
        --------
        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=3)
        >>> df.repartition(npartitions=1).divisions
        (0, 5)
        >>> df.repartition(divisions=[0, 4, 5]).get_partition(0).compute().x.tolist()
        [0, 1, 2, 3]
        """
        from tessera.dataframe.repartition import repartition

        return repartition(self, divisions, npartitions, partition_size, force)

    def shuffle(
        self,
        on: Any,
        npartitions: int | None = None,
        ignore_index: bool = False,
        shuffle_method: str | None = None,
    ) -> Any:
        """Move rows so that equal values of ``on`` share a partition.

        ``on`` is a column, a list of columns, or a Series with the same partitions.
        Rows that meet keep their relative order; divisions become unknown;
        ``ignore_index=True`` numbers the rows ``0 .. n-1`` afterwards.
        ``shuffle_method`` is ``"tasks"`` (in memory), ``"disk"`` (spill files, memory
        bounded) or None (``config.get("dataframe.shuffle.method")``, else chosen by the
        input's size: :mod:`~tessera.dataframe.shuffle_method`); all give the same result.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1, 2]}), npartitions=2)
        >>> out = df.shuffle("k", npartitions=2)
        >>> sorted(out.get_partition(i).compute().k.nunique() for i in range(2))
        [1, 1]
        """
        from tessera.dataframe.core import _Frame
        from tessera.dataframe.shuffle import hash_shuffle

        _frame_only(self, "shuffle")
        frame: Any = self
        if isinstance(on, _Frame):
            hidden = "__tessera_shuffle_key"
            keyed = frame.assign(**{hidden: on})
            out = hash_shuffle(keyed, [hidden], npartitions, method=shuffle_method).map_partitions(
                _drop_column, hidden, meta=frame.meta
            )
        else:
            keys = on if isinstance(on, list) else [on]
            frame._check_columns(keys)
            out = hash_shuffle(frame, keys, npartitions, method=shuffle_method)
        return out.reset_index(drop=True) if ignore_index else out

    def set_index(
        self,
        other: Any,
        drop: bool = True,
        sorted: bool = False,
        npartitions: int | None = None,
        divisions: Any = None,
    ) -> Any:
        """Make a column the index, sorted, with known divisions.

        Divisions come from approximate quantiles of the column (a sample of every
        partition, computed now); rows then move by range through the disk shuffle and
        each partition is sorted.  ``sorted=True`` says the column is already sorted
        across partitions: no shuffle, divisions from each partition's min and max.
        Equal values keep their order, so the result equals pandas'
        ``df.set_index(col).sort_index(kind="stable")``.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": [3, 1, 2], "y": [0, 1, 2]}), npartitions=2)
        >>> df.set_index("x").compute().y.tolist()
        [1, 2, 0]
        >>> df.set_index("y", sorted=True).divisions
        (0, 2, 2)
        """
        from tessera.dataframe.sort import set_index

        _frame_only(self, "set_index")
        return set_index(self, other, drop, sorted, divisions, npartitions)

    def sort_values(
        self,
        by: Any = None,
        ascending: bool | list[bool] = True,
        na_position: str = "last",
        npartitions: int | None = None,
    ) -> Any:
        """Sort rows by ``by`` (a Series by its values), stably, like pandas.

        Ranges of the first ``by`` column come from a sample (computed now); rows move
        by range through the disk shuffle and each partition is sorted with
        ``kind="stable"``.  Divisions become unknown; the index is kept.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"a": [2, 1, 2], "b": [1, 2, 0]}), npartitions=2)
        >>> df.sort_values(["a", "b"], ascending=[True, False]).compute().index.tolist()
        [1, 0, 2]
        """
        from tessera.dataframe.sort import sort_values

        frame: Any = self
        if isinstance(frame.meta, pd.DataFrame) and by is None:
            raise TypeError("DataFrame.sort_values() missing the column(s) to sort by: by=")
        return sort_values(frame, by, ascending, na_position, npartitions)

    def reset_index(self, drop: bool = False) -> Any:
        """Number the rows ``0 .. n-1`` across all partitions (pandas' semantics).

        The old index becomes a column unless ``drop=True``.  Unlike Dask, which
        restarts at 0 in every partition, this counts the rows of the partitions
        before each one (the partitions are held until all lengths are known).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = dd.from_pandas(pd.Series([5, 6, 7], index=[10, 20, 30], name="v"), npartitions=2)
        >>> s.reset_index().compute()
           index  v
        0     10  5
        1     20  6
        2     30  7
        """
        from tessera.dataframe.graph import merge_layers, new_collection

        frame: Any = self
        meta = frame.meta.reset_index(drop=drop)
        token = tokenize(frame, drop)
        lengths, offsets, name = (f"reset-index-{s}-{token}" for s in ("len", "offsets", "out"))
        n = frame.npartitions
        layers = merge_layers(frame)
        layers[lengths] = {(lengths, i): (len, (frame._name, i)) for i in range(n)}
        layers[offsets] = {(offsets, 0): (_offsets, list(layers[lengths]))}
        layers[name] = {
            (name, i): (ResetIndex(drop, i), (frame._name, i), (offsets, 0)) for i in range(n)
        }
        return new_collection(layers, name, meta, (None,) * (n + 1))

    def merge(self, right: Any, **kwargs: Any) -> Any:
        """Merge with another frame; see :func:`tessera.dataframe.merge`.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> a = dd.from_pandas(pd.DataFrame({"k": [1, 2], "x": [3, 4]}), npartitions=2)
        >>> a.merge(pd.DataFrame({"k": [2], "y": [5]}), on="k").compute().values.tolist()
        [[2, 4, 5]]
        """
        from tessera.dataframe.merge import merge

        _frame_only(self, "merge")
        return merge(self, right, **kwargs)

    def join(
        self,
        other: Any,
        on: Any = None,
        how: str = "left",
        lsuffix: str = "",
        rsuffix: str = "",
        **kwargs: Any,
    ) -> Any:
        """Join columns of ``other`` by its index; see :func:`tessera.dataframe.merge.join`.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> a = dd.from_pandas(pd.DataFrame({"x": [1, 2]}, index=[0, 1]), npartitions=2)
        >>> a.join(pd.DataFrame({"y": [9]}, index=[1])).compute().y.tolist()
        [nan, 9.0]
        """
        from tessera.dataframe.merge import join

        _frame_only(self, "join")
        return join(self, other, on, how, lsuffix, rsuffix, **kwargs)


def _drop_column(part: Any, column: Any) -> Any:
    return part.drop(columns=[column])
