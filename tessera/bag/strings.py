"""The ``Bag.str`` accessor: Python's ``str`` methods applied to every element.

Map
---
- :class:`StringAccessor` -- ``b.str.<method>(*args, **kwargs)`` maps
  ``x.<method>(*args, **kwargs)`` over the elements for any ``str`` method (``split``,
  ``strip``, ``lower``, ``upper``, ``startswith``, ``replace``...);
  :meth:`StringAccessor.match` *filters* by a glob pattern (:func:`fnmatch.fnmatch`), as
  in Dask.

Calls go through :class:`operator.methodcaller`, whose loop over a partition runs in C.

>>> import tessera.bag as db
>>> b = db.from_sequence(["Alice Smith", "Bob Jones", "Charlie Smith"])
>>> b.str.match("*Smith").str.split().compute(scheduler="sync")
[['Alice', 'Smith'], ['Charlie', 'Smith']]
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatch
from functools import partial
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from tessera.bag.graph import partitionwise
from tessera.bag.partitions import MapElements, Select

if TYPE_CHECKING:
    from tessera.bag.core import Bag

__all__ = ["StringAccessor"]

_STR_METHODS = frozenset(m for m in dir(str) if not m.startswith("_"))


class StringAccessor:
    """String methods over the elements of a bag (``Bag.str``).

    Parameters
    ----------
    bag : Bag
        A bag of strings.

    Examples
    --------
    >>> import tessera.bag as db
    >>> b = db.from_sequence([" a,b ", "c "])
    >>> b.str.strip().str.split(",").compute(scheduler="sync")
    [['a', 'b'], ['c']]
    >>> b.str.startswith(" ").compute(scheduler="sync")
    [True, False]
    """

    def __init__(self, bag: Bag) -> None:
        self._bag = bag

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | _STR_METHODS)

    def __getattr__(self, name: str) -> Callable[..., Bag]:
        if name not in _STR_METHODS:
            raise AttributeError(
                f"Bag.str has no method {name!r}: it offers the methods of Python's str "
                f"(split, strip, lower, ...) and match. Use Bag.map for anything else."
            )

        def method(*args: Any, **kwargs: Any) -> Bag:
            fn = MapElements(methodcaller(name, *args, **kwargs))
            return partitionwise(fn, self._bag, name=f"str-{name}")

        method.__name__ = name
        method.__doc__ = getattr(str, name).__doc__
        return method

    def match(self, pattern: str) -> Bag:
        """Keep the strings matching the glob ``pattern`` (:func:`fnmatch.fnmatch`).

        >>> import tessera.bag as db
        >>> db.from_sequence(["a.txt", "b.csv"]).str.match("*.txt").compute(scheduler="sync")
        ['a.txt']
        """
        if not isinstance(pattern, str):
            raise TypeError(
                f"str.match expects a glob pattern string such as '*.txt', got "
                f"{type(pattern).__name__}."
            )
        return partitionwise(Select(partial(fnmatch, pat=pattern), True), self._bag, name="match")
