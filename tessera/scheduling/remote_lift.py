"""Lifting values out of compiled tasks before they go to a cluster.

Map
---
- :class:`Lifter` -- rewrite compiled ops so that the values a worker must not receive
  inline become references to the current step's inputs (negative store ids): handles to
  data already on the cluster (a ``distributed.Future``, a Ray ``ObjectRef``) and
  literals of at least ``threshold`` bytes, also where they sit deep inside a task's
  arguments (in tuples, lists, dicts, ``functools.partial`` arguments and keywords, and
  the links of a fused :class:`~tessera.scheduling.optimize.Chain`).
- :func:`make_tuple`, :func:`make_dict`, :func:`make_partial`, :func:`call` -- what a
  worker runs to rebuild a container around its lifted parts.

Policy: each distinct object is lifted once (by identity), however many tasks use it.
A container whose parts are all small but add up to ``threshold`` bytes is lifted as a
whole; one holding a lifted part is rebuilt on the worker from its parts, with the same
types (plain ``tuple``, ``list``, ``dict`` and ``functools.partial``; subclasses are
leaves, sized by ``nbytes`` or ``sys.getsizeof``).  Containers are rebuilt only when
something inside them was lifted, so ordinary tasks go out unchanged.

>>> from functools import partial
>>> lift = Lifter(lambda x: False, threshold=200)
>>> big = b"x" * 300
>>> op = lift.op((2, partial(len, big), (), ()))   # a CALL op
>>> lift.lifted == [big], op[0]                    # NESTED: rebuilds the partial
(True, 3)
"""

from __future__ import annotations

import functools
import operator
import sys
import types
from collections.abc import Callable
from typing import Any

from tessera.scheduling.graph import ALIAS, CALL, NESTED, VALUE, Op, Ref, _Call
from tessera.scheduling.optimize import Chain

__all__ = ["Lifter", "approx_nbytes", "call", "make_dict", "make_partial", "make_tuple"]

_SMALL = (int, float, bool, complex, type(None), Ref, slice, range, type)
_CODE = (types.FunctionType, types.BuiltinFunctionType, types.MethodType)
#: Result of :meth:`Lifter.scan` for something unchanged that holds compiled references.
_HOLDS_REFS = (None, None)


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


def make_tuple(*items: Any) -> tuple[Any, ...]:
    """Rebuild a tuple on a worker.

    >>> make_tuple(1, [2])
    (1, [2])
    """
    return items


def make_dict(keys: tuple[Any, ...], *values: Any) -> dict[Any, Any]:
    """Rebuild a dict on a worker.

    >>> make_dict(("a", "b"), 1, 2)
    {'a': 1, 'b': 2}
    """
    return dict(zip(keys, values, strict=True))


def make_partial(
    func: Callable[..., Any], args: tuple[Any, ...], keywords: dict[str, Any]
) -> functools.partial[Any]:
    """Rebuild a ``functools.partial`` on a worker.

    >>> make_partial(int, ("11",), {"base": 2})()
    3
    """
    return functools.partial(func, *args, **keywords)


def call(func: Callable[..., Any], *args: Any) -> Any:
    """Call a function that was itself rebuilt on the worker.

    >>> call(abs, -3)
    3
    """
    return func(*args)


class Lifter:
    """Replace lifted values in compiled ops by references to negative store ids.

    ``lifted[j]`` is the ``j``-th lifted value and ``remote[j]`` whether it is a handle;
    ``local`` maps the lifted values used by the current step (since :meth:`new_step`)
    to their store ids.
    """

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

    def add(self, x: object, remote: bool) -> int:
        """Return the index of ``x`` in :attr:`lifted`, adding it if new."""
        j = self.index.get(id(x))
        if j is None:
            j = self.index[id(x)] = len(self.lifted)
            self.lifted.append(x)
            self.remote.append(remote)
        return j

    def _ref(self, x: object, remote: bool) -> Ref:
        j = self.add(x, remote)
        sid = self.local.get(j)
        if sid is None:
            sid = self.local[j] = -len(self.local) - 1
        self.used.append(sid)
        return Ref(sid)

    def scan(self, x: Any) -> tuple[Any, int | None]:
        """Return ``(replacement, size)`` for a node of a compiled task.

        ``replacement`` is ``None`` when ``x`` stays as it is; ``size`` is its literal
        bytes, or ``None`` when it holds compiled references (it cannot be lifted whole).
        """
        t = type(x)
        if t in _SMALL or isinstance(x, _CODE):
            return (None, None) if t is Ref else (None, 0)
        if t is _Call:
            return self._call(x), None
        if t is list or t is tuple:
            parts = list(x)
        elif t is dict:
            parts = list(x.values())
        elif t is functools.partial:
            parts = [x.func, x.args, x.keywords]
        else:
            if self.is_remote(x):
                return self._ref(x, True), 0
            n = len(x) if t is str or t is bytes else approx_nbytes(x)
            return (self._ref(x, False), 0) if n >= self.threshold else (None, n)
        new: list[Any] = []
        size: int | None = sys.getsizeof(x)
        for part in parts:
            node, part_size = self.scan(part)
            new.append(part if node is None else node)
            size = None if size is None or part_size is None else size + part_size
        if any(map(operator.is_not, new, parts)):
            return _rebuild(x, new), None
        if size is not None and size >= self.threshold:
            return self._ref(x, False), 0
        return None, size

    def _node(self, x: Any) -> Any:
        new, _ = self.scan(x)
        return x if new is None else new

    def _call(self, x: _Call) -> _Call | None:
        func, extra = self.callee(x.func)
        args = [self._node(a) for a in x.args] + extra
        if func is x.func and not extra and all(map(operator.is_, args, x.args)):
            return None
        return _invoke(func, args)

    def callee(self, f: Any) -> tuple[Any, list[Ref]]:
        """The function of a task, lifted: a callable or a node; extra arguments.

        Lifting inside a fused :class:`~tessera.scheduling.optimize.Chain` adds the lifted
        values as extra inputs of the chain.
        """
        if type(f) is not Chain:
            return self._node(f), []
        start = len(self.used)
        ops = [self.op(o) for o in f.ops]
        sids = list(dict.fromkeys(self.used[start:]))
        if not sids:
            return f, []
        return Chain([*f.inputs, *sids], f.ids, ops), [Ref(s) for s in sids]

    def op(self, op: Op) -> Op:
        """Return ``op`` with its lifted values replaced (``op`` itself when none is)."""
        kind = op[0]
        if kind in (VALUE, NESTED):
            new, _ = self.scan(op[1])
            if new is None:
                return op
            if type(new) is Ref:
                return (ALIAS, new.i, None, None)
            return (NESTED, new, None, None)
        if kind == CALL:
            return self._call_op(op)
        return op

    def _call_op(self, op: Op) -> Op:
        func, extra = self.callee(op[1])
        args = list(op[2])
        refs = dict(op[3])
        flat = type(func) is not _Call and type(func) is not Ref
        for pos, a in enumerate(args):
            if pos not in refs:
                node = self._node(a)
                if node is not a:
                    args[pos] = node
                    flat = flat and type(node) is Ref
        if flat:
            if func is op[1] and not extra and all(map(operator.is_, args, op[2])):
                return op
            moved = [(pos, a.i) for pos, a in enumerate(args) if type(a) is Ref]
            args = [None if type(a) is Ref else a for a in args]
            moved += [(len(args) + k, r.i) for k, r in enumerate(extra)]
            return (CALL, func, (*args, *[None] * len(extra)), (*op[3], *moved))
        for pos, i in refs.items():
            args[pos] = Ref(i)
        return (NESTED, _invoke(func, args + extra), None, None)


def _invoke(func: Any, args: list[Any]) -> _Call:
    """A compiled call of ``func`` (a callable, or a node that evaluates to one)."""
    if type(func) is _Call or type(func) is Ref:
        return _Call(call, [func, *args])
    return _Call(func, args)


def _rebuild(x: Any, parts: list[Any]) -> Any:
    """A node that evaluates to a copy of the container ``x`` made of ``parts``."""
    t = type(x)
    if t is list:
        return parts
    if t is tuple:
        return _Call(make_tuple, parts)
    if t is dict:
        return _Call(make_dict, [tuple(x), *parts])
    return _Call(make_partial, parts)
