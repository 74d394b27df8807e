"""The task-graph spec: keys, tasks, references, and their compiled form.

Map
---
- :func:`iskey`, :func:`istask` -- what is a key, what is a task (see ``docs/graph-spec.md``).
- :func:`get_dependencies`, :func:`toposort`, :func:`cull`, :func:`validate` -- graph tools.
- :func:`compile_graph` -- turn a graph and the requested keys into a :class:`CompiledGraph`:
  only the keys the requested ones need, numbered ``0..n-1``, with dependency and
  dependent arrays and each task turned into an :data:`Op` that :func:`run_op` evaluates.

The rules, written once:

- A **key** is a ``str``, ``bytes``, ``int`` or ``float``, or a tuple of keys
  (``("x", 0, 1)``).  ``bool`` is not a key.
- A **task** is a tuple whose first item is callable: ``(func, arg1, arg2, ...)``.
- In a task's arguments, an argument that is a key present in the graph is a
  **reference** and is replaced by that key's value; a **list** is walked item by item;
  a nested **task** is evaluated first.  Everything else (including tuples that are not
  keys of the graph, and dict values) is passed as it is.
- A value that is not a task is data; a value that is itself a key of the graph is an
  alias of that key.

Compiled form: an :data:`Op` is a 4-tuple ``(kind, a, b, c)``: ``(VALUE, value, _, _)``,
``(ALIAS, dep_id, _, _)``, ``(CALL, func, args, refs)`` for a flat call whose
references sit at the positions in ``refs`` (pairs ``(position, dep_id)``), and
``(NESTED, tree, _, _)`` for anything with lists or nested tasks. Evaluating an op
reads dependency values from any ``store`` indexable by id (a list or a dict).

>>> from operator import add
>>> dsk = {"a": 1, "b": 2, "c": (add, "a", "b"), "d": (sum, ["a", "b", "c"])}
>>> sorted(get_dependencies(dsk, "d"))
['a', 'b', 'c']
>>> toposort(dsk)
['a', 'b', 'c', 'd']
>>> cull(dsk, "c") == {"a": 1, "b": 2, "c": (add, "a", "b")}
True
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from tessera.errors import KeyNotInGraphError, MissingDependencyError

__all__ = [
    "ALIAS",
    "CALL",
    "NESTED",
    "VALUE",
    "CompiledGraph",
    "Ref",
    "compile_graph",
    "cull",
    "flatten_keys",
    "gc_paused",
    "get_dependencies",
    "iskey",
    "istask",
    "run_op",
    "toposort",
    "validate",
]

Key = Hashable
Graph = Mapping[Any, Any]
Op = tuple[int, Any, Any, Any]

VALUE, ALIAS, CALL, NESTED = 0, 1, 2, 3
_ATOMIC_KEY_TYPES = (str, bytes, int, float)


def iskey(x: object) -> bool:
    """Return whether ``x`` has the form of a key.

    >>> iskey("x"), iskey(("x", 0, 1)), iskey(3), iskey(True), iskey(["x"])
    (True, True, True, False, False)
    """
    t = type(x)
    if t is tuple:
        return all(iskey(i) for i in x)  # type: ignore[attr-defined]
    return t in _ATOMIC_KEY_TYPES


def istask(x: object) -> bool:
    """Return whether ``x`` is a task: a tuple whose first item is callable.

    >>> from operator import add
    >>> istask((add, 1, 2)), istask(("x", 0)), istask(add)
    (True, False, False)
    """
    return type(x) is tuple and bool(x) and callable(x[0])


def _is_ref(x: object, dsk: Graph) -> bool:
    t = type(x)
    if t is str or t is tuple or t in _ATOMIC_KEY_TYPES:
        try:
            return x in dsk
        except TypeError:  # a tuple holding something unhashable
            return False
    return False


class Ref:
    """A compiled reference to the value of task ``i``.

    >>> Ref(3)
    Ref(3)
    """

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i

    def __repr__(self) -> str:
        return f"Ref({self.i})"

    def __reduce__(self) -> tuple[type[Ref], tuple[int]]:
        return Ref, (self.i,)


class _Call:
    """A compiled nested task: ``func(*args)`` with compiled ``args``."""

    __slots__ = ("args", "func")

    def __init__(self, func: Callable[..., Any], args: list[Any]) -> None:
        self.func = func
        self.args = args

    def __reduce__(self) -> tuple[type[_Call], tuple[Any, list[Any]]]:
        return _Call, (self.func, self.args)


def _walk_refs(x: object, dsk: Graph, out: list[Any]) -> None:
    """Append to ``out`` every key that ``x`` (a task argument or value) references."""
    t = type(x)
    if t is tuple and x and callable(x[0]):  # type: ignore[index]
        for a in x[1:]:  # type: ignore[index]
            _walk_refs(a, dsk, out)
    elif t is list:
        for a in x:  # type: ignore[attr-defined]
            _walk_refs(a, dsk, out)
    elif _is_ref(x, dsk):
        out.append(x)


def get_dependencies(dsk: Graph, key: Key) -> set[Key]:
    """Return the keys that the task at ``key`` refers to.

    >>> from operator import add
    >>> sorted(get_dependencies({"a": 1, "b": (add, "a", [("x", 1)]), ("x", 1): 2}, "b"), key=str)
    [('x', 1), 'a']
    """
    if key not in dsk:
        raise KeyNotInGraphError(key, list(islice(dsk, 3)), len(dsk))
    out: list[Any] = []
    _walk_refs(dsk[key], dsk, out)
    return set(out)


def validate(dsk: Graph) -> None:
    """Check a graph: keys have key form, no cycles, no dangling chunk references.

    Raises
    ------
    TypeError
        A key is not a key (e.g. a list).
    CycleError
        The graph has a cycle; the message prints it.
    MissingDependencyError
        A task refers to ``(name, i, ...)`` where other ``(name, ...)`` keys exist but
        this one does not (a wrong chunk index, say).

    >>> validate({"a": (len, "b"), "b": (len, "a")})
    Traceback (most recent call last):
    ...
    tessera.errors.CycleError: Cycle detected in the task graph: 'a' -> 'b' -> 'a'. ...
    """
    for k in dsk:
        if not iskey(k):
            raise TypeError(
                f"Graph key {k!r} of type {type(k).__name__} is not a key. Keys are str, "
                "bytes, int, float, or tuples of those, such as ('x', 0)."
            )
    from tessera.scheduling.order import order

    order(compile_graph(dsk, list(dsk)))


def toposort(dsk: Graph) -> list[Key]:
    """Return the keys of ``dsk``, every key after all the keys it depends on.

    The order is tessera's static execution order (see :mod:`tessera.scheduling.order`).

    >>> from operator import add
    >>> toposort({"c": (add, "a", "b"), "a": 1, "b": 2})
    ['a', 'b', 'c']
    """
    from tessera.scheduling.order import order

    cg = compile_graph(dsk, list(dsk))
    return [cg.keys[i] for i in order(cg)]


def cull(dsk: Graph, keys: object) -> dict[Key, Any]:
    """Return the part of ``dsk`` needed to compute ``keys`` (a key or nested list of keys).

    >>> cull({"a": 1, "b": (abs, "a"), "c": 3}, ["b"])
    {'b': (<built-in function abs>, 'a'), 'a': 1}
    """
    cg = compile_graph(dsk, flatten_keys(keys))
    return {k: dsk[k] for k in cg.keys}


def flatten_keys(keys: object) -> list[Key]:
    """Flatten a key or a nested list of keys into a list of keys.

    >>> flatten_keys([["a", ("x", 0)], "b"])
    ['a', ('x', 0), 'b']
    >>> flatten_keys("a")
    ['a']
    """
    if type(keys) is not list:
        return [keys]
    out: list[Key] = []
    stack: list[Iterable[Any]] = [iter(keys)]
    while stack:
        for k in stack[-1]:
            if type(k) is list:
                stack.append(iter(k))
                break
            out.append(k)
        else:
            stack.pop()
    return out


@dataclass(eq=False)
class CompiledGraph:
    """A graph compiled to integer ids for the execution engine.

    Attributes
    ----------
    keys : list
        ``keys[i]`` is the key of task ``i``; ids follow discovery from the outputs.
    ops : list
        ``ops[i]`` is the compiled :data:`Op` of task ``i``.
    deps : list of tuple of int
        Distinct dependencies of each task.
    dependents : list of list of int
        Tasks that depend on each task.
    outputs : list of int
        The ids of the requested keys, in request order (repeats allowed).

    >>> from operator import add
    >>> cg = compile_graph({"a": 1, "b": (add, "a", 1)}, ["b"])
    >>> cg.keys, cg.deps, cg.dependents, cg.outputs
    (['b', 'a'], [(1,), ()], [[], [0]], [0])
    """

    keys: list[Key]
    ops: list[Op]
    deps: list[tuple[int, ...]]
    dependents: list[list[int]]
    outputs: list[int]

    def __len__(self) -> int:
        return len(self.keys)


class _Compiler:
    """Compiles the part of a graph reachable from some keys; see :func:`compile_graph`."""

    def __init__(self, dsk: Graph) -> None:
        self.dsk = dsk
        self.index: dict[Key, int] = {}
        self.keys: list[Key] = []
        self.names: set[tuple[object, int]] | None = None
        self.current: Key = None

    def ref(self, key: Key) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
        return i

    def check_missing(self, x: tuple[Any, ...]) -> None:
        """Raise when ``x`` looks like a chunk key of a known name but is absent.

        A chunk key is ``(name, int, ...)``; it is missing when the graph has other chunk
        keys of that name and length (say ``("x", 0)`` and ``("x", 1)`` but not ``("x", 2)``).
        """
        if len(x) < 2 or type(x[0]) is not str or any(type(i) is not int for i in x[1:]):
            return
        if self.names is None:
            self.names = {
                (k[0], len(k))
                for k in self.dsk
                if type(k) is tuple and len(k) > 1 and all(type(i) is int for i in k[1:])
            }
        if (x[0], len(x)) in self.names:
            raise MissingDependencyError(x, self.current)

    def arg(self, x: Any, deps: list[int]) -> Any:
        """Compile one argument; return it unchanged when it holds no reference."""
        t = type(x)
        if t is tuple:
            if x and callable(x[0]):
                args = [self.arg(a, deps) for a in x[1:]]
                return _Call(x[0], args)
            if _is_ref(x, self.dsk):
                i = self.ref(x)
                deps.append(i)
                return Ref(i)
            self.check_missing(x)
            return x
        if t is list:
            items = [self.arg(a, deps) for a in x]
            # unchanged items (no reference, no task at any depth): keep the list itself
            return x if all(a is b for a, b in zip(items, x, strict=True)) else items
        if (t is str or t in _ATOMIC_KEY_TYPES) and x in self.dsk:
            i = self.ref(x)
            deps.append(i)
            return Ref(i)
        return x

    def op(self, value: Any, deps: list[int]) -> Op:
        if type(value) is tuple and value and callable(value[0]):
            dsk, index = self.dsk, self.index
            args = value[1:]
            refs = []
            for pos, a in enumerate(args):
                t = type(a)
                if t is list or (t is tuple and a and callable(a[0])):
                    break  # lists and nested tasks: the general path below
                if t is str or t is tuple or t in _ATOMIC_KEY_TYPES:
                    try:
                        present = a in dsk
                    except TypeError:
                        continue
                    if present:
                        i = index.get(a)
                        if i is None:
                            i = self.ref(a)
                        refs.append((pos, i))
                        deps.append(i)
                    elif t is tuple:
                        self.check_missing(a)
            else:
                return (CALL, value[0], args, tuple(refs))
            del deps[len(deps) - len(refs) :]
            return (NESTED, _Call(value[0], [self.arg(a, deps) for a in args]), None, None)
        c = self.arg(value, deps)
        if type(c) is Ref:
            return (ALIAS, c.i, None, None)
        if c is value:
            return (VALUE, value, None, None)
        return (NESTED, c, None, None)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tessera's own bookkeeping runs.

    Compiling and ordering a big graph allocates many small tuples that are all alive;
    the collector would scan them again and again for nothing.  No user code runs
    inside, so there is no cyclic garbage to miss.

    >>> with gc_paused():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_graph(dsk: Graph, keys: Sequence[Key]) -> CompiledGraph:
    """Compile the part of ``dsk`` that ``keys`` need.

    Raises :class:`~tessera.errors.KeyNotInGraphError` for a requested key that is absent
    and :class:`~tessera.errors.MissingDependencyError` for a dangling chunk reference.
    Cycles are found by :func:`tessera.scheduling.order.order`.

    >>> from operator import add
    >>> cg = compile_graph({"a": 1, "b": (add, "a", "a"), "z": 0}, ["b"])
    >>> cg.keys, cg.ops[0][0] == CALL, cg.deps
    (['b', 'a'], True, [(1,), ()])
    """
    with gc_paused():
        return _compile(dsk, keys)


def _compile(dsk: Graph, keys: Sequence[Key]) -> CompiledGraph:
    c = _Compiler(dsk)
    outputs = []
    for k in keys:
        try:
            present = k in dsk
        except TypeError:
            present = False
        if not present:
            raise KeyNotInGraphError(k, list(islice(dsk, 3)), len(dsk))
        outputs.append(c.ref(k))
    ops: list[Op] = []
    deps: list[tuple[int, ...]] = []
    seen = 0
    while seen < len(c.keys):
        key = c.keys[seen]
        seen += 1
        c.current = key
        d: list[int] = []
        ops.append(c.op(dsk[key], d))
        if len(d) > 1:
            d = list(dict.fromkeys(d))
        deps.append(tuple(d))
    dependents: list[list[int]] = [[] for _ in c.keys]
    for i, ds in enumerate(deps):
        for j in ds:
            dependents[j].append(i)
    return CompiledGraph(c.keys, ops, deps, dependents, outputs)


def _eval(node: Any, store: Any) -> Any:
    t = type(node)
    if t is Ref:
        return store[node.i]
    if t is _Call:
        return node.func(*[_eval(a, store) for a in node.args])
    if t is list:
        return [_eval(a, store) for a in node]
    return node


def run_op(op: Op, store: Any) -> Any:
    """Evaluate a compiled op, reading dependency values from ``store[id]``.

    >>> from operator import add
    >>> cg = compile_graph({"a": 1, "b": (add, "a", 10)}, ["b"])
    >>> run_op(cg.ops[0], {1: 5})
    15
    """
    kind = op[0]
    if kind == CALL:
        refs = op[3]
        if refs:
            args = list(op[2])
            for pos, i in refs:
                args[pos] = store[i]
            return op[1](*args)
        return op[1](*op[2])
    if kind == NESTED:
        return _eval(op[1], store)
    if kind == ALIAS:
        return store[op[1]]
    return op[1]
