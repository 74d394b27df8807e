"""Scheduler callbacks: hooks called as a compute starts, around each task, and at the end.

Map
---
- :class:`Callback` -- subclass it (override ``_start``, ``_start_state``, ``_pretask``,
  ``_posttask``, ``_finish``) or pass the hooks to its constructor; use it as a context
  manager or ``register()`` it globally.  Same names and signatures as Dask's
  ``dask.callbacks.Callback``, so existing diagnostics code ports over.
- :func:`active_callbacks` -- the callbacks that apply to a compute now.

Hooks run in the thread that called ``compute``: ``_start(dsk)`` and
``_start_state(dsk, state)`` once, ``_pretask(key, dsk, state)`` when a task is handed to
a worker, ``_posttask(key, result, dsk, state, worker_id)`` when its result is back,
``_finish(dsk, state, errored)`` once, also after a failure.  With no callback
active, the engine calls no hook at all.

A callback whose class sets ``task_times = True`` also gets
``_task_time(key, dsk, start_time, end_time, worker_id)`` for every task, right before
its ``_posttask``: ``time.time()`` seconds read in the worker around the task itself
(also in worker processes), so they exclude queueing.  Only then are tasks timed.

Order for one compute: ``_start``, ``_start_state``, then per task ``_pretask`` ...
``_task_time`` (if asked) and ``_posttask`` (a task's ``_posttask`` comes after those of
its dependencies), and ``_finish`` last.

>>> from operator import add
>>> from tessera.scheduling import synchronous
>>> seen = []
>>> with Callback(posttask=lambda key, result, dsk, state, worker: seen.append(key)):
...     synchronous.get({"a": 1, "b": (add, "a", 1)}, "b")
2
>>> seen
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, ClassVar

__all__ = ["Callback", "active_callbacks"]


class Callback:
    """Base class for scheduler callbacks.

    Parameters
    ----------
    start, start_state, pretask, posttask, finish : callable, optional
        Hooks with the signatures of the methods ``_start(dsk)``,
        ``_start_state(dsk, state)``, ``_pretask(key, dsk, state)``,
        ``_posttask(key, result, dsk, state, worker_id)`` and
        ``_finish(dsk, state, errored)``.

    Examples
    --------
    >>> class Count(Callback):
    ...     def _start(self, dsk):
    ...         self.n = 0
    ...     def _posttask(self, key, result, dsk, state, worker_id):
    ...         self.n += 1
    >>> from tessera.scheduling import threaded
    >>> with Count() as c:
    ...     threaded.get({"a": 1, "b": (abs, "a")}, "b")
    1
    >>> c.n
    2
    """

    active: ClassVar[set[Callback]] = set()
    #: Set to ``True`` in a subclass to receive worker-side times in :meth:`_task_time`.
    task_times: ClassVar[bool] = False

    def __init__(
        self,
        start: Callable[..., Any] | None = None,
        start_state: Callable[..., Any] | None = None,
        pretask: Callable[..., Any] | None = None,
        posttask: Callable[..., Any] | None = None,
        finish: Callable[..., Any] | None = None,
    ) -> None:
        hooks = {
            "_start": start,
            "_start_state": start_state,
            "_pretask": pretask,
            "_posttask": posttask,
            "_finish": finish,
        }
        for name, hook in hooks.items():
            if hook is not None:
                if not callable(hook):
                    raise TypeError(
                        f"Callback hook {name[1:]!r} must be callable, got "
                        f"{type(hook).__name__}: {hook!r}."
                    )
                setattr(self, name, hook)

    def _start(self, dsk: Mapping[Any, Any]) -> None:
        """Called once, before the graph is run."""

    def _start_state(self, dsk: Mapping[Any, Any], state: Any) -> None:
        """Called once, with the scheduler state, before the first task."""

    def _pretask(self, key: Any, dsk: Mapping[Any, Any], state: Any) -> None:
        """Called when the task ``key`` is handed to a worker."""

    def _posttask(
        self, key: Any, result: Any, dsk: Mapping[Any, Any], state: Any, worker_id: Any
    ) -> None:
        """Called when the task ``key`` has finished with ``result``."""

    def _task_time(
        self,
        key: Any,
        dsk: Mapping[Any, Any],
        start_time: float,
        end_time: float,
        worker_id: Any,
    ) -> None:
        """Called before ``_posttask`` with the task's worker-side ``time.time()`` times.

        Only for callbacks whose class sets ``task_times = True``.

        >>> class Times(Callback):
        ...     task_times = True
        ...     def _start(self, dsk):
        ...         self.spans = {}
        ...     def _task_time(self, key, dsk, start_time, end_time, worker_id):
        ...         self.spans[key] = end_time - start_time
        >>> from tessera.scheduling import threaded
        >>> with Times() as t:
        ...     threaded.get({"a": 1, "b": (abs, "a")}, "b")
        1
        >>> sorted(t.spans), all(s >= 0 for s in t.spans.values())
        (['a', 'b'], True)
        """

    def _finish(self, dsk: Mapping[Any, Any], state: Any, errored: bool) -> None:
        """Called once at the end, ``errored`` telling whether the compute failed."""

    def __enter__(self) -> Callback:
        self.register()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.unregister()

    def register(self) -> None:
        """Make this callback apply to every compute until :meth:`unregister`.

        >>> cb = Callback(); cb.register(); cb in Callback.active
        True
        >>> cb.unregister(); cb in Callback.active
        False
        """
        Callback.active.add(self)

    def unregister(self) -> None:
        """Stop applying this callback (no error if it was not registered)."""
        Callback.active.discard(self)


def active_callbacks(extra: Iterable[Callback] | Callback | None = None) -> list[Callback]:
    """Return the registered callbacks plus ``extra`` (one callback or several).

    >>> active_callbacks() == []
    True
    >>> len(active_callbacks([Callback(), Callback()]))
    2
    """
    out = list(Callback.active) if Callback.active else []
    if extra is not None:
        items = [extra] if isinstance(extra, Callback) else list(extra)
        for cb in items:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be tessera.callbacks.Callback instances, got "
                    f"{type(cb).__name__}. Wrap plain functions: Callback(posttask=f)."
                )
            if cb not in out:
                out.append(cb)
    return out
