"""Graphs for a cluster engine: tessera's tasks as cluster tasks, and what runs on a worker.

Map
---
- :func:`plan` -- compile a graph for a cluster: one :class:`Unit` per linear chain of
  tasks (a chain is ``a -> b -> c`` where each link is used only by the next one, as the
  local engine batches them), in tessera's static order, with the values a worker must
  not receive inline *lifted* out of the tasks: handles to data already on the cluster
  (a ``distributed.Future``, a Ray ``ObjectRef``) and literals of at least
  ``threshold`` bytes (shipped once, by reference, instead of inside every task).
- :class:`Step`, :func:`run_step` -- what a worker runs: the chain's compiled ops, fed
  with the values of its inputs.  The cluster engine resolves the inputs; the step
  evaluates tessera's task semantics itself, so no engine ever interprets tessera's task
  tuples (see ``docs/graph-spec.md``).
- :func:`local_error` -- turn an exception raised in a worker back into the user's own
  exception, with the worker's traceback as ``__cause__`` and the task key in a note.
- :func:`unpicklable_task` -- after an engine failed to send a graph: which task cannot
  be pickled, as a :class:`~tessera.errors.SerializationError` naming it.

Policy: a failing task raises the user's exception, noted with its key and carrying the
worker's formatted traceback; one that cannot be pickled becomes a
:class:`~tessera.errors.RemoteError`.  Only results of requested keys, of keys used by
several tasks and of chain ends leave a worker.

This module imports no cluster engine: both adapters (:mod:`tessera.scheduling.distributed`
and :mod:`tessera.scheduling.ray`) and their workers use it.

>>> from operator import add
>>> p = plan({"a": 1, "b": (add, "a", 10), "c": (add, "b", 1)}, ["c"], lambda x: False)
>>> len(p.units), p.units[0].step
(1, Step(['a', 'b', 'c']))
>>> run_step(p.units[0].step)
12
"""

from __future__ import annotations

import contextlib
import operator
import pickle
import sys
import traceback
import types
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cloudpickle

from tessera.errors import RemoteError, RemoteTraceback, SerializationError, add_task_note
from tessera.scheduling.graph import (
    ALIAS,
    CALL,
    NESTED,
    VALUE,
    CompiledGraph,
    Op,
    Ref,
    _Call,
    compile_graph,
    run_op,
)
from tessera.scheduling.optimize import Chain
from tessera.scheduling.order import order

__all__ = [
    "Plan",
    "Step",
    "Unit",
    "approx_nbytes",
    "local_error",
    "plan",
    "run_step",
    "unpicklable_task",
]

Key = Hashable
#: Attribute of an exception raised by a step: ``(task key, formatted traceback)``.
REMOTE_ATTR = "__tessera_remote__"
_SMALL = (int, float, bool, complex, type(None), Ref, slice, range, type)
_CODE = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)


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


def approx_nbytes(x: object) -> int:
    """Estimate the bytes ``x`` holds, cheaply: ``nbytes`` if it has one, else ``getsizeof``.

    >>> approx_nbytes(b"abc") >= 3, approx_nbytes(7) < 100
    (True, True)
    """
    n = getattr(x, "nbytes", None)
    if isinstance(n, int):
        return n
    try:
        return sys.getsizeof(x)
    except Exception:  # pragma: no cover - a broken __sizeof__
        return 0


@dataclass
class Unit:
    """One cluster task: a :class:`Step` and where each of its inputs comes from.

    ``args[k]`` feeds ``step.inputs[k]``: ``u >= 0`` is the result of unit ``u``;
    ``-j - 1`` is ``Plan.lifted[j]``.  ``rank`` is the step's place in tessera's order.
    """

    step: Step
    args: list[int]
    rank: int


@dataclass
class Plan:
    """A graph prepared for a cluster: units in submission order, lifted values, outputs.

    ``outputs[k]`` says where the ``k``-th requested key's value is, in the encoding of
    :attr:`Unit.args`; ``remote[j]`` tells whether ``lifted[j]`` is already on the
    cluster (a handle) or a large literal to upload; ``dependents[u]`` is how many units
    take unit ``u``'s result.
    """

    units: list[Unit]
    lifted: list[Any]
    remote: list[bool]
    outputs: list[int]
    dependents: list[int]


class _Lifter:
    """Replace lifted values in compiled ops by references to negative store ids."""

    def __init__(self, is_remote: Callable[[object], bool], threshold: int) -> None:
        self.is_remote = is_remote
        self.threshold = threshold
        self.lifted: list[Any] = []
        self.remote: list[bool] = []
        self.index: dict[int, int] = {}  # id(object) -> index in lifted
        self.local: dict[int, int] = {}  # index in lifted -> store id, for the current step
        self.used: list[int] = []  # store ids of lifted values, in order of use

    def new_step(self) -> None:
        self.local = {}

    def lift(self, j: int) -> int:
        sid = self.local.get(j)
        if sid is None:
            sid = self.local[j] = -len(self.local) - 1
        self.used.append(sid)
        return sid

    def add(self, x: object, remote: bool) -> int:
        j = self.index.get(id(x))
        if j is None:
            j = self.index[id(x)] = len(self.lifted)
            self.lifted.append(x)
            self.remote.append(remote)
        return j

    def leaf(self, x: Any) -> Ref | None:
        t = type(x)
        if t in _SMALL or isinstance(x, _CODE):
            return None
        if self.is_remote(x):
            return Ref(self.lift(self.add(x, True)))
        if t is str or t is bytes:
            big = len(x) >= self.threshold
        else:
            big = approx_nbytes(x) >= self.threshold
        return Ref(self.lift(self.add(x, False))) if big else None

    def node(self, x: Any) -> Any:
        t = type(x)
        if t is _Call:
            func, extra = self.func(x.func)
            args = [self.node(a) for a in x.args] + extra
            if not extra and func is x.func and all(map(operator.is_, args, x.args)):
                return x
            return _Call(func, args)
        if t is list:
            items = [self.node(a) for a in x]
            return x if all(map(operator.is_, items, x)) else items
        if t is Ref:
            return x
        r = self.leaf(x)
        return x if r is None else r

    def func(self, f: Any) -> tuple[Any, list[Ref]]:
        """Lift inside a fused :class:`~tessera.scheduling.optimize.Chain`; extra arguments."""
        if type(f) is not Chain:
            return f, []
        start = len(self.used)
        ops = [self.op(o) for o in f.ops]
        sids = list(dict.fromkeys(self.used[start:]))
        if not sids:
            return f, []
        return Chain([*f.inputs, *sids], f.ids, ops), [Ref(s) for s in sids]

    def op(self, op: Op) -> Op:
        kind = op[0]
        if kind == VALUE:
            new = self.node(op[1])
            if new is op[1]:
                return op
            if type(new) is Ref:
                return (ALIAS, new.i, None, None)
            return (NESTED, new, None, None)
        if kind == NESTED:
            new = self.node(op[1])
            return op if new is op[1] else (NESTED, new, None, None)
        if kind == CALL:
            return self.call(op)
        return op

    def call(self, op: Op) -> Op:
        func, extra = self.func(op[1])
        args = list(op[2])
        refs = list(op[3])
        taken = {pos for pos, _ in refs}
        for pos, a in enumerate(args):
            if pos not in taken:
                r = self.leaf(a)
                if r is not None:
                    args[pos] = None
                    refs.append((pos, r.i))
        for r in extra:
            refs.append((len(args), r.i))
            args.append(None)
        if func is op[1] and len(refs) == len(op[3]):
            return op
        return (CALL, func, tuple(args), tuple(refs))


def _chains(cg: CompiledGraph, ordering: list[int], external: set[int]) -> list[list[int]]:
    """Split the tasks (not the external handles) into maximal linear chains, in order."""
    outputs = set(cg.outputs)
    deps, dependents = cg.deps, cg.dependents

    def links(i: int) -> bool:
        ds = dependents[i]
        return len(ds) == 1 and len(deps[ds[0]]) == 1 and i not in outputs and i not in external

    chains = []
    for i in ordering:
        if i in external or (len(deps[i]) == 1 and links(deps[i][0])):
            continue  # a handle, or the inside of a chain
        chain = [i]
        while links(chain[-1]):
            chain.append(dependents[chain[-1]][0])
        chains.append(chain)
    return chains


def plan(
    dsk: Mapping[Any, Any],
    keys: Sequence[Key],
    is_remote: Callable[[object], bool],
    threshold: int = 100_000,
) -> Plan:
    """Prepare ``keys`` of ``dsk`` for a cluster (see the module docstring).

    Parameters
    ----------
    dsk : mapping
        The task graph.
    keys : sequence
        The requested keys (flat).
    is_remote : callable
        Whether a value is a handle to data already on the cluster.
    threshold : int
        Literals of at least this many bytes are lifted to be uploaded once.

    Examples
    --------
    >>> p = plan({"big": b"x" * 10, "n": (len, "big")}, ["n"], lambda x: False, threshold=5)
    >>> p.lifted, p.remote, [u.args for u in p.units]
    ([b'xxxxxxxxxx'], [False], [[-1]])
    """
    if not isinstance(dsk, Mapping):
        raise TypeError(
            f"A task graph must be a mapping of keys to tasks, got {type(dsk).__name__}. "
            "Example: {'a': 1, 'b': (add, 'a', 1)}."
        )
    cg = compile_graph(dsk, keys)
    ordering = order(cg)
    rank = [0] * len(cg)
    for r, i in enumerate(ordering):
        rank[i] = r
    lifter = _Lifter(is_remote, threshold)
    where: dict[int, int] = {}  # task id -> its place, encoded as in Unit.args
    for i, op in enumerate(cg.ops):
        if op[0] == VALUE and is_remote(op[1]):
            where[i] = -lifter.add(op[1], True) - 1
    units: list[Unit] = []
    for chain in _chains(cg, ordering, set(where)):
        lifter.new_step()
        ops = [lifter.op(cg.ops[i]) for i in chain]
        inputs = list(cg.deps[chain[0]])
        args = [where[d] for d in inputs]
        negs = sorted(lifter.local.items(), key=lambda item: -item[1])
        inputs += [sid for _, sid in negs]
        args += [-j - 1 for j, _ in negs]
        step = Step(inputs, chain, ops, [cg.keys[i] for i in chain])
        where[chain[-1]] = len(units)
        units.append(Unit(step, args, rank[chain[0]]))
    dependents = [0] * len(units)
    for u in units:
        for a in set(u.args):
            if a >= 0:
                dependents[a] += 1
    outputs = [where[o] for o in cg.outputs]
    return Plan(units, lifter.lifted, lifter.remote, outputs, dependents)
