"""Exception types raised by tessera.

Map
---
- :class:`TesseraError` -- common base of tessera's own errors.
- :class:`CycleError` -- the graph has a cycle; the message prints it (``a -> b -> a``).
- :class:`MissingDependencyError` -- a task refers to a key the graph does not hold.
- :class:`KeyNotInGraphError` -- a requested output key is not in the graph.
- :class:`WorkerDiedError` -- a worker process died while running a task.
- :class:`SerializationError` -- a task could not be sent to a worker process.
- :func:`add_task_note` -- attach "while computing task ..." to a user's exception.

Policy: user exceptions raised inside tasks are re-raised with their own type; tessera
only adds a note naming the task key. tessera's own errors say what was expected, what
was given and how to fix it.

>>> try:
...     raise ValueError("bad value")
... except ValueError as e:
...     add_task_note(e, ("x", 0))
...     e.__notes__
["while computing task ('x', 0)"]
"""

from __future__ import annotations

__all__ = [
    "CycleError",
    "KeyNotInGraphError",
    "MissingDependencyError",
    "RemoteError",
    "RemoteTraceback",
    "SerializationError",
    "TesseraError",
    "WorkerDiedError",
    "add_task_note",
]


class TesseraError(Exception):
    """Base class of the errors tessera raises on its own account.

    Errors built from structured arguments keep them in ``_init_args`` so they pickle
    (a worker process can send them back).

    >>> import pickle
    >>> issubclass(CycleError, TesseraError)
    True
    >>> str(pickle.loads(pickle.dumps(CycleError(["a", "a"])))) == str(CycleError(["a", "a"]))
    True
    """

    _init_args: tuple[object, ...] | None = None

    def __reduce__(self) -> str | tuple[object, ...]:
        if self._init_args is None:
            return super().__reduce__()
        return (type(self), self._init_args, self.__dict__)


class CycleError(TesseraError, RuntimeError):
    """The task graph contains a cycle.

    >>> str(CycleError(["a", "b", "a"]))
    "Cycle detected in the task graph: 'a' -> 'b' -> 'a'. A key cannot depend on itself..."
    """

    def __init__(self, cycle: list[object]) -> None:
        self.cycle = cycle
        path = " -> ".join(repr(k) for k in cycle)
        self._init_args = (cycle,)
        super().__init__(
            f"Cycle detected in the task graph: {path}. A key cannot depend on itself, "
            "directly or through other keys; rename one of the keys or remove the reference."
        )


class MissingDependencyError(TesseraError, KeyError):
    """A task refers to a key that is not in the graph.

    >>> print(MissingDependencyError(("x", 9), "c"))
    Task 'c' depends on key ('x', 9), which is not in the graph. Add ('x', 9) to the graph or
    fix the reference in 'c'.
    """

    def __init__(self, missing: object, needed_by: object) -> None:
        self.missing = missing
        self.needed_by = needed_by
        self._init_args = (missing, needed_by)
        super().__init__(
            f"Task {needed_by!r} depends on key {missing!r}, which is not in the graph. "
            f"Add {missing!r} to the graph or fix the reference in {needed_by!r}."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class KeyNotInGraphError(TesseraError, KeyError):
    """A key asked for is not in the graph.

    Parameters: the key, a few of the graph's keys, and how many keys the graph has.

    >>> str(KeyNotInGraphError("q", ["a", "b"], 2))
    "Key 'q' is not in the graph (2 keys, e.g. 'a', 'b'). Ask for one of the graph's keys."
    """

    def __init__(self, key: object, sample: list[object], total: int) -> None:
        self.key = key
        self._init_args = (key, sample, total)
        shown = ", ".join(repr(k) for k in sample[:3])
        more = ", ..." if total > 3 else ""
        size = f"{total} key" if total == 1 else f"{total} keys"
        super().__init__(
            f"Key {key!r} is not in the graph ({size}, e.g. {shown}{more}). "
            "Ask for one of the graph's keys."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class WorkerDiedError(TesseraError, RuntimeError):
    """A worker process died (killed, crashed or exited) while running tasks.

    >>> str(WorkerDiedError(["x"], -9)).splitlines()[0]
    "A worker process died (exit code -9) while running task 'x'."
    """

    def __init__(self, keys: list[object], exitcode: int | None, fresh: bool = False) -> None:
        self.keys = keys
        shown = ", ".join(repr(k) for k in keys[:5]) + (", ..." if len(keys) > 5 else "")
        what = "task" if len(keys) == 1 else "tasks"
        self._init_args = (keys, exitcode, fresh)
        hint = (
            "\nThe worker had not answered before: if this is a script using the 'spawn' or "
            "'forkserver' start method, the script needs the `if __name__ == '__main__':` guard."
            if fresh
            else ""
        )
        super().__init__(
            f"A worker process died (exit code {exitcode}) while running {what} {shown}.\n"
            "The task may have crashed the interpreter (segfault, os._exit, out of memory) or "
            "been killed. The pool was restarted; run the task with scheduler='sync' to debug it."
            + hint
        )


class SerializationError(TesseraError, TypeError):
    """A task or its data could not be pickled to send it to a worker process.

    >>> issubclass(SerializationError, TypeError)
    True
    """


def add_task_note(exc: BaseException, key: object) -> None:
    """Add a note naming the task ``key`` to ``exc`` (once), also on Python 3.10.

    >>> e = KeyError("k")
    >>> add_task_note(e, "a"); add_task_note(e, "a")
    >>> e.__notes__
    ["while computing task 'a'"]
    """
    note = f"while computing task {key!r}"
    notes = getattr(exc, "__notes__", None)
    if notes is not None and note in notes:
        return
    try:
        if hasattr(exc, "add_note"):
            exc.add_note(note)
        else:  # pragma: no cover - Python 3.10
            exc.__notes__ = [*(notes or []), note]  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - exotic exception types refusing attributes
        pass


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process, attached as ``__cause__``.

    >>> print(RemoteTraceback("Traceback ...\\nValueError: x"))
    <BLANKLINE>
    '''
    Traceback ...
    ValueError: x
    '''
    """

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return f"\n'''\n{self.tb.rstrip()}\n'''"


class RemoteError(TesseraError):
    """An exception from a worker process that could not be sent back as itself.

    >>> str(RemoteError("Boom", "cannot pickle"))
    'A task raised Boom, which could not be pickled to send it back: cannot pickle'
    """

    def __init__(self, type_name: str, message: str) -> None:
        self._init_args = (type_name, message)
        super().__init__(
            f"A task raised {type_name}, which could not be pickled to send it back: {message}"
        )
