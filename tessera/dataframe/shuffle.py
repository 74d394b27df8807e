"""The frames' shuffles: route every row to an output partition, through spill files or tasks.

Map
---
- Partitioners, small frozen dataclasses that give each row of a partition its output
  partition number (an integer array):

  :class:`HashPartitioner`
      a hash of key columns (or of the index) modulo ``nout``; equal keys always land
      together, in every process (:func:`pandas.util.hash_pandas_object` is not salted).
      ``casts`` converts keys to a common dtype first, so that ``1`` and ``1.0`` on the
      two sides of a merge hash alike;
  :class:`RangePartitioner`
      the position of a column (or of the index) among sorted ``bounds``, ascending or
      descending, missing values first or last: the range shuffle of ``set_index`` and
      ``sort_values``;
  :class:`ColumnPartitioner`
      the output number is stored in a column (shuffling rows back where they came from).

- :class:`SplitWrite` -- input stage, one task per input partition: reorder it by the
  partitioner's numbers (a stable sort, so rows keep their order) and pickle each
  non-empty slice to ``<spill>/<i>-<j>.pkl``; return the piece sizes.  A
  task that fails removes the files it wrote.
- :func:`sizes_table` -- the barrier: every input task's sizes.
- :class:`ReadPieces` -- output stage, one task per output partition: read the pieces
  ``0-j, 1-j, ...`` in input order (deleting each once read) and concatenate them; the
  task that empties the directory removes it.
- :func:`split_pieces`, :func:`concat_pieces` -- cut a partition into its non-empty
  pieces (stable), and put pieces back together; shared with the task shuffle.
- :func:`shuffle` -- pick the method (:mod:`~tessera.dataframe.shuffle_method`), then
  build the three layers of the disk shuffle, or the task shuffle's stages
  (:mod:`~tessera.dataframe.shuffle_tasks`); :func:`hash_shuffle` for key columns.

Memory (disk shuffle): an input task holds one input partition and its reordered copy; an
output task holds its pieces and their concatenation.  Nothing else is held (the barrier
carries only sizes), so a shuffle of more data than memory finishes when a partition fits.
Spill files are pickles (protocol 5): every pandas dtype, index and column label
round-trips exactly, numeric columns are written as raw buffers, and no optional
dependency is needed.  The task shuffle keeps every piece in memory, so it is chosen
only for small inputs.
Directories: :mod:`tessera.dataframe.spill`.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1, 2], "v": range(4)}), npartitions=2)
>>> out = hash_shuffle(df, ["k"], 2)
>>> sorted(out.get_partition(j).compute().k.unique().tolist() for j in (0, 1))
[[1], [2]]
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection
from tessera.dataframe.spill import SpillTask, reserve
from tessera.hashing import tokenize
from tessera.scheduling.graph import gc_paused

__all__ = [
    "VALUES",
    "ColumnPartitioner",
    "HashPartitioner",
    "RangePartitioner",
    "ReadPieces",
    "SplitWrite",
    "concat_pieces",
    "hash_shuffle",
    "key_of",
    "orderable",
    "shuffle",
    "sizes_table",
    "split_pieces",
]

Partitioner = Callable[[Any], np.ndarray]


#: The ``column`` that means "the values of a Series partition".
VALUES = "<values>"


def key_of(part: Any, column: Any) -> pd.Series:
    """The key of each row: the index when ``column`` is None, a Series' values
    (``column=VALUES``), or a column.

    >>> key_of(pd.DataFrame({"a": [5]}, index=[7]), None).tolist()
    [7]
    >>> key_of(pd.Series([3]), VALUES).tolist()
    [3]
    """
    if column is None:
        return part.index.to_series(index=part.index)
    return part if column is VALUES or column == VALUES else part[column]


def orderable(key: pd.Series) -> pd.Series:
    """``key`` as values that compare in sort order: a categorical becomes its codes.

    >>> orderable(pd.Series(pd.Categorical(["b", None, "a"], ["b", "a"]))).tolist()
    [0.0, nan, 1.0]
    """
    if isinstance(key.dtype, pd.CategoricalDtype):
        codes = key.cat.codes.to_numpy()
        return pd.Series(np.where(codes < 0, np.nan, codes), index=key.index)
    return key


@dataclass(frozen=True)
class HashPartitioner:
    """Rows to ``hash(keys) % nout``; ``on`` lists key columns, None means the index.

    >>> p = HashPartitioner(("k",), 4)
    >>> codes = p(pd.DataFrame({"k": [3, 1, 3]}))
    >>> codes[0] == codes[2], 0 <= codes.min() <= codes.max() < 4
    (np.True_, np.True_)
    """

    on: tuple[Any, ...] | None
    nout: int
    casts: tuple[Any, ...] | None = None

    def __call__(self, part: Any) -> np.ndarray:
        if self.on is None:
            keys = part.index.to_frame(index=False)
        elif isinstance(part, pd.Series):
            keys = part.to_frame()
        else:
            keys = part[list(self.on)]
        if self.casts is not None:
            cols = [
                c if t is None else c.astype(t)
                for (_, c), t in zip(keys.items(), self.casts, strict=True)
            ]
            keys = pd.concat(cols, axis=1, ignore_index=True) if cols else keys
        hashed = pd.util.hash_pandas_object(keys, index=False).to_numpy()
        return (hashed % np.uint64(self.nout)).astype(np.intp)


@dataclass(frozen=True, eq=False)  # bounds: a Series
class RangePartitioner:
    """Rows to their range among ``bounds`` (the ``nout - 1`` inner division values).

    >>> p = RangePartitioner("x", pd.Series([10, 20]), ascending=True, na_first=False)
    >>> p(pd.DataFrame({"x": [25, 5, None, 10]})).tolist()
    [2, 0, 2, 1]
    """

    column: Any
    bounds: pd.Series
    ascending: bool = True
    na_first: bool = False

    def __call__(self, part: Any) -> np.ndarray:
        nout = len(self.bounds) + 1
        key = orderable(key_of(part, self.column))
        na = key.isna().to_numpy()
        codes = np.full(len(key), 0 if self.na_first else nout - 1, dtype=np.intp)
        if nout > 1:
            found = np.asarray(self.bounds.searchsorted(key[~na], side="right"), dtype=np.intp)
            codes[~na] = found if self.ascending else nout - 1 - found
        return codes


@dataclass(frozen=True)
class ColumnPartitioner:
    """Rows to the partition number stored in ``column``.

    >>> ColumnPartitioner("p")(pd.DataFrame({"p": [1, 0]})).tolist()
    [1, 0]
    """

    column: Any

    def __call__(self, part: Any) -> np.ndarray:
        return part[self.column].to_numpy(dtype=np.intp)


def split_pieces(part: Any, codes: np.ndarray, nout: int) -> Iterator[tuple[int, Any, Any]]:
    """The non-empty pieces of ``part`` by output number ``codes``: ``(j, piece, rows)``.

    Rows keep their order inside a piece (a stable sort); ``rows`` indexes ``codes``
    (or any array aligned with ``part``) to give the piece's own.  A partition that goes
    to one place is yielded whole, without a copy.

    >>> part = pd.DataFrame({"a": [10, 11, 12]})
    >>> [(j, p.a.tolist()) for j, p, _ in split_pieces(part, np.array([1, 0, 1]), 2)]
    [(0, [11]), (1, [10, 12])]
    """
    counts = np.bincount(codes, minlength=nout)
    if np.count_nonzero(counts) == 1:
        yield int(codes[0]), part, slice(None)
    elif len(part):
        small = np.uint16 if nout <= 2**16 else np.intp
        order = np.argsort(codes.astype(small), kind="stable")
        grouped = part.take(order)
        stops = np.cumsum(counts)
        for j in np.flatnonzero(counts):
            start = stops[j] - counts[j]
            yield int(j), grouped.iloc[start : stops[j]], order[start : stops[j]]


def concat_pieces(pieces: list[Any], meta: Any) -> Any:
    """The non-empty ``pieces`` in order as one partition; a copy of ``meta`` if none.

    >>> concat_pieces([], pd.DataFrame({"a": []})).shape
    (0, 1)
    >>> concat_pieces([pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})], None).a.tolist()
    [1, 2]
    """
    if not pieces:
        return meta.copy()
    return pieces[0] if len(pieces) == 1 else pd.concat(pieces)


def _file(spill: Any, i: int, j: int) -> str:
    return os.path.join(spill.path, f"{i:06d}-{j:06d}.pkl")


@dataclass(frozen=True)
class SplitWrite(SpillTask):
    """Input stage of input partition ``i``: spill its pieces; return their sizes.

    >>> from tessera.dataframe.spill import reserve
    >>> spill = reserve("doc")
    >>> SplitWrite(spill, HashPartitioner(None, 1), 1, 0)(pd.DataFrame({"a": [1, 2]}))
    [2]
    >>> os.listdir(spill.path)
    ['000000-000000.pkl']
    """

    partitioner: Partitioner
    nout: int
    i: int

    def __call__(self, part: Any) -> list[int]:
        codes = self.partitioner(part)
        os.makedirs(self.spill.path, exist_ok=True)
        written: list[str] = []
        try:
            for j, piece, _ in split_pieces(part, codes, self.nout):
                path = _file(self.spill, self.i, j)
                written.append(path)
                with open(path, "wb") as f:
                    pickle.dump(piece, f, protocol=5)
        except BaseException:
            for path in written:
                with contextlib.suppress(OSError):
                    os.remove(path)
            raise
        return [int(c) for c in np.bincount(codes, minlength=self.nout)]


def sizes_table(sizes: list[list[int]]) -> list[list[int]]:
    """The barrier between the stages: ``sizes[i][j]`` rows went from ``i`` to ``j``.

    >>> sizes_table([[1, 0], [2, 3]])
    [[1, 0], [2, 3]]
    """
    return sizes


@dataclass(frozen=True, eq=False)  # meta: a pandas object
class ReadPieces(SpillTask):
    """Output stage of output partition ``j``: read, delete and concatenate its pieces.

    >>> from tessera.dataframe.spill import reserve
    >>> spill, meta = reserve("doc"), pd.DataFrame({"a": pd.Series([], dtype=int)})
    >>> write = SplitWrite(spill, HashPartitioner(None, 1), 1, 0)
    >>> sizes = [write(pd.DataFrame({"a": [1, 2]}))]
    >>> ReadPieces(spill, 0, meta)(sizes).a.tolist(), os.path.exists(spill.path)
    ([1, 2], False)
    """

    j: int
    meta: Any

    def __call__(self, sizes: list[list[int]]) -> Any:
        pieces = []
        for i, row in enumerate(sizes):
            if row[self.j]:
                path = _file(self.spill, i, self.j)
                with open(path, "rb") as f, gc_paused():
                    pieces.append(pickle.load(f))
                os.remove(path)
        with contextlib.suppress(OSError):
            os.rmdir(self.spill.path)  # succeeds for whichever output task finishes last
        return concat_pieces(pieces, self.meta)


def shuffle(
    frame: Any,
    partitioner: Partitioner,
    nout: int,
    prefix: str = "shuffle",
    method: str | None = None,
) -> Any:
    """Move the rows of ``frame`` to ``nout`` partitions chosen by ``partitioner``.

    ``method`` is ``"disk"`` (spill files, memory bounded), ``"tasks"`` (in memory) or
    None: ``config.get("dataframe.shuffle.method")``, else chosen by the size of the
    input (:func:`~tessera.dataframe.shuffle_method.choose_method`).  Both give the same
    partitions: rows that meet keep their relative order (input partition, then
    position).  Divisions of the result are unknown.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"p": [1, 0, 1]}), npartitions=2)
    >>> out = shuffle(df, ColumnPartitioner("p"), 2, method="disk")
    >>> out.npartitions, out.get_partition(1).compute().index.tolist()
    (2, [0, 2])
    """
    from tessera.dataframe.shuffle_method import choose_method

    if choose_method(frame, method) == "tasks":
        from tessera.dataframe.shuffle_tasks import task_shuffle

        return task_shuffle(frame, partitioner, nout, prefix)
    token = tokenize(frame, partitioner, nout)
    spill = reserve(token)
    write, barrier, name = (f"{prefix}-{s}-{token}" for s in ("split", "sizes", "read"))
    layers = merge_layers(frame)
    layers[write] = {
        (write, i): (SplitWrite(spill, partitioner, nout, i), (frame._name, i))
        for i in range(frame.npartitions)
    }
    layers[barrier] = {(barrier, 0): (sizes_table, list(layers[write]))}
    layers[name] = {
        (name, j): (ReadPieces(spill, j, frame.meta), (barrier, 0)) for j in range(nout)
    }
    return new_collection(layers, name, frame.meta, (None,) * (nout + 1))


def hash_shuffle(
    frame: Any,
    on: list[Any] | None,
    npartitions: int | None = None,
    casts: Any = None,
    method: str | None = None,
) -> Any:
    """Shuffle so that rows with equal ``on`` columns (None: equal index) meet.

    ``method`` as for :func:`shuffle`.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1]}), npartitions=3)
    >>> hash_shuffle(df, ["k"], 2).npartitions
    2
    """
    nout = frame.npartitions if npartitions is None else npartitions
    cast_tuple = None if casts is None else tuple(casts)
    partitioner = HashPartitioner(None if on is None else tuple(on), nout, cast_tuple)
    return shuffle(frame, partitioner, nout, method=method)
