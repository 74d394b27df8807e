"""Bytes that cross process boundaries: batches out, outcomes back.

Map
---
- :func:`pack_batch` / :func:`unpack_batch` -- a batch and its input values, pickled with
  cloudpickle (functions by value when needed: lambdas, closures, ``__main__``) at
  pickle protocol 5.
- :func:`pack_outcome` / :func:`unpack_outcome` -- results and failures.  An exception
  comes back as its own type with the worker's traceback as ``__cause__``; one that
  cannot be pickled becomes a :class:`~tessera.errors.RemoteError` with its type name and
  message; a result that cannot be pickled becomes a failure naming the task.

>>> from tessera.scheduling.batch import Batch
>>> b, store = unpack_batch(pack_batch(Batch([0], [(0, 42, None, None)], [False]), {}))
>>> b.ids, b.ops, store
([0], [(0, 42, None, None)], {})
"""

from __future__ import annotations

import pickle
import traceback
from typing import Any

import cloudpickle

from tessera.errors import RemoteError, RemoteTraceback, SerializationError
from tessera.scheduling.batch import Batch, Outcome, TaskFailure

__all__ = ["pack_batch", "pack_outcome", "unpack_batch", "unpack_outcome"]

PROTOCOL = 5


class BatchPicklingError(SerializationError):
    """A batch could not be pickled; ``position`` is the offending task (or -1: inputs)."""

    def __init__(self, position: int, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.position = position
        self.cause = cause


def pack_batch(batch: Batch, store: dict[int, Any]) -> bytes:
    """Pickle ``batch`` and its inputs; raise :class:`BatchPicklingError` if impossible."""
    try:
        data: bytes = cloudpickle.dumps((batch, store), protocol=PROTOCOL)
        return data
    except Exception as e:
        for pos, op in enumerate(batch.ops):
            try:
                cloudpickle.dumps(op, protocol=PROTOCOL)
            except Exception as op_error:
                raise BatchPicklingError(pos, op_error) from op_error
        raise BatchPicklingError(-1, e) from e


def unpack_batch(data: bytes) -> tuple[Batch, dict[int, Any]]:
    """Inverse of :func:`pack_batch`."""
    batch, store = pickle.loads(data)
    return batch, store


def _portable_failure(failure: TaskFailure) -> TaskFailure:
    try:
        cloudpickle.dumps(failure.exc, protocol=PROTOCOL)
        pickle.loads(cloudpickle.dumps(failure.exc, protocol=PROTOCOL))
        exc: BaseException = failure.exc
    except Exception:
        exc = RemoteError(type(failure.exc).__name__, str(failure.exc))
    exc.__traceback__ = None
    exc.__context__ = None
    exc.__cause__ = None
    return TaskFailure(failure.position, exc, failure.traceback)


def pack_outcome(out: Outcome) -> bytes:
    """Pickle ``out`` for the trip back to the parent, never failing."""
    if out.failure is not None:
        out.failure = _portable_failure(out.failure)
    try:
        data: bytes = cloudpickle.dumps(out, protocol=PROTOCOL)
        return data
    except Exception as e:
        bad = SerializationError(
            f"A task's result could not be pickled to send it back from the worker "
            f"process ({type(e).__name__}: {e}). Return plain data from tasks, or use "
            "scheduler='threads'."
        )
        fail = TaskFailure(max(out.done - 1, 0), bad, traceback.format_exc())
        replacement = Outcome(out.number, None, fail, out.seconds, out.worker, out.done)
        data = cloudpickle.dumps(replacement, protocol=PROTOCOL)
        return data


def unpack_outcome(data: bytes) -> Outcome:
    """Inverse of :func:`pack_outcome`, attaching the worker's traceback to an exception.

    >>> from tessera.scheduling.batch import Outcome, TaskFailure
    >>> failed = Outcome(3, None, TaskFailure(0, ValueError("x"), "tb"), 0.0, 1, 0)
    >>> out = unpack_outcome(pack_outcome(failed))
    >>> type(out.failure.exc), type(out.failure.exc.__cause__)
    (<class 'ValueError'>, <class 'tessera.errors.RemoteTraceback'>)
    """
    out: Outcome = pickle.loads(data)
    if out.failure is not None and out.failure.traceback:
        out.failure.exc.__cause__ = RemoteTraceback(out.failure.traceback)
    return out


def serve(data: bytes) -> bytes:
    """Run one pickled batch and return the pickled outcome (the worker's whole job)."""
    from tessera.scheduling.batch import run_batch

    try:
        batch, store = unpack_batch(data)
    except BaseException as e:
        failure = TaskFailure(0, e, traceback.format_exc())
        return pack_outcome(Outcome(-1, None, failure, 0.0, 0, 0))
    return pack_outcome(run_batch(batch, store))
