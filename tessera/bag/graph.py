"""Building a bag's task graph: layers, constants, bound arguments, the partition-wise waist.

Map
---
- :class:`Layers` -- an immutable mapping of layer name -> tasks.  Building an expression
  costs O(layers), not O(tasks); :meth:`Layers.flatten` merges them once per compute.
- :class:`Literal` -- a task ``(Literal(value),)`` that returns ``value`` as it is: data
  (partitions, user constants) is never scanned for keys or nested tasks.
- :class:`Bound` and :class:`Slot` -- a function with its constant arguments fixed and
  slots where computed values (partitions, items) go; the graph only sees the keys.
- :class:`BagBase`, :class:`ItemBase` -- what every bag and item holds (``Bag`` and
  ``Item`` add the methods), so the modules can tell them apart without import cycles.
- :func:`partitionwise` -- **the waist**: one task per partition,
  ``func(part, *args, **kwargs)``; bag arguments are aligned partition by partition,
  items and constants are broadcast.  Every element-wise method is one call to it.
- :func:`new_bag`, :func:`new_item` -- wrap a layer in a collection.
- :func:`optimize` -- the bags' ``__tessera_optimize__``: give each shuffle a spill
  directory for this compute (:func:`~tessera.bag.shuffle.materialize_spill_dirs`),
  fuse consecutive element-wise steps into one pass
  (:func:`~tessera.bag.pipeline.fuse_pipelines`), gather the leaves of tree reductions
  into one task per worker (:func:`~tessera.bag.leafgroups.group_leaves`), then cull
  and fuse linear chains
  (:func:`~tessera.scheduling.optimize.optimize_graph`).
- :func:`funcname`, :func:`check_callable` -- key names; the "not a callable" error.
- :func:`is_builtin` -- whether a function is C code (``str.split``, ``methodcaller``,
  ``itemgetter``, builtins).  Partition functions that make many containers pause the
  cyclic garbage collector (:func:`~tessera.scheduling.graph.gc_paused`) while they run
  tessera's or such C code only: a partition of 100,000 lines split into lists otherwise
  spends more time in repeated collections than in splitting.  User Python functions
  always run with the collector on.

Policy: keys are ``(name, i)`` with ``name = f"{prefix}-{tokenize(inputs)}"``, so the
same expression built twice has the same keys.  A partition is a list; each partition's
tasks form a linear chain, which the schedulers run inside one worker.

>>> from operator import add
>>> import tessera.bag as db
>>> b = partitionwise(sorted, db.from_sequence([3, 1, 2], npartitions=1), name="sorted")
>>> b.compute(scheduler="sync")
[1, 2, 3]
>>> f = Bound(add, (Slot(0), 10), ())
>>> f(5)
15
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tessera.bag.shuffle import materialize_spill_dirs
from tessera.base import Collection
from tessera.hashing import tokenize
from tessera.scheduling.optimize import optimize_graph

if TYPE_CHECKING:
    from tessera.bag.core import Bag
    from tessera.bag.items import Item

__all__ = [
    "BagBase",
    "Bound",
    "ItemBase",
    "Layers",
    "Literal",
    "Slot",
    "check_callable",
    "funcname",
    "is_builtin",
    "item_task",
    "new_bag",
    "new_item",
    "optimize",
    "partitionwise",
]


class Layers(Mapping[str, Mapping[Any, Any]]):
    """Layer name -> tasks; never mutated once built.

    >>> g = Layers({"a": {("a", 0): 1}}).add("b", {("b", 0): (abs, ("a", 0))})
    >>> list(g), len(g.flatten())
    (['a', 'b'], 2)
    """

    __slots__ = ("_layers",)

    def __init__(self, layers: Mapping[str, Mapping[Any, Any]]) -> None:
        self._layers = dict(layers)

    def __getitem__(self, name: str) -> Mapping[Any, Any]:
        return self._layers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._layers)

    def __len__(self) -> int:
        return len(self._layers)

    def add(self, name: str, layer: Mapping[Any, Any], *deps: Layers) -> Layers:
        """Return these layers, those of ``deps`` and ``layer`` under ``name``.

        >>> list(Layers({"a": {}}).add("c", {}, Layers({"b": {}})))
        ['a', 'b', 'c']
        """
        merged = dict(self._layers)
        for d in deps:
            merged.update(d._layers)
        merged[name] = layer
        return Layers(merged)

    def flatten(self) -> dict[Any, Any]:
        """All tasks in one dict (what a scheduler runs).

        >>> Layers({"a": {"x": 1}, "b": {"y": 2}}).flatten()
        {'x': 1, 'y': 2}
        """
        if len(self._layers) == 1:
            return dict(next(iter(self._layers.values())))
        dsk: dict[Any, Any] = {}
        for layer in self._layers.values():
            dsk.update(layer)
        return dsk


class Literal:
    """A callable returning ``value``; the task ``(Literal(v),)`` is the constant ``v``.

    >>> Literal([1, ("x", 0)])()
    [1, ('x', 0)]
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __call__(self) -> Any:
        return self.value

    def __reduce__(self) -> tuple[type[Literal], tuple[Any]]:
        return Literal, (self.value,)

    def __repr__(self) -> str:
        return f"Literal(<{type(self.value).__name__}>)"


class Slot:
    """Position ``j`` among the computed values handed to a :class:`Bound`.

    >>> Slot(1)
    Slot(1)
    """

    __slots__ = ("j",)

    def __init__(self, j: int) -> None:
        self.j = j

    def __reduce__(self) -> tuple[type[Slot], tuple[int]]:
        return Slot, (self.j,)

    def __repr__(self) -> str:
        return f"Slot({self.j})"


class Bound:
    """``func`` with constant arguments fixed; :class:`Slot` s are filled at call time.

    >>> Bound(divmod, (Slot(1), Slot(0)), ())(3, 10)
    (3, 1)
    >>> Bound(int, (Slot(0),), (("base", 2),))("101")
    5
    """

    __slots__ = ("args", "func", "kwargs")

    def __init__(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]
    ) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def __call__(self, *values: Any) -> Any:
        args = [values[a.j] if type(a) is Slot else a for a in self.args]
        if not self.kwargs:
            return self.func(*args)
        kwargs = {k: values[v.j] if type(v) is Slot else v for k, v in self.kwargs}
        return self.func(*args, **kwargs)

    def __reduce__(self) -> tuple[type[Bound], tuple[Any, ...]]:
        return Bound, (self.func, self.args, self.kwargs)

    def __repr__(self) -> str:
        return f"Bound({funcname(self.func)})"


class BagBase(Collection):
    """What a bag holds: ``layers`` (the graph), ``name`` and ``npartitions``.

    >>> import tessera.bag as db
    >>> isinstance(db.from_sequence([1]), BagBase)
    True
    """

    def __init__(self, layers: Layers, name: str, npartitions: int) -> None:
        self.layers = layers
        self.name = name
        self.npartitions = npartitions


class ItemBase(Collection):
    """What an item holds: ``layers`` (the graph) and ``key``, where its value is.

    >>> import tessera.bag as db
    >>> isinstance(db.from_sequence([1]).sum(), ItemBase)
    True
    """

    def __init__(self, layers: Layers, key: tuple[str, int]) -> None:
        self.layers = layers
        self.key = key
        self.name = key[0]


def optimize(dsk: Mapping[Any, Any], keys: Any, **kwargs: Any) -> dict[Any, Any]:
    """Prepare a bag graph for one compute: spill directories, fusions, cull.

    >>> dsk = {("a", 0): (Literal([1, -2]),), ("b", 0): (len, ("a", 0)), ("c", 0): 1}
    >>> list(optimize(dsk, [("b", 0)]))
    [('b', 0)]
    """
    from tessera.bag.leafgroups import group_leaves
    from tessera.bag.pipeline import fuse_pipelines

    fused = fuse_pipelines(materialize_spill_dirs(dsk), keys)
    return optimize_graph(group_leaves(fused, keys, kwargs.get("workers")), keys, **kwargs)


_BUILTIN_TYPES = (
    operator.methodcaller,
    operator.itemgetter,
    operator.attrgetter,
    types.BuiltinFunctionType,
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.ClassMethodDescriptorType,
)


def is_builtin(func: Any) -> bool:
    """Whether ``func`` is C code that cannot make reference cycles of its own.

    >>> is_builtin(str.split), is_builtin(len), is_builtin(int), is_builtin(lambda x: x)
    (True, True, True, False)
    """
    if isinstance(func, _BUILTIN_TYPES):
        return True
    return isinstance(func, type) and func.__module__ == "builtins"


def funcname(func: Any) -> str:
    """A short name for ``func``, for key names.

    >>> from functools import partial
    >>> funcname(len), funcname(lambda x: x), funcname(partial(max, 1))
    ('len', 'lambda', 'max')
    """
    while hasattr(func, "func"):
        func = func.func
    name = getattr(func, "__name__", None) or type(func).__name__
    return "lambda" if name == "<lambda>" else str(name).lower()


def check_callable(func: Any, what: str) -> None:
    """Raise ``TypeError`` naming ``what`` when ``func`` is not callable.

    >>> check_callable(5, "map")
    Traceback (most recent call last):
    ...
    TypeError: map must be a callable (a function, a lambda, a method...), got int 5. ...
    """
    if not callable(func):
        raise TypeError(
            f"{what} must be a callable (a function, a lambda, a method...), got "
            f"{type(func).__name__} {func!r:.80}. Pass a function or a lambda instead."
        )


def _slot_of(a: Any, refs: list[Any]) -> Any:
    """The template entry for argument ``a``: a Slot for collections, else ``a``."""
    if isinstance(a, (BagBase, ItemBase)):
        refs.append(a)
        return Slot(len(refs) - 1)
    return a


def partitionwise(func: Callable[..., Any], *args: Any, name: str, **kwargs: Any) -> Bag:
    """Return the bag of ``func(part, *args, **kwargs)`` over the partitions of the bags.

    Parameters
    ----------
    func : callable
        Called once per partition; must return a list (the new partition).
    *args, **kwargs
        Bags (all with the same number of partitions; partition ``i`` of each is passed
        to call ``i``), items (their value is passed) or constants.  At least one
        argument must be a bag.
    name : str
        Prefix of the new key names (a token of the inputs is appended).

    Examples
    --------
    >>> import tessera.bag as db
    >>> a = db.from_sequence([1, 2, 3, 4], npartitions=2)
    >>> partitionwise(lambda p, q, k: [x * y + k for x, y in zip(p, q)], a, a, k=1,
    ...               name="demo").compute(scheduler="sync")
    [2, 5, 10, 17]
    """
    refs: list[Any] = []
    targs = tuple(_slot_of(a, refs) for a in args)
    tkw = tuple((k, _slot_of(v, refs)) for k, v in kwargs.items())
    bags = [r for r in refs if isinstance(r, BagBase)]
    if not bags:
        raise TypeError(f"{name}: at least one argument must be a Bag, got none.")
    n = bags[0].npartitions
    for b in bags[1:]:
        if b.npartitions != n:
            raise ValueError(
                f"{name}: all bags must have the same number of partitions, got "
                f"{n} and {b.npartitions}. Use .repartition({n}) on the second bag first."
            )
    token = tokenize(func, args, kwargs)
    out = f"{name}-{token}"
    simple = len(refs) == 1 and not tkw and len(targs) == 1 and type(targs[0]) is Slot
    if simple:
        src = bags[0].name
        layer: dict[Any, Any] = {(out, i): (func, (src, i)) for i in range(n)}
    else:
        bound = Bound(func, targs, tkw)
        layer = {
            (out, i): (
                bound,
                *[(r.name, i) if isinstance(r, BagBase) else r.key for r in refs],
            )
            for i in range(n)
        }
    layers = refs[0].layers.add(out, layer, *[r.layers for r in refs[1:]])
    return new_bag(layers, out, n)


def item_task(func: Callable[..., Any], *args: Any, name: str, **kwargs: Any) -> Item:
    """Return the item ``func(*args, **kwargs)``; args may be items or constants.

    >>> import tessera.bag as db
    >>> total = db.from_sequence([1, 2, 3]).sum()
    >>> item_task(divmod, total, 4, name="divmod").compute(scheduler="sync")
    (1, 2)
    """
    refs: list[Any] = []
    targs = tuple(_slot_of(a, refs) for a in args)
    tkw = tuple((k, _slot_of(v, refs)) for k, v in kwargs.items())
    if any(isinstance(r, BagBase) for r in refs):
        raise TypeError(
            f"{name}: expected items or plain values, got a Bag. Reduce the bag to an "
            "item first (e.g. .sum()), or use Bag.map."
        )
    out = f"{name}-{tokenize(func, args, kwargs)}"
    task = (Bound(func, targs, tkw), *[r.key for r in refs])
    base = refs[0].layers if refs else Layers({})
    layers = base.add(out, {(out, 0): task}, *[r.layers for r in refs[1:]])
    return new_item(layers, (out, 0))


def new_bag(layers: Layers, name: str, npartitions: int) -> Bag:
    """Wrap ``layers`` whose partitions are ``(name, i)`` in a :class:`Bag`.

    >>> new_bag(Layers({"x": {("x", 0): (Literal([1]),)}}), "x", 1).compute(scheduler="sync")
    [1]
    """
    from tessera.bag.core import Bag

    return Bag(layers, name, npartitions)


def new_item(layers: Layers, key: tuple[str, int]) -> Item:
    """Wrap ``layers`` whose value sits at ``key`` in an :class:`Item`.

    >>> new_item(Layers({"x": {("x", 0): 7}}), ("x", 0)).compute(scheduler="sync")
    7
    """
    from tessera.bag.items import Item

    return Item(layers, key)
