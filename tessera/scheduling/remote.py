"""What runs on a cluster worker, and how its failures come back.

Map
---
- :class:`Step`, :func:`run_step` -- what a worker runs: compiled ops (one task, or a
  linear chain of them), fed with the values of their inputs.  The cluster engine
  resolves the inputs; the step evaluates tessera's task semantics itself, so no engine
  ever interprets tessera's task tuples (see ``docs/graph-spec.md``).
- :func:`local_error` -- turn an exception raised in a worker back into the user's own
  exception, with the worker's traceback as ``__cause__`` and the task key in a note.
- :func:`unpicklable_task` -- after an engine failed to send a graph: which task cannot
  be pickled, as a :class:`~tessera.errors.SerializationError` naming it.
- :func:`rerun_requested` -- whether a failed task is to be re-run in the caller.

Graphs are turned into steps by :mod:`tessera.scheduling.remote_plan` (which lifts
handles and large literals out of the tasks with :mod:`tessera.scheduling.remote_lift`).

Policy: a failing task raises the user's exception, noted with its key and carrying the
worker's formatted traceback; one that cannot be pickled becomes a
:class:`~tessera.errors.RemoteError`.

This module imports no cluster engine: both adapters (:mod:`tessera.scheduling.distributed`
and :mod:`tessera.scheduling.ray`) and their workers use it.

>>> from operator import add
>>> run_step(Step([0], [1, 2], [(2, add, (None, 10), ((0, 0),)), (2, abs, (None,), ((0, 1),))],
...               ["b", "c"]), -15)
5
"""

from __future__ import annotations

import contextlib
import pickle
import traceback
from collections.abc import Hashable, Sequence
from typing import Any

import cloudpickle

from tessera.errors import RemoteError, RemoteTraceback, SerializationError, add_task_note
from tessera.scheduling.graph import Op, run_op

__all__ = [
    "REMOTE_ATTR",
    "Step",
    "local_error",
    "rerun_requested",
    "run_step",
    "unpicklable_task",
]

Key = Hashable
#: Attribute of an exception raised by a step: ``(task key, formatted traceback)``.
REMOTE_ATTR = "__tessera_remote__"


class Step:
    """A chain of compiled tasks for one worker call: ``run_step(step, *input_values)``.

    ``inputs[k]`` is the store id of the ``k``-th argument; the links ``ids[j]`` run
    ``ops[j]`` in order and are named ``keys[j]``; the last link's value is the result.
    ``token`` identifies the step's content (set by an adapter that needs one).
    """

    __slots__ = ("ids", "inputs", "keys", "ops", "token")

    def __init__(self, inputs: list[int], ids: list[int], ops: list[Op], keys: list[Key]) -> None:
        self.inputs = inputs
        self.ids = ids
        self.ops = ops
        self.keys = keys
        self.token = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return _make_step, (self.inputs, self.ids, self.ops, self.keys, self.token)

    def __dask_tokenize__(self) -> str:
        """The token Dask uses for this object (so it never pickles a step to hash it)."""
        return self.token

    def __repr__(self) -> str:
        return f"Step({self.keys!r})"


def _make_step(
    inputs: list[int], ids: list[int], ops: list[Op], keys: list[Key], token: str
) -> Step:
    step = Step(inputs, ids, ops, keys)
    step.token = token
    return step


def run_step(step: Step, *values: Any) -> Any:
    """Run ``step`` on a worker: evaluate its links, return the last one's value.

    >>> from operator import add
    >>> run_step(Step([5], [0], [(2, add, (None, 1), ((0, 5),))], ["k"]), 41)
    42
    """
    store: dict[int, Any] = dict(zip(step.inputs, values, strict=True))
    prev = -1
    for key, i, op in zip(step.keys, step.ids, step.ops, strict=True):
        try:
            store[i] = run_op(op, store)
        except Exception as e:
            failure = _portable(e, key)
        else:
            if prev >= 0:
                del store[prev]
            prev = i
            continue
        raise failure  # outside the handler: no implicit __context__ to pickle
    return store[prev]


def _portable(exc: Exception, key: Key) -> Exception:
    """``exc`` noted with ``key`` and its traceback text, as something that pickles.

    The chained exceptions (``__cause__``, ``__context__``) are dropped: their text is in
    the traceback, and they may not pickle.
    """
    tb = traceback.format_exc()
    exc.__cause__ = exc.__context__ = None
    try:
        pickle.loads(cloudpickle.dumps(exc))
    except Exception:
        exc = RemoteError(type(exc).__name__, str(exc))
    add_task_note(exc, key)
    with contextlib.suppress(Exception):  # an exception type refusing attributes
        setattr(exc, REMOTE_ATTR, (key, tb))
    return exc


def local_error(exc: BaseException) -> tuple[BaseException, Key | None]:
    """Return the user's exception from a step's failure, and the failing task's key.

    The worker's traceback becomes ``__cause__`` (a :class:`~tessera.errors.RemoteTraceback`),
    as for process pools.  Exceptions that did not come from a step are returned as they
    are, with key ``None``.

    >>> e = ValueError("bad")
    >>> setattr(e, REMOTE_ATTR, ("x", "Traceback ..."))
    >>> err, key = local_error(e)
    >>> key, type(err.__cause__).__name__
    ('x', 'RemoteTraceback')
    """
    info = getattr(exc, "__dict__", {}).pop(REMOTE_ATTR, None)
    if info is None:
        return exc, None
    key, tb = info
    exc.__cause__ = RemoteTraceback(tb)
    return exc, key


def unpicklable_task(steps: Sequence[Step]) -> SerializationError | None:
    """Return an error naming the first task of ``steps`` that cannot be pickled, if any.

    >>> import threading
    >>> lock = threading.Lock()
    >>> err = unpicklable_task([Step([], [0], [(2, lambda: lock, (), ())], ["t"])])
    >>> type(err).__name__, err.__notes__
    ('SerializationError', ["while computing task 't'"])
    """
    for step in steps:
        for key, op in zip(step.keys, step.ops, strict=True):
            try:
                cloudpickle.dumps(op)
            except Exception as e:
                err = SerializationError(
                    f"Task {key!r} cannot be sent to the cluster: it could not be pickled "
                    f"({type(e).__name__}: {e}). Tasks that run on a cluster must pickle "
                    "(with cloudpickle): give them functions and data without locks, open "
                    "files or connections, or compute with scheduler='threads'."
                )
                add_task_note(err, key)
                return err
    return None


def rerun_requested(kwargs: dict[str, Any]) -> bool:
    """Whether to re-run a failed task locally: the keyword, else the configuration.

    >>> rerun_requested({"rerun_exceptions_locally": True}), rerun_requested({})
    (True, False)
    """
    rerun = kwargs.get("rerun_exceptions_locally")
    if rerun is None:
        from tessera import config

        rerun = config.get("rerun-exceptions-locally", False)
    return bool(rerun)
