"""How a frame is a tessera collection: its graph, its keys, and what computing or
persisting it gives.

Map
---
- :class:`FrameProtocolMixin` -- mixed into :class:`~tessera.dataframe.core._Frame`: the
  collection protocol of :mod:`tessera.base` (the graph is the union of the ``layers``,
  the keys are ``(name, i)``; computed partitions go through :func:`finalize`, persisted
  ones through :func:`rebuild`) and ``dask``.
- :func:`finalize`, :func:`rebuild` -- concatenate computed partitions; wrap computed ones.
- :func:`identity` -- the task of a computed partition (also ``get_partition``'s).

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"x": [1, 2, 3]}, npartitions=2)
>>> df.__tessera_keys__() == [(df._name, 0), (df._name, 1)]
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from tessera.dataframe.categorical import unify_categoricals
from tessera.dataframe.graph import flat_graph

if TYPE_CHECKING:
    from tessera.dataframe.core import DataFrame, Series

__all__ = ["FrameProtocolMixin", "finalize", "identity", "rebuild"]


def finalize(results: list[Any]) -> Any:
    """Concatenate computed partitions into one pandas object.

    >>> finalize([pd.Series([1]), pd.Series([2], index=[1])]).tolist()
    [1, 2]
    """
    if not all(isinstance(r, pd.DataFrame | pd.Series | pd.Index) for r in results):
        return pd.Series(results)
    if len(results) > 1:  # an empty partition (a meta) may not have the others' index
        results = [r for r in results if len(r)] or results[:1]
    if len(results) == 1:
        return results[0]
    return pd.concat(unify_categoricals(results))  # differing categories: their union


def rebuild(
    dsk: Mapping[Any, Any], name: str, meta: Any, divisions: tuple[Any, ...]
) -> DataFrame | Series:
    """Return a frame over ``dsk`` (computed partitions or tasks).

    >>> s = rebuild({("s", 0): pd.Series([1, 2])}, "s", pd.Series([], dtype=int), (0, 1))
    >>> s.compute().tolist()
    [1, 2]
    """
    from tessera.dataframe.graph import new_collection

    layer = {k: ((identity, v) if isinstance(v, pd.DataFrame | pd.Series) else v)
             for k, v in dsk.items()}  # fmt: skip
    out: DataFrame | Series = new_collection({name: layer}, name, meta, divisions)
    return out


def identity(x: Any) -> Any:
    """``x`` itself: the task that holds a computed partition in a rebuilt graph."""
    return x


class FrameProtocolMixin:
    """The collection protocol of DataFrame and Series (see :mod:`tessera.base`)."""

    layers: Any
    _name: str
    meta: Any
    divisions: tuple[Any, ...]

    @property
    def npartitions(self) -> int:
        raise NotImplementedError

    def __tessera_graph__(self) -> dict[Any, Any]:
        return flat_graph(self.layers)

    def __tessera_keys__(self) -> list[tuple[str, int]]:
        return [(self._name, i) for i in range(self.npartitions)]

    def __tessera_postcompute__(self) -> tuple[Any, tuple[Any, ...]]:
        return finalize, ()

    def __tessera_postpersist__(self) -> tuple[Any, tuple[Any, ...]]:
        return rebuild, (self._name, self.meta, self.divisions)

    @property
    def dask(self) -> dict[Any, Any]:
        """The task graph as one dict."""
        return self.__tessera_graph__()
