"""Time-left estimates calibrated per task group.

Map
---
- :class:`GroupETA` -- counts, per task group (:func:`~tessera.diagnostics.groups.key_group`),
  the tasks still to run and the worker-seconds the finished ones took, and turns them
  into an estimate of the time left.

Policy
------
A compute mixes cheap and expensive operations (``read_csv`` tasks that take a second,
``getitem`` tasks that take a microsecond), often in phases, so ``elapsed * left / done``
is wrong most of the time.  Instead the work left is priced per group::

    work_left = sum(left[g] * busy[g] / done[g])       # worker-seconds
    eta       = elapsed * work_left / sum(busy)

A group none of whose tasks has finished yet is priced at the mean duration of all tasks
seen so far.  The ratio ``elapsed / sum(busy)`` converts worker-seconds into wall-clock
seconds: it accounts for the parallelism actually achieved and for the scheduler's own
overhead, without knowing the number of workers.  With a single group this is the linear
estimate.  The per-task work (:meth:`GroupETA.finished`) is three list updates; the
estimate (:meth:`GroupETA.eta`) is O(groups) and only computed when the bar is drawn.

>>> eta = GroupETA([("load", 0), ("load", 1), ("sum", 0), ("sum", 1)])
>>> eta.finished("load", 4.0)
>>> eta.finished("sum", 0.1)
>>> eta.eta(elapsed=4.1)  # one 4 s load and one 0.1 s sum left
4.1
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tessera.diagnostics.groups import key_group

__all__ = ["GroupETA"]


class GroupETA:
    """Tasks left and time spent per task group; the estimate of the time left.

    Parameters
    ----------
    keys : iterable of keys
        The keys the compute will run.

    Attributes
    ----------
    slot : dict
        Key name (``key[0]`` of a tuple key, else the key) -> group index; a caller on a
        hot path may look names up here and update ``left``, ``done`` and ``busy``
        itself, as :meth:`finished` does.
    groups : list of str
        The group names, by index.

    Examples
    --------
    >>> eta = GroupETA(["a-1234abcd", "a-99999999", "b"])
    >>> eta.groups, eta.left
    (['a', 'b'], [2, 1])
    >>> eta.eta(elapsed=1.0) is None  # nothing finished yet
    True
    """

    def __init__(self, keys: Iterable[Any]) -> None:
        self.slot: dict[Any, int] = {}
        self.groups: list[str] = []
        self.left: list[int] = []
        self.done: list[int] = []
        self.busy: list[float] = []
        counts = Counter(k[0] if type(k) is tuple and k else k for k in keys)
        for name, n in counts.items():
            self.left[self.index(name)] += n

    def _new_group(self, group: str) -> int:
        self.groups.append(group)
        self.left.append(0)
        self.done.append(0)
        self.busy.append(0.0)
        return len(self.groups) - 1

    def index(self, name: Any) -> int:
        """Return the group index of key name ``name``, adding a group if it is new.

        >>> GroupETA([]).index("x-12345678")
        0
        """
        g = self.slot.get(name)
        if g is None:
            group = key_group(name)
            g = self.groups.index(group) if group in self.groups else self._new_group(group)
            self.slot[name] = g
        return g

    def finished(self, name: Any, seconds: float) -> None:
        """Record that a task with key name ``name`` took ``seconds``.

        >>> eta = GroupETA([("x", 0), ("x", 1)])
        >>> eta.finished("x", 0.5); eta.left, eta.done, eta.busy
        ([1], [1], [0.5])
        """
        g = self.index(name)
        self.left[g] -= 1
        self.done[g] += 1
        self.busy[g] += seconds

    def eta(self, elapsed: float) -> float | None:
        """Return the estimated seconds left, or ``None`` before any task finished.

        Parameters
        ----------
        elapsed : float
            Wall-clock seconds since the compute started.

        Examples
        --------
        >>> eta = GroupETA([("a", i) for i in range(10)] + [("b", i) for i in range(10)])
        >>> for _ in range(5):
        ...     eta.finished("a", 1.0)
        >>> eta.eta(elapsed=5.0)  # 5 a's and 10 b's of unknown cost (priced like a's)
        15.0
        >>> for _ in range(10):
        ...     eta.finished("b", 0.0)
        >>> eta.eta(elapsed=5.0)  # b's turned out free: only 5 a's left
        5.0
        """
        done = sum(self.done)
        if not done:
            return None
        busy = sum(self.busy)
        left = sum(self.left)
        if busy <= 0:  # tasks too quick for the clock: fall back to counting
            return elapsed * left / done
        mean = busy / done
        work = sum(
            n * (b / d if d else mean)
            for n, d, b in zip(self.left, self.done, self.busy, strict=True)
            if n > 0
        )
        return elapsed * work / busy
