"""The collection protocol and the functions that compute collections.

Map
---
- The **protocol**: any object whose class defines these methods is a tessera
  collection (ours or a third party's):

  ``__tessera_graph__()``
      the task graph, a mapping;
  ``__tessera_keys__()``
      the output keys, a key or a nested list of keys;
  ``__tessera_postcompute__()``
      ``(finalize, extra_args)``: the computed value is
      ``finalize(results, *extra_args)`` where ``results`` has the structure of the keys;
  ``__tessera_postpersist__()``
      ``(rebuild, extra_args)``: the persisted collection is
      ``rebuild(dsk, *extra_args)``, ``dsk`` mapping each key to its computed value;
  ``__tessera_optimize__(dsk, keys, **kwargs)`` (optional, static)
      rewrite the graph before running it; default: cull and fuse chains;
  ``__tessera_scheduler__`` (optional, static)
      the default scheduler: a name or get function; default: threads;
  ``__tessera_tokenize__()`` (optional)
      what identifies the collection for :func:`tokenize`; default: its keys.

- :class:`Collection` -- a mixin giving ``compute``, ``persist``, ``__tessera_tokenize__``,
  and ``visualize`` / ``explain`` (delegating to :mod:`tessera.diagnostics`).
- :class:`ConvertsByComputing` -- a mixin: ``bool``/``int``/``float``/``complex`` compute.
- :func:`compute`, :func:`persist`, :func:`optimize`, :func:`is_collection`,
  :func:`tokenize` (from :mod:`tessera.hashing`).

Graphs of all collections passed to one :func:`compute` are merged, so work they share
(equal keys) runs once.

>>> from operator import add
>>> class Value(Collection):
...     def __init__(self, dsk, key):
...         self.dsk, self.key = dsk, key
...     def __tessera_graph__(self): return self.dsk
...     def __tessera_keys__(self): return [self.key]
...     def __tessera_postcompute__(self): return (lambda results: results[0]), ()
...     def __tessera_postpersist__(self): return Value, (self.key,)
>>> y = Value({"x": 1, "y": (add, "x", 10)}, "y")
>>> z = Value({"x": 1, "z": (add, "x", 100)}, "z")
>>> compute(y, z)
(11, 101)
>>> y.compute(scheduler="sync")
11
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tessera.hashing import tokenize
from tessera.scheduling.graph import flatten_keys
from tessera.scheduling.optimize import optimize_graph
from tessera.scheduling.registry import get_scheduler, local_workers

__all__ = [
    "Collection",
    "ConvertsByComputing",
    "compute",
    "is_collection",
    "optimize",
    "persist",
    "tokenize",
]


def is_collection(x: object) -> bool:
    """Return whether ``x`` implements the tessera collection protocol.

    >>> is_collection(1), is_collection(Collection)
    (False, False)
    """
    return not isinstance(x, type) and callable(getattr(x, "__tessera_graph__", None))


class Collection:
    """Mixin for collections: ``compute``, ``persist``, tokenizing by keys, diagnostics.

    Subclasses implement the protocol methods listed in :mod:`tessera.base`.
    """

    def __tessera_graph__(self) -> Mapping[Any, Any]:
        raise NotImplementedError

    def __tessera_keys__(self) -> Any:
        raise NotImplementedError

    def __tessera_tokenize__(self) -> Any:
        return (type(self).__name__, self.__tessera_keys__())

    def compute(self, **kwargs: Any) -> Any:
        """Compute this collection; keywords as for :func:`tessera.compute`."""
        (result,) = compute(self, traverse=False, **kwargs)
        return result

    def persist(self, **kwargs: Any) -> Any:
        """Compute this collection and return one backed by its results."""
        (result,) = persist(self, traverse=False, **kwargs)
        return result

    def visualize(self, filename: Any = "mydask", **kwargs: Any) -> Any:
        """Draw this collection's task graph; see :func:`tessera.visualize`."""
        from tessera.diagnostics.graph_picture import visualize

        return visualize(self, filename=filename, **kwargs)

    def explain(self, **kwargs: Any) -> Any:
        """Describe the plan: see :func:`tessera.diagnostics.explain`."""
        from tessera.diagnostics.explain import explain

        return explain(self, **kwargs)


class ConvertsByComputing:
    """Mixin: ``bool()``, ``int()``, ``float()`` and ``complex()`` compute the value, as in Dask.

    For collections that stand for one value (a 0-d array, a bag's ``Item``); the class
    must also have ``compute()``.
    """

    def _value(self) -> Any:
        return self.compute()  # type: ignore[attr-defined]

    def __bool__(self) -> bool:
        return bool(self._value())

    def __int__(self) -> int:
        return int(self._value())

    def __float__(self) -> float:
        return float(self._value())

    def __complex__(self) -> complex:
        return complex(self._value())


class _Slot:
    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


class _Container:
    """A container found in ``compute``'s arguments: its type and its walked items."""

    __slots__ = ("items", "kind")

    def __init__(self, kind: type, items: list[Any]) -> None:
        self.kind = kind
        self.items = items


def _unpack(args: tuple[Any, ...], traverse: bool) -> tuple[list[Any], Any]:
    """Find the collections in ``args`` (inside lists, tuples, sets, dicts if ``traverse``)."""
    found: list[Any] = []

    def walk(x: Any) -> Any:
        if is_collection(x):
            found.append(x)
            return _Slot(len(found) - 1)
        if traverse:
            t = type(x)
            if t in (list, tuple, set, frozenset):
                return _Container(t, [walk(v) for v in x])
            if t is dict:
                return _Container(dict, [(k, walk(v)) for k, v in x.items()])
        return x

    return found, [walk(a) for a in args]


def _repack(template: Any, values: list[Any]) -> Any:
    if type(template) is _Slot:
        return values[template.i]
    if type(template) is _Container:
        if template.kind is dict:
            return {k: _repack(v, values) for k, v in template.items}
        return template.kind(_repack(v, values) for v in template.items)
    return template


def _default_scheduler(collections: list[Any]) -> Any:
    defaults = {getattr(type(c), "__tessera_scheduler__", None) for c in collections}
    defaults.discard(None)
    if len(defaults) == 1:
        return defaults.pop()
    return None  # none declared, or a mix: threads


def _graph_of(collections: list[Any], optimize_graph_: bool, **kwargs: Any) -> dict[Any, Any]:
    """Merge the collections' graphs, optimizing each group that shares an optimizer."""
    groups: dict[Callable[..., Any], list[Any]] = {}
    for c in collections:
        opt = getattr(type(c), "__tessera_optimize__", optimize_graph)
        groups.setdefault(opt, []).append(c)
    dsk: dict[Any, Any] = {}
    for opt, group in groups.items():
        merged: dict[Any, Any] = {}
        for c in group:
            merged.update(c.__tessera_graph__())
        if optimize_graph_:
            keys = [k for c in group for k in flatten_keys(c.__tessera_keys__())]
            merged = dict(opt(merged, keys, **kwargs))
        dsk.update(merged)
    return dsk


def compute(
    *args: Any,
    traverse: bool = True,
    optimize_graph: bool = True,
    scheduler: Any = None,
    get: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> tuple[Any, ...]:
    """Compute several collections at once, sharing their common work.

    Parameters
    ----------
    *args
        Collections, or anything else (returned as it is).  With ``traverse``,
        collections inside lists, tuples, sets and dicts are computed too.
    traverse : bool
        Look inside Python containers.
    optimize_graph : bool
        Cull and fuse the graph first (the collections' ``__tessera_optimize__``).
    scheduler : str, callable, Executor or Client, optional
        ``"sync"``/``"synchronous"``/``"single-threaded"``, ``"threads"``/``"threading"``,
        ``"processes"``/``"multiprocessing"``, a get function, an executor or a
        distributed client.  Default: ``config.get("scheduler")``, then the
        collections' own default.
    get : callable, optional
        A get function (older spelling of ``scheduler=``).
    **kwargs
        Passed to the scheduler: ``num_workers``, ``pool``, ``callbacks``,
        ``rerun_exceptions_locally``...

    Returns
    -------
    tuple
        One result per argument.

    Examples
    --------
    >>> compute(1, [2])
    (1, [2])
    """
    collections, template = _unpack(args, traverse)
    if not collections:
        return tuple(args)
    schedule = get_scheduler(
        scheduler if scheduler is not None else get, default=_default_scheduler(collections)
    )
    workers = local_workers(schedule, kwargs.get("num_workers"))
    dsk = _graph_of(collections, optimize_graph, workers=workers)
    keys = [c.__tessera_keys__() for c in collections]
    posts = [c.__tessera_postcompute__() for c in collections]
    results = schedule(dsk, keys, **kwargs)
    values = [f(r, *extra) for r, (f, extra) in zip(results, posts, strict=True)]
    return tuple(_repack(t, values) for t in template)


def persist(
    *args: Any,
    traverse: bool = True,
    optimize_graph: bool = True,
    scheduler: Any = None,
    get: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> tuple[Any, ...]:
    """Compute collections and return new ones whose graphs hold the results.

    Later computes on the returned collections reuse the results instead of
    recomputing.  Keywords as for :func:`compute`.

    Examples
    --------
    >>> persist("not a collection")
    ('not a collection',)
    """
    collections, template = _unpack(args, traverse)
    if not collections:
        return tuple(args)
    schedule = get_scheduler(
        scheduler if scheduler is not None else get, default=_default_scheduler(collections)
    )
    workers = local_workers(schedule, kwargs.get("num_workers"))
    dsk = _graph_of(collections, optimize_graph, workers=workers)
    keys = [flatten_keys(c.__tessera_keys__()) for c in collections]
    flat_keys = [k for ks in keys for k in ks]
    # a cluster scheduler leaves the results on its cluster and returns handles to them
    values = getattr(schedule, "persist", schedule)(dsk, flat_keys, **kwargs)
    results = dict(zip(flat_keys, values, strict=True))
    rebuilt = []
    for c, ks in zip(collections, keys, strict=True):
        rebuild, extra = c.__tessera_postpersist__()
        rebuilt.append(rebuild({k: results[k] for k in ks}, *extra))
    return tuple(_repack(t, rebuilt) for t in template)


def optimize(*args: Any, traverse: bool = True, **kwargs: Any) -> tuple[Any, ...]:
    """Return equivalent collections whose graphs are optimized (culled, chains fused).

    Examples
    --------
    >>> optimize(3)
    (3,)
    """
    collections, template = _unpack(args, traverse)
    if not collections:
        return tuple(args)
    dsk = _graph_of(collections, True, **kwargs)
    rebuilt = []
    for c in collections:
        rebuild, extra = c.__tessera_postpersist__()
        rebuilt.append(rebuild(dsk, *extra))
    return tuple(_repack(t, rebuilt) for t in template)
