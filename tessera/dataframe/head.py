"""``head`` and ``tail``: the first or last rows, from only the partitions needed.

Map
---
- :class:`HeadTailMixin` -- ``head(n, npartitions=1, compute=True)`` looks in the first
  ``npartitions`` partitions (``-1``: all); ``tail(n, compute=True)`` in the last one
  (as Dask does).  Both build a one-partition frame (``_ends``) and, by default,
  compute it at once; ``compute=False`` returns it lazy.
- ``_ends_of`` -- the task: each searched partition's ends first (so little is
  concatenated), then the ends of their concatenation.

Policy: a computed ``head`` warns (``UserWarning``, as Dask does) when the searched
partitions hold fewer than ``n`` rows; a lazy one cannot know, so it does not warn.
Computing runs only the searched partitions (the rest of the graph is culled), on the
frames' default scheduler (threads) unless ``config.set(scheduler=...)`` says otherwise.
The lazy frame's divisions are the bounds of the searched partitions.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_dict({"x": range(6)}, npartitions=3)
>>> df.head(2).x.tolist()
[0, 1]
>>> df.tail(2, compute=False).compute().x.tolist()
[4, 5]
"""

from __future__ import annotations

import numbers
import warnings
from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.graph import merge_layers, new_collection
from tessera.hashing import tokenize

__all__ = ["HeadTailMixin"]


def _ends_of(parts: list[Any], n: int, which: str) -> Any:
    """``head(n)`` or ``tail(n)`` of the concatenated ``parts``.

    >>> _ends_of([pd.Series([1, 2, 3]), pd.Series([4, 5])], 2, "tail").tolist()
    [4, 5]
    """
    if n >= 0 and len(parts) > 1:  # a negative n counts from the other end: keep all rows
        parts = [getattr(p, which)(n) for p in parts]
    out = parts[0] if len(parts) == 1 else pd.concat(parts)
    return getattr(out, which)(n)


class HeadTailMixin:
    """``head`` and ``tail`` for DataFrame and Series."""

    _name: str
    meta: Any
    divisions: tuple[Any, ...]

    @property
    def npartitions(self) -> int:
        raise NotImplementedError

    def _ends(self, n: int, npartitions: int, which: str) -> Any:
        """The lazy ``head``/``tail`` of ``n`` rows of the first/last ``npartitions``."""
        if not isinstance(n, numbers.Integral) or isinstance(n, bool):
            raise TypeError(f"{which}: n must be an integer, got {n!r}.")
        total = self.npartitions
        if npartitions < 0:
            npartitions = total
        if not 0 < npartitions <= total:
            raise ValueError(
                f"{which}: npartitions must be between 1 and {total} "
                f"(or -1 for all), got {npartitions}."
            )
        if n < 0 and npartitions < total:
            raise ValueError(
                f"{which}: a negative n ({n}) counts from the other end, so it needs every "
                f"partition, but only {npartitions} of {total} are searched; "
                + ("pass npartitions=-1." if which == "head" else "use head(n, npartitions=-1).")
            )
        first = 0 if which == "head" else total - npartitions
        parts = [(self._name, i) for i in range(first, first + npartitions)]
        name = f"{which}-{tokenize(self, n, npartitions)}"
        layers = merge_layers(self)
        layers[name] = {(name, 0): (partial(_ends_of, n=int(n), which=which), parts)}
        divisions = (self.divisions[first], self.divisions[first + npartitions])
        return new_collection(layers, name, self.meta, divisions)

    def head(self, n: int = 5, npartitions: int = 1, compute: bool = True) -> Any:
        """The first ``n`` rows, looking in the first ``npartitions`` partitions.

        Parameters
        ----------
        n : int
            Number of rows.  A negative ``n`` means all rows but the last ``-n``, as in
            pandas (it needs ``npartitions=-1``).
        npartitions : int
            How many partitions to search, from the first; ``-1`` for all.
        compute : bool
            ``True``: compute the rows now and warn (``UserWarning``) when the searched
            partitions hold fewer than ``n``.  ``False``: return a lazy one-partition
            frame; it holds what the searched partitions have, possibly fewer than ``n``
            rows, without a warning.

        Returns
        -------
        pandas.DataFrame or pandas.Series, or DataFrame or Series if not ``compute``

        Examples
        --------
        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=3)
        >>> df.head(3, npartitions=2).x.tolist()
        [0, 1, 2]
        >>> lazy = df.head(3, npartitions=2, compute=False)
        >>> lazy.npartitions, lazy.divisions
        (1, (0, 4))
        >>> lazy.compute().x.tolist()
        [0, 1, 2]
        """
        lazy = self._ends(n, npartitions, "head")
        if not compute:
            return lazy
        result = lazy.compute()
        if len(result) < n and 0 <= npartitions < self.npartitions:
            warnings.warn(
                f"Insufficient elements for `head`. {n} elements requested, only "
                f"{len(result)} elements available. Try passing larger `npartitions` "
                "to `head` (npartitions=-1 searches all partitions).",
                UserWarning,
                stacklevel=2,
            )
        return result

    def tail(self, n: int = 5, compute: bool = True) -> Any:
        """The last ``n`` rows, from the last partition (as Dask does).

        Parameters
        ----------
        n : int
            Number of rows (a negative ``n``, all rows but the first ``-n``, needs a
            frame of one partition).
        compute : bool
            ``True``: compute the rows now.  ``False``: return a lazy one-partition
            frame.  Either way the rows come from the last partition only, so there
            may be fewer than ``n`` (no warning, as in Dask).

        Returns
        -------
        pandas.DataFrame or pandas.Series, or DataFrame or Series if not ``compute``

        Examples
        --------
        >>> import tessera.dataframe as dd
        >>> df = dd.from_pandas(pd.DataFrame({"x": range(6)}), npartitions=3)
        >>> df.tail(2).x.tolist()
        [4, 5]
        >>> df.x.tail(2, compute=False).compute().tolist()
        [4, 5]
        """
        lazy = self._ends(n, 1, "tail")
        return lazy.compute() if compute else lazy
