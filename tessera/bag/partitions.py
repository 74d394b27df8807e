"""The functions that element-wise methods run on each partition.

Map
---
- Stages (they have ``lazy(iterable) -> iterator`` as well as ``__call__(list) -> list``,
  so :mod:`tessera.bag.pipeline` can fuse consecutive ones into a single pass):
  :class:`MapElements` (``map``, ``str.*``), :class:`StarMap`, :class:`Select`
  (``filter``/``remove``/``str.match``) and :class:`Flatten`.  Their loops are
  ``map``/``filter``/``itertools`` in C; only the user's function runs in Python.
  :class:`SplitWords` is what ``.str.split().flatten()`` fuses into: the words of all
  lines from one ``" ".join(lines).split()`` (equal for strings, and much cheaper
  than one list per line).
- Other partition functions: :class:`MapZipped` (``map`` with bag or item arguments),
  :class:`Pluck`, :class:`AsPartition` (``map_partitions``).
- :func:`as_partition` -- what a partition function returned, made a list.
- :data:`no_default` -- the "argument not given" marker (``pluck``, ``fold``...).

>>> from operator import methodcaller
>>> MapElements(methodcaller("split"))(["a b", "c"])
[['a', 'b'], ['c']]
>>> list(Flatten().lazy(MapElements(str.split).lazy(["a b", "c"])))
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain, filterfalse, repeat, starmap
from operator import itemgetter, methodcaller
from typing import Any

from tessera.bag.graph import is_builtin
from tessera.scheduling.graph import gc_paused

__all__ = [
    "AsPartition",
    "Flatten",
    "MapElements",
    "MapZipped",
    "Pluck",
    "Select",
    "SplitWords",
    "StarMap",
    "as_partition",
    "is_split_words",
    "no_default",
]


class _NoDefault:
    """The "no default given" marker (``no_default``); it pickles to itself."""

    def __repr__(self) -> str:
        return "no_default"

    def __reduce__(self) -> str:
        return "no_default"


#: Marks a missing ``default``/``initial`` argument.
no_default: Any = _NoDefault()


def as_partition(result: Any) -> list[Any]:
    """Turn what a partition function returned into a partition (a list).

    Lists stay as they are, other iterables are listed; a non-iterable value (or a
    ``str``/``bytes``) becomes a one-element partition.

    >>> as_partition((1, 2)), as_partition(iter("ab")), as_partition(3), as_partition("ab")
    ([1, 2], ['a', 'b'], [3], ['ab'])
    """
    if type(result) is list:
        return result
    if isinstance(result, (str, bytes, bytearray)) or not isinstance(result, Iterable):
        return [result]
    return list(result)


def _bind(func: Callable[..., Any], kwargs: tuple[tuple[str, Any], ...]) -> Callable[..., Any]:
    return partial(func, **dict(kwargs)) if kwargs else func


@dataclass(frozen=True)
class MapElements:
    """``func(x, *args, **kwargs)`` for each element ``x``; ``args`` are constants.

    >>> MapElements(pow, (2,))([2, 3])
    [4, 9]
    >>> MapElements(int, (), (("base", 2),))(["10", "11"])
    [2, 3]
    """

    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The mapped elements, one at a time.

        >>> list(MapElements(divmod, (3,)).lazy(iter([7, 8])))
        [(2, 1), (2, 2)]
        """
        f = _bind(self.func, self.kwargs)
        if not self.args:
            return map(f, it)
        return map(f, it, *[repeat(a) for a in self.args])

    def __call__(self, part: list[Any]) -> list[Any]:
        if not self.args and not self.kwargs and is_builtin(self.func):
            with gc_paused():
                return list(map(self.func, part))
        return list(self.lazy(part))


@dataclass(frozen=True)
class MapZipped:
    """``func(x, *args, **kwargs)`` where the ``zipped`` arguments are partitions too.

    Partitions passed together must have equal lengths.

    >>> MapZipped(pow, (0,), ())([2, 3], [3, 2])
    [8, 9]
    >>> MapZipped(pow, (), ())([2, 3], 2)
    [4, 9]
    """

    func: Callable[..., Any]
    zipped: tuple[int, ...]
    zipped_kw: tuple[str, ...]

    def __call__(self, part: list[Any], *args: Any, **kwargs: Any) -> list[Any]:
        f = self.func
        seqs = [args[i] for i in self.zipped] + [kwargs[k] for k in self.zipped_kw]
        for i, s in enumerate(seqs):
            if len(s) != len(part):
                raise ValueError(
                    f"map: a partition of the mapped bag has {len(part)} elements but the "
                    f"matching partition of bag argument {i + 1} has {len(s)}. Bags passed "
                    "to map must have equal lengths partition by partition."
                )
        if not seqs:
            return [f(x, *args, **kwargs) for x in part]
        if len(self.zipped) == len(args) and not kwargs:
            return list(map(f, part, *seqs))
        out = []
        pos = list(args)
        kw = dict(kwargs)
        for j, x in enumerate(part):
            for i in self.zipped:
                pos[i] = args[i][j]
            for k in self.zipped_kw:
                kw[k] = kwargs[k][j]
            out.append(f(x, *pos, **kw))
        return out


@dataclass(frozen=True)
class StarMap:
    """``func(*x, **kwargs)`` for each tuple ``x``; more keywords may come at call time.

    >>> StarMap(max)([(1, 5), (7, 2)])
    [5, 7]
    """

    func: Callable[..., Any]
    kwargs: tuple[tuple[str, Any], ...] = ()

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The results, one at a time.

        >>> list(StarMap(pow).lazy([(2, 3)]))
        [8]
        """
        return starmap(_bind(self.func, self.kwargs), it)

    def __call__(self, part: list[Any], **more: Any) -> list[Any]:
        if not more:
            return list(self.lazy(part))
        f = _bind(self.func, self.kwargs)
        return [f(*x, **more) for x in part]


@dataclass(frozen=True)
class Select:
    """Keep the elements where ``predicate`` is true (or false, with ``keep=False``).

    >>> Select(bool, True)([0, 1, 2]), Select(bool, False)([0, 1, 2])
    ([1, 2], [0])
    """

    predicate: Callable[[Any], Any]
    keep: bool

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The kept elements, one at a time.

        >>> list(Select(str.isdigit, False).lazy("a1b"))
        ['a', 'b']
        """
        if self.keep:
            return filter(self.predicate, it)
        return filterfalse(self.predicate, it)

    def __call__(self, part: list[Any]) -> list[Any]:
        return list(self.lazy(part))


@dataclass(frozen=True)
class Flatten:
    """Concatenate the sequences held by the elements.

    >>> Flatten()([[1, 2], (3,), []])
    [1, 2, 3]
    """

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The elements of the elements, one at a time.

        >>> list(Flatten().lazy(iter(["ab", "c"])))
        ['a', 'b', 'c']
        """
        return chain.from_iterable(it)

    def __call__(self, part: list[Any]) -> list[Any]:
        return list(chain.from_iterable(part))


@dataclass(frozen=True)
class SplitWords:
    """The whitespace-separated words of all elements: ``str.split`` then ``flatten``.

    Joining with a space neither merges nor creates words, so for strings this equals
    ``[w for s in part for w in s.split()]``; other elements take that slow path.

    >>> SplitWords()(["a b\\n", " c", ""]), SplitWords()([b"x y"])
    (['a', 'b', 'c'], [b'x', b'y'])
    """

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The words, one at a time.

        >>> list(SplitWords().lazy(iter(["a b", "c"])))
        ['a', 'b', 'c']
        """
        items = it if type(it) is list else list(it)
        try:
            return iter(" ".join(items).split())
        except TypeError:
            return chain.from_iterable(map(_split, items))

    def __call__(self, part: list[Any]) -> list[Any]:
        return list(self.lazy(part))


def _split(x: Any) -> Any:
    return x.split()


def is_split_words(stage: Any) -> bool:
    """Whether ``stage`` maps ``x.split()`` (no arguments) over the elements.

    >>> from operator import methodcaller
    >>> is_split_words(MapElements(methodcaller("split"))), is_split_words(MapElements(str.split))
    (True, True)
    >>> is_split_words(MapElements(methodcaller("split", ",")))
    False
    """
    if type(stage) is not MapElements or stage.args or stage.kwargs:
        return False
    f = stage.func
    if f is str.split:
        return True
    return isinstance(f, methodcaller) and f.__reduce__() == (methodcaller, ("split",))


@dataclass(frozen=True)
class Pluck:
    """``x[key]`` for each element (a tuple of them when ``key`` is a list).

    >>> Pluck("a", no_default)([{"a": 1}, {"a": 2}])
    [1, 2]
    >>> Pluck([0, 2], no_default)(["xyz", "uvw"])
    [('x', 'z'), ('u', 'w')]
    >>> Pluck(5, None)([[1], [1, 2, 3, 4, 5, 6]])
    [None, 6]
    """

    key: Any
    default: Any

    def __call__(self, part: list[Any]) -> list[Any]:
        key, default = self.key, self.default
        if default is not no_default:
            return [self._get(x) for x in part]
        try:
            with gc_paused():
                if type(key) is list:
                    if len(key) == 1:
                        k = key[0]
                        return [(x[k],) for x in part]
                    return list(map(itemgetter(*key), part))
                return list(map(itemgetter(key), part))
        except (KeyError, IndexError, TypeError) as e:
            self._raise_missing(part, e)
            raise  # pragma: no cover - _raise_missing always raises

    def _get(self, x: Any) -> Any:
        keys = self.key if type(self.key) is list else [self.key]
        out = []
        for k in keys:
            try:
                out.append(x[k])
            except (KeyError, IndexError, TypeError):
                out.append(self.default)
        return tuple(out) if type(self.key) is list else out[0]

    def _raise_missing(self, part: list[Any], error: Exception) -> None:
        keys = self.key if type(self.key) is list else [self.key]
        for x in part:
            for k in keys:
                try:
                    x[k]
                except (KeyError, IndexError, TypeError) as e:
                    kind: type[Exception] = TypeError
                    if isinstance(e, (KeyError, IndexError)):
                        kind = KeyError if isinstance(e, KeyError) else IndexError
                    raise kind(
                        f"pluck({self.key!r}): cannot get key {k!r} from element "
                        f"{x!r:.120} ({type(e).__name__}: {e}). Pass default= to "
                        "use a value for missing keys, e.g. pluck(key, default=None)."
                    ) from e
        raise error


@dataclass(frozen=True)
class AsPartition:
    """Call ``func`` and turn its result into a partition (see :func:`as_partition`).

    >>> AsPartition(reversed)([1, 2, 3])
    [3, 2, 1]
    """

    func: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        return as_partition(self.func(*args, **kwargs))
