"""Group-wise ``apply`` and ``transform`` through a shuffle.

Map
---
- :class:`GroupByShuffleMixin` -- mixed into :class:`~tessera.dataframe.groupby.GroupBy`
  (which has ``frame``, ``by``, ``sort``, ``dropna``, ``selection`` and, read when
  present, ``observed`` and ``group_keys``).  Keys may be columns or Series of the
  frame's partitioning, which travel through the shuffle as hidden columns:

  ``apply(func, meta=)``
      move all rows of a group into one partition, then run pandas'
      ``groupby(...).apply(func)`` on each partition (:class:`GroupApply`).  With
      ``sort=True`` (the default) rows move by *range* of the first key (its quantiles
      are sampled now, one eager pass, as for ``set_index``), so the partitions come
      out in key order and the result equals pandas' exactly.  With ``sort=False`` rows
      move by hash (no eager pass) and groups come out in no particular order;
  ``transform(func, meta=)``
      tag each row with its partition and position, hash-shuffle by the keys, run
      pandas' ``groupby(...).transform(func)`` per partition (:class:`GroupTransform`),
      then shuffle the rows back to where they came from and restore their order
      (:func:`restore`).  The result has the frame's partitions and divisions -- it
      lines up with the frame, so ``df.assign(z=df.groupby("k").v.transform("sum"))``
      works -- and equals pandas' row for row.  It costs two shuffles.

Both shuffles are the disk shuffle of :mod:`tessera.dataframe.shuffle`, so a group-wise
function over more data than memory finishes when each partition (and each group) fits.
Without ``meta=``, the output columns and dtypes are guessed by running ``func`` on a
small fake partition, with a ``UserWarning`` (as in Dask).

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1, 2], "v": [1, 2, 3, 5]}), npartitions=2)
>>> df.groupby("k").v.apply(lambda s: s.max() - s.min(), meta=("v", "int64")).compute()
k
1    2
2    3
Name: v, dtype: int64
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import (
    make_meta,
    merge_layers,
    new_collection,
    nonempty,
    partitionwise,
)
from tessera.dataframe.shuffle import ColumnPartitioner, hash_shuffle, shuffle
from tessera.hashing import tokenize

__all__ = ["GroupApply", "GroupByShuffleMixin", "GroupTransform", "restore"]

_PART, _POS, _VALUE = "__tessera_partition", "__tessera_position", "__tessera_value"


def _hidden(i: int) -> str:
    return f"__tessera_key_{i}"


@dataclass(frozen=True, eq=False)  # meta: a pandas object
class GroupApply:
    """``<pandas groupby of a partition>[selection].<method>(func, *args, **kwargs)``.

    The partition is the *working frame* (:meth:`GroupByShuffleMixin._working`): the
    grouped frame (a Series as column ``__tessera_value``) plus one hidden column per
    key Series.  ``keys`` are its key columns; ``renames`` maps each hidden column to the
    name of the Series it holds.  An empty partition gives ``meta`` (pandas' result on
    no rows has no fixed shape).

    >>> op = GroupApply(("k",), "v", "apply", sum)
    >>> op(pd.DataFrame({"k": [1, 1, 2], "v": [1, 2, 3]})).tolist()
    [3, 3]
    """

    keys: tuple[Any, ...]
    selection: Any
    method: str
    func: Any
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    renames: tuple[tuple[str, Any], ...] = ()
    options: tuple[tuple[str, Any], ...] = ()
    as_list: bool = False
    series_name: Any = None
    is_series: bool = False
    meta: Any = None

    def grouped(self, part: Any) -> Any:
        """pandas' groupby of a working partition (before the selection)."""
        renames = dict(self.renames)
        by = [part[k].rename(renames[k]) if k in renames else k for k in self.keys]
        data = part.drop(columns=list(renames)) if renames else part
        if self.is_series:
            data = data[_VALUE].rename(self.series_name)
        return data.groupby(by if self.as_list else by[0], **dict(self.options))

    def __call__(self, part: Any) -> Any:
        if not len(part) and self.meta is not None:
            return self.meta.copy()
        g = self.grouped(part)
        if self.selection is not None:
            g = g[self.selection]
        return getattr(g, self.method)(self.func, *self.args, **self.kwargs)


def _guess(op: GroupApply, work_meta: Any, meta: Any, index: pd.Index) -> Any:
    """The result's meta: ``meta=`` or pandas' answer on a fake partition (with a warning).

    A given meta whose index says nothing (an unnamed ``RangeIndex``, as from a
    ``(name, dtype)`` tuple) gets ``index`` -- the group keys for ``apply``, the frame's
    index for ``transform`` -- so that empty partitions carry the right index.
    """
    if meta is not None:
        meta = make_meta(meta)
        bare = isinstance(meta.index, pd.RangeIndex) and meta.index.name is None
        return meta.set_axis(index[:0], axis=0) if bare else meta
    try:
        guessed = make_meta(op(nonempty(work_meta)))
    except Exception as e:
        raise ValueError(
            f"groupby().{op.method}: running {getattr(op.func, '__name__', op.func)!r} on a "
            f"small fake partition to find its output raised {type(e).__name__}: {e}. Pass "
            "meta= (an empty pandas object, a dict of column -> dtype or a (name, dtype) tuple)."
        ) from e
    warnings.warn(
        f"groupby().{op.method} without meta=: tessera guessed the output columns and dtypes "
        "by running the function on a small fake partition. Pass meta= to be sure.",
        UserWarning,
        stacklevel=3,
    )
    return guessed


@dataclass(frozen=True)
class GroupTransform:
    """Transform a tagged partition, keeping its partition and position tags.

    >>> op = GroupTransform(GroupApply(("k",), "v", "transform", "sum"))
    >>> part = pd.DataFrame({"k": [1, 1], "v": [1, 2], _PART: [0, 0], _POS: [0, 1]})
    >>> op(part)[_VALUE].tolist()
    [3, 3]
    """

    op: GroupApply

    def __call__(self, part: Any) -> Any:
        out = self.op(part.drop(columns=[_PART, _POS]))
        if isinstance(out, pd.Series):
            out = out.rename(_VALUE).to_frame()
        out = out.copy()
        out[_PART] = part[_PART].to_numpy()
        out[_POS] = part[_POS].to_numpy()
        return out


def restore(part: Any, meta: Any) -> Any:
    """Put shuffled-back rows in their original order and drop the tags.

    >>> meta = pd.Series([], dtype="int64", name="v")
    >>> restore(pd.DataFrame({_VALUE: [7, 8], _PART: [0, 0], _POS: [1, 0]}), meta).tolist()
    [8, 7]
    """
    out = part.sort_values(_POS, kind="stable").drop(columns=[_PART, _POS])
    return out[_VALUE].rename(meta.name) if isinstance(meta, pd.Series) else out


@dataclass(frozen=True)
class _Tag:
    i: int

    def __call__(self, part: Any) -> Any:
        return part.assign(**{_PART: self.i, _POS: np.arange(len(part))})


def _tagged(frame: Any) -> Any:
    name = f"groupby-tag-{tokenize(frame)}"
    layers = merge_layers(frame)
    layers[name] = {(name, i): (_Tag(i), (frame._name, i)) for i in range(frame.npartitions)}
    meta = frame.meta.assign(**{_PART: np.int64(0), _POS: np.int64(0)}).iloc[:0]
    return new_collection(layers, name, meta, frame.divisions)


def _with_tags(meta: Any) -> Any:
    frame = meta.rename(_VALUE).to_frame() if isinstance(meta, pd.Series) else meta
    return frame.assign(**{_PART: np.int64(0), _POS: np.int64(0)}).iloc[:0]


class GroupByShuffleMixin:
    """``apply`` and ``transform`` of a GroupBy (see the module map)."""

    frame: Any
    by: Any
    sort: bool
    dropna: bool
    selection: Any

    def _working(self) -> tuple[Any, list[Any], dict[str, Any]]:
        """The frame to shuffle, its key columns, and hidden column -> key Series name.

        Keys are column labels, or Series of the frame's partitioning: a Series that is
        a plain column of the frame counts as that column (as in pandas); any other is
        carried along as a hidden column.
        """
        frame = self.frame
        work = frame if isinstance(frame.meta, pd.DataFrame) else frame.to_frame(_VALUE)
        keys: list[Any] = []
        extra: dict[str, Any] = {}
        for k in self.by if isinstance(self.by, list) else [self.by]:
            if hasattr(k, "divisions"):
                column = isinstance(frame.meta, pd.DataFrame) and k.name in frame.columns
                if column and frame[k.name]._name == k._name:
                    k = k.name
                else:
                    extra[_hidden(len(extra))] = k
                    k = _hidden(len(extra) - 1)
            keys.append(k)
        if extra:
            work = work.assign(**extra)
        return work, keys, {h: s.name for h, s in extra.items()}

    def _op(
        self, method: str, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[GroupApply, Any, list[Any]]:
        work, keys, renames = self._working()
        options = {
            "sort": self.sort,
            "dropna": self.dropna,
            "observed": getattr(self, "observed", True),
            "group_keys": getattr(self, "group_keys", True),
        }
        is_series = not isinstance(self.frame.meta, pd.DataFrame)
        op = GroupApply(
            tuple(keys),
            self.selection,
            method,
            func,
            args,
            kwargs,
            tuple(renames.items()),
            tuple(options.items()),
            isinstance(self.by, list),
            self.frame.meta.name if is_series else None,
            is_series,
        )
        return op, work, keys

    def apply(self, func: Any, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
        """Apply ``func`` to every group (a DataFrame, or a Series after selection).

        The result equals pandas' ``groupby(...).apply(func)``; see the module map for
        how groups are brought together.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"k": ["b", "a", "b"], "v": [1, 2, 3]}, npartitions=2)
        >>> df.groupby("k").apply(lambda g: g.v.sum() * 10, meta=(None, "int64")).compute()
        k
        a    20
        b    40
        dtype: int64
        """
        from tessera.dataframe.repartition import partition_stats
        from tessera.dataframe.sort import _range_shuffle, _sample_size, boundaries, sample_key

        op, work, keys = self._op("apply", func, args, kwargs)
        meta = _guess(op, work.meta, meta, op.grouped(work.meta).size().index)
        n = work.npartitions
        if self.sort:
            sample = partial(sample_key, column=keys[0], size=_sample_size(n))
            cuts = boundaries(partition_stats(work, sample), n)
            moved = _range_shuffle(work, keys[0], cuts, True, False, "groupby-apply")
        else:
            moved = hash_shuffle(work, keys, n)
        return partitionwise(replace(op, meta=meta), moved, meta=meta, prefix="groupby-apply")

    def transform(self, func: Any, *args: Any, meta: Any = None, **kwargs: Any) -> Any:
        """Transform every group with ``func``; rows keep the frame's partitions and order.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1.0, 2.0, 5.0]}, npartitions=2)
        >>> df.groupby("k").v.transform("mean", meta=("v", "float64")).compute().tolist()
        [3.0, 2.0, 3.0]
        """
        op, work, keys = self._op("transform", func, args, kwargs)
        meta = _guess(op, work.meta, meta, self.frame.meta.index)
        n = work.npartitions
        moved = hash_shuffle(_tagged(work), keys, n)
        done = partitionwise(
            GroupTransform(replace(op, meta=meta)),
            moved,
            meta=_with_tags(meta),
            prefix="groupby-transform",
        )
        back = shuffle(done, ColumnPartitioner(_PART), n, prefix="groupby-unshuffle")
        out = partitionwise(restore, back, meta, meta=meta, prefix="groupby-restore")
        return new_collection(out.layers, out._name, meta, self.frame.divisions)
