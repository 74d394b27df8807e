"""The frames' task shuffle: pieces of partitions travel as task results, in memory.

Map
---
- :class:`Plan` -- the stages.  Partitions are numbered ``0 .. base**stages - 1``, each
  number read as ``stages`` digits in base ``base``.  Stage ``s`` moves every row to the
  partition whose digit ``s`` is digit ``s`` of the row's output number; so a task of
  stage ``s`` reads from ``base`` partitions (its *group*: the numbers that differ from
  its own only in digit ``s``), and after the last stage each row is at its output
  number.  ``base`` is at most ``max_branch`` (32): a shuffle of ``n`` partitions has
  about ``n * stages`` tasks and ``n * base * stages`` edges instead of ``n * n``.
- :class:`SplitRows` -- first task of an input partition: the output number of each row
  (the partitioner), then :func:`split_digit`.
- :class:`Gather` -- a task of a later stage: concatenate its group's pieces, then split
  again by the next digit, or (last stage) return the output partition.
- :func:`task_shuffle` -- the layers: only the partitions some input reaches and some
  output needs get a task.

Between stages a piece is a pair ``(rows, output numbers)``, so the partitioner runs
once per input partition.  A group's pieces are concatenated in the order of the digit
that differs, so after the last stage rows are ordered by (input partition, position),
as in the disk shuffle (:mod:`tessera.dataframe.shuffle`): both give equal partitions.
Memory: every piece is a task result; the whole data set may be in memory at once.

>>> import pandas as pd, tessera.dataframe as dd
>>> from tessera.dataframe.shuffle import HashPartitioner
>>> df = dd.from_pandas(pd.DataFrame({"k": [1, 2, 1, 2]}), npartitions=2)
>>> out = task_shuffle(df, HashPartitioner(("k",), 2), 2)
>>> sorted(out.get_partition(j).compute().k.unique().tolist() for j in (0, 1))
[[1], [2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tessera.dataframe.graph import merge_layers, new_collection
from tessera.dataframe.shuffle import Partitioner, concat_pieces, split_pieces
from tessera.hashing import tokenize

__all__ = ["MAX_BRANCH", "Gather", "Plan", "SplitRows", "split_digit", "task_shuffle"]

#: The most pieces a partition is cut into at one stage.
MAX_BRANCH = 32

Piece = tuple[Any, np.ndarray]


@dataclass(frozen=True)
class Plan:
    """The stages of a shuffle from ``nin`` to ``nout`` partitions.

    >>> p = Plan(3, 40, 32)
    >>> p.stages, p.base, p.group(9, 1)
    (2, 7, [2, 9, 16, 23, 30, 37, 44])
    """

    nin: int
    nout: int
    max_branch: int = MAX_BRANCH

    @property
    def stages(self) -> int:
        """How many times each row moves."""
        n, k = max(self.nin, self.nout), 1
        while self.max_branch**k < n:
            k += 1
        return k

    @property
    def base(self) -> int:
        """How many pieces a partition is cut into at each stage."""
        n, k = max(self.nin, self.nout), self.stages
        b = max(1, round(n ** (1 / k)))
        while b**k < n:
            b += 1
        return b

    def digit(self, p: int, s: int) -> int:
        """Digit ``s`` of partition number ``p``."""
        return p // self.base**s % self.base

    def group(self, p: int, s: int) -> list[int]:
        """The partitions whose numbers differ from ``p`` only in digit ``s``."""
        step = self.base**s
        low = p - self.digit(p, s) * step
        return [low + t * step for t in range(self.base)]

    def live(self) -> list[list[int]]:
        """The partitions that get a task before stage 0, 1, ... and after the last one:
        those some input reaches and some output needs."""
        reached = [set(range(self.nin))]
        for s in range(self.stages):
            reached.append({q for p in reached[-1] for q in self.group(p, s)})
        needed = set(range(self.nout))
        out = [sorted(needed)]
        for s in reversed(range(self.stages)):
            needed = {m for q in needed for m in self.group(q, s)} & reached[s]
            out.append(sorted(needed))
        return out[::-1]


def split_digit(rows: Any, codes: np.ndarray, base: int, stage: int) -> list[Piece | None]:
    """Cut ``rows`` by digit ``stage`` (base ``base``) of their output numbers ``codes``.

    >>> import pandas as pd
    >>> pieces = split_digit(pd.DataFrame({"a": [1, 2, 3]}), np.array([0, 3, 2]), 2, 1)
    >>> [None if p is None else p[0].a.tolist() for p in pieces]
    [[1], [2, 3]]
    """
    out: list[Piece | None] = [None] * base
    digits = codes // base**stage % base
    for t, piece, rows_of in split_pieces(rows, digits, base):
        out[t] = (piece, codes[rows_of])
    return out


@dataclass(frozen=True)
class SplitRows:
    """First task of an input partition: its pieces by digit 0 of the output numbers."""

    partitioner: Partitioner
    base: int

    def __call__(self, part: Any) -> list[Piece | None]:
        return split_digit(part, self.partitioner(part), self.base, 0)


@dataclass(frozen=True, eq=False)  # meta: a pandas object
class Gather:
    """Piece ``slot`` of each of a group's splits, concatenated; then cut by digit
    ``next_stage`` (base ``base``), or, when ``next_stage`` is None, the output partition.
    """

    slot: int
    meta: Any
    base: int
    next_stage: int | None

    def __call__(self, splits: list[list[Piece | None]]) -> Any:
        got = [p for p in (s[self.slot] for s in splits) if p is not None]
        rows = concat_pieces([r for r, _ in got], self.meta)
        if self.next_stage is None:
            return rows
        codes = np.concatenate([c for _, c in got]) if got else np.empty(0, dtype=np.intp)
        return split_digit(rows, codes, self.base, self.next_stage)


def task_shuffle(
    frame: Any,
    partitioner: Partitioner,
    nout: int,
    prefix: str = "shuffle",
    max_branch: int = MAX_BRANCH,
) -> Any:
    """Move the rows of ``frame`` to ``nout`` partitions chosen by ``partitioner``, in
    memory; same partitions as the disk shuffle.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> from tessera.dataframe.shuffle import ColumnPartitioner
    >>> df = dd.from_pandas(pd.DataFrame({"p": [1, 0, 1]}), npartitions=2)
    >>> out = task_shuffle(df, ColumnPartitioner("p"), 2)
    >>> out.npartitions, out.get_partition(1).compute().index.tolist()
    (2, [0, 2])
    """
    plan = Plan(frame.npartitions, nout, max_branch)
    token = tokenize(frame, partitioner, nout, "tasks", max_branch)
    live = plan.live()
    base, last = plan.base, plan.stages - 1
    names = [f"{prefix}-tasks{s}-{token}" for s in range(plan.stages)]
    names.append(f"{prefix}-tasks-{token}")
    layers = merge_layers(frame)
    layers[names[0]] = {
        (names[0], i): (SplitRows(partitioner, base), (frame._name, i)) for i in live[0]
    }
    for s in range(plan.stages):
        have = set(live[s])
        after = None if s == last else s + 1
        layers[names[s + 1]] = {
            (names[s + 1], q): (
                Gather(plan.digit(q, s), frame.meta, base, after),
                [(names[s], m) for m in plan.group(q, s) if m in have],
            )
            for q in live[s + 1]
        }
    return new_collection(layers, names[-1], frame.meta, (None,) * (nout + 1))
