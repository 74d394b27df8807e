"""``head`` and ``tail``: the first or last rows, computing only the partitions needed.

Map
---
- :class:`HeadTailMixin` -- ``head(n, npartitions=1)`` looks in the first
  ``npartitions`` partitions (``-1``: all) and warns (``UserWarning``, as Dask does) when
  they hold fewer than ``n`` rows; ``tail(n)`` looks in the last partition only.

Policy: the rows are computed at once (threads unless ``config.set(scheduler=...)``),
from a graph holding only the partitions searched (the rest is culled).

>>> import pandas as pd, tessera.dataframe as dd
>>> dd.from_dict({"x": range(6)}, npartitions=3).head(2).x.tolist()
[0, 1]
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

from tessera.hashing import tokenize
from tessera.scheduling import threaded
from tessera.scheduling.optimize import optimize_graph
from tessera.scheduling.registry import get_scheduler

__all__ = ["HeadTailMixin"]


def _head(part: Any, n: int) -> Any:
    return part.head(n)


def _tail(part: Any, n: int) -> Any:
    return part.tail(n)


class HeadTailMixin:
    """``head`` and ``tail`` for DataFrame and Series."""

    _name: str

    @property
    def npartitions(self) -> int:
        raise NotImplementedError

    def __tessera_graph__(self) -> Any:
        raise NotImplementedError

    def _ends(self, n: int, npartitions: int, which: str) -> Any:
        if npartitions < 0:
            npartitions = self.npartitions
        if not 0 < npartitions <= self.npartitions:
            raise ValueError(
                f"{which}: npartitions must be between 1 and {self.npartitions} "
                f"(or -1 for all), got {npartitions}."
            )
        parts = (
            range(npartitions)
            if which == "head"
            else range(self.npartitions - npartitions, self.npartitions)
        )
        func = _head if which == "head" else _tail
        keys = [(func, (self._name, i), n) for i in parts]
        dsk = self.__tessera_graph__()
        name = f"{which}-{tokenize(self, n, npartitions)}"
        dsk[name] = (func, (pd.concat, keys), n) if len(keys) > 1 else keys[0]
        get = get_scheduler(None, default=threaded.get)  # honours config.set(scheduler=)
        result = get(optimize_graph(dsk, [name]), name)
        if which == "head" and len(result) < n and npartitions < self.npartitions:
            warnings.warn(
                f"Insufficient elements for `{which}`. {n} elements requested, only "
                f"{len(result)} elements available. Try passing larger `npartitions` "
                f"to `{which}` (npartitions=-1 searches all partitions).",
                UserWarning,
                stacklevel=3,
            )
        return result

    def head(self, n: int = 5, npartitions: int = 1, compute: bool = True) -> Any:
        """The first ``n`` rows, looking in the first ``npartitions`` partitions.

        Warns (``UserWarning``) when those partitions hold fewer than ``n`` rows.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=3)
        >>> df.head(3, npartitions=2).x.tolist()
        [0, 1, 2]
        """
        if not compute:
            raise NotImplementedError("head(compute=False) is not implemented yet.")
        return self._ends(n, npartitions, "head")

    def tail(self, n: int = 5, compute: bool = True) -> Any:
        """The last ``n`` rows, from the last partition (as Dask does).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=3)
        >>> df.tail(2).x.tolist()
        [4, 5]
        """
        if not compute:
            raise NotImplementedError("tail(compute=False) is not implemented yet.")
        return self._ends(n, 1, "tail")
