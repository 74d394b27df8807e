"""tessera callbacks on a cluster: the hooks a cluster scheduler can call from the client.

Map
---
- :class:`Reporter` -- calls the active :class:`~tessera.scheduling.callbacks.Callback`
  hooks for one compute on a cluster: ``_start`` and ``_start_state`` once,
  ``_pretask`` when a task is submitted (where the adapter sees it), ``_task_time`` and
  ``_posttask`` when the client learns that a task finished, ``_finish`` once, also
  after a failure.
- :func:`reporter` -- a :class:`Reporter`, or ``None`` when no callback is active (the
  adapters then call nothing at all).
- :func:`reporting` -- ``with reporting(rep):`` one compute, between ``start`` and
  ``finish`` (``errored`` when the block raised).
- :class:`GraphState` -- the ``state`` hooks get: only the graph's ``dependencies`` and
  ``dependents`` (what a cluster does with the tasks is not visible from here).

Policy: a cluster runs tasks out of the client's sight, so hooks fire only for what the
client sees.  ``state`` is a :class:`GraphState` and ``worker_id`` is ``None``;
``_posttask`` gets the
result only for the requested keys (the others stay on the cluster: ``None``);
``_task_time`` gets ``time.time()`` seconds read in the client, from the submission (or
the start of the compute) to when the client saw the task finished, so they include
queueing.  Which tasks the client sees depends on the engine (see ``docs/distributed.md``).

>>> from tessera.scheduling.callbacks import Callback
>>> seen = []
>>> with Callback(posttask=lambda key, result, dsk, state, worker: seen.append((key, result))):
...     rep = reporter({"a": 1}, None)
...     with reporting(rep):
...         rep.finished(["a"], 1)
>>> seen
[('a', 1)]
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tessera.scheduling.callbacks import Callback, active_callbacks
from tessera.scheduling.graph import compile_graph

__all__ = ["GraphState", "Reporter", "reporter", "reporting"]


class GraphState(Mapping[str, Any]):
    """The ``state`` of a compute on a cluster: ``dependencies`` and ``dependents`` only
    (key -> set of keys), computed when first read.

    >>> GraphState({"a": 1, "b": (abs, "a")})["dependents"]
    {'a': {'b'}, 'b': set()}
    """

    def __init__(self, dsk: Mapping[Any, Any]) -> None:
        self._dsk = dsk
        self._maps: dict[str, dict[Any, set[Any]]] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(("dependencies", "dependents"))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, name: str) -> dict[Any, set[Any]]:
        if name not in ("dependencies", "dependents"):
            raise KeyError(name)
        if not self._maps:
            cg = compile_graph(self._dsk, list(self._dsk))
            keys = cg.keys
            deps = {keys[i]: {keys[d] for d in ds} for i, ds in enumerate(cg.deps)}
            users = {keys[i]: {keys[d] for d in ds} for i, ds in enumerate(cg.dependents)}
            self._maps = {"dependencies": deps, "dependents": users}
        return self._maps[name]


class Reporter:
    """Calls the hooks of ``callbacks`` for one compute of ``dsk`` on a cluster."""

    def __init__(self, dsk: Mapping[Any, Any], callbacks: list[Callback]) -> None:
        self.dsk = dsk
        self.callbacks = callbacks
        self.timers = [cb for cb in callbacks if getattr(cb, "task_times", False)]
        self.started: list[Callback] = []
        self.state = GraphState(dsk)
        self.since: dict[Any, float] = {}
        self.t0 = 0.0

    def start(self) -> None:
        """Call ``_start`` and ``_start_state``."""
        self.t0 = time.time()
        for cb in self.callbacks:
            cb._start(self.dsk)
            self.started.append(cb)
        for cb in self.callbacks:
            cb._start_state(self.dsk, self.state)

    def submitted(self, keys: Iterable[Any]) -> None:
        """Call ``_pretask`` for ``keys``, just submitted."""
        now = time.time()
        for key in keys:
            self.since[key] = now
            for cb in self.callbacks:
                cb._pretask(key, self.dsk, self.state)

    def finished(self, keys: Iterable[Any], result: Any = None) -> None:
        """Call ``_task_time`` (timers) and ``_posttask`` for ``keys``, seen finished."""
        now = time.time()
        for key in keys:
            start = self.since.pop(key, self.t0)
            for cb in self.timers:
                cb._task_time(key, self.dsk, start, now, None)
            for cb in self.callbacks:
                cb._posttask(key, result, self.dsk, self.state, None)

    def finish(self, errored: bool) -> None:
        """Call ``_finish`` of every callback whose ``_start`` ran."""
        for cb in self.started:
            cb._finish(self.dsk, self.state, errored)


def reporter(dsk: Mapping[Any, Any], extra: Any) -> Reporter | None:
    """A :class:`Reporter` for the active callbacks plus ``extra`` (``callbacks=``), or
    ``None`` when there is none.

    >>> reporter({}, None) is None
    True
    """
    callbacks = active_callbacks(extra)
    return Reporter(dsk, callbacks) if callbacks else None


@contextmanager
def reporting(rep: Reporter | None) -> Iterator[None]:
    """Run a compute between ``rep.start()`` and ``rep.finish(errored)`` (nothing if ``None``).

    >>> with reporting(None):
    ...     pass
    """
    if rep is None:
        yield
        return
    errored = True
    try:
        rep.start()
        yield
        errored = False
    finally:
        rep.finish(errored)
