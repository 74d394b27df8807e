"""The ``Series.cat`` accessor: categories known statically, or made known by computing.

Map
---
- :class:`CategoricalAccessor` -- ``Series.cat``: ``known``, ``categories`` and ``codes``
  (known categories only), ``as_known``/``as_unknown``, ``remove_unused_categories`` (one
  eager pass, like Dask), and pandas' other ``.cat`` methods partition by partition
  (those that need the categories -- remove/rename/reorder -- only when they are known).
- :class:`CatAccessorMixin` -- the ``cat`` property of :class:`tessera.dataframe.Series`.

Known and unknown categories are defined in :mod:`~tessera.dataframe.categorical`.

>>> import pandas as pd, tessera.dataframe as dd
>>> s = dd.from_pandas(pd.Series(["b", "a", "b"], dtype="category"), npartitions=2)
>>> s.cat.as_unknown().cat.known
False
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tessera.dataframe.accessors import _Accessor
from tessera.dataframe.categorical import (
    SERIES,
    find_categories,
    has_known_categories,
    to_categories,
    unknown_categories,
)
from tessera.dataframe.graph import partitionwise

__all__ = ["CatAccessorMixin", "CategoricalAccessor"]


def _identity(part: Any) -> Any:
    return part


class CategoricalAccessor(_Accessor):
    """``Series.cat``: categories known statically, or made known by computing.

    >>> import pandas as pd, tessera.dataframe as dd
    >>> s = dd.from_pandas(pd.Series(["a", "b", "a"], dtype="category"), npartitions=2)
    >>> s.cat.known, s.cat.ordered
    (True, False)
    >>> s.cat.add_categories(["z"]).cat.categories.tolist()
    ['a', 'b', 'z']
    >>> u = s.cat.as_unknown()
    >>> u.cat.known
    False
    >>> u.cat.as_known().cat.categories.tolist()
    ['a', 'b']
    """

    _accessor = "cat"
    _kinds = "categorical"
    _need_known = ("remove_categories", "rename_categories", "reorder_categories")

    @property
    def known(self) -> bool:
        """Whether the categories are known without computing."""
        return has_known_categories(self._series.meta)

    def _require_known(self, what: str) -> None:
        if not self.known:
            raise NotImplementedError(
                f".cat.{what} needs known categories, but this Series' categories are "
                "unknown (they may differ between partitions). Call .cat.as_known() (or "
                "df.categorize()) first."
            )

    @property
    def categories(self) -> pd.Index:
        """The categories (known categories only)."""
        self._require_known("categories")
        return self._series.meta.cat.categories

    @property
    def codes(self) -> Any:
        """The integer codes of each value, -1 for missing (known categories only)."""
        self._require_known("codes")
        return self._call("codes", True)

    def as_known(self, **kwargs: Any) -> Any:
        """This Series with known categories (computes them now, unless already known);
        ``kwargs`` go to ``compute``."""
        series = self._series
        if self.known:
            return series
        found = find_categories(series, [SERIES], False, None, kwargs)
        dtypes = {SERIES: pd.CategoricalDtype(found[SERIES], ordered=series.meta.cat.ordered)}
        meta = to_categories(series.meta, dtypes)
        return partitionwise(to_categories, series, dtypes, meta=meta, prefix="cat-as-known")

    def as_unknown(self) -> Any:
        """This Series with its categories marked unknown (nothing is computed)."""
        if not self.known:
            return self._series
        meta = unknown_categories(self._series.meta)
        return partitionwise(_identity, self._series, meta=meta, prefix="cat-as-unknown")

    def remove_unused_categories(self) -> Any:
        """Drop categories that no value uses anywhere (computes the used values now).

        >>> import pandas as pd, tessera.dataframe as dd
        >>> s = pd.Series(pd.Categorical(["b", "a"], categories=["c", "b", "a"]))
        >>> out = dd.from_pandas(s, npartitions=2).cat.remove_unused_categories()
        >>> out.cat.categories.tolist()
        ['b', 'a']
        """
        series = self.as_known()
        dtype = series.meta.dtype
        used = set(series.dropna().unique().compute())
        kept = dtype.categories[dtype.categories.isin(used)]  # keeps the categories' dtype
        dtypes = {SERIES: pd.CategoricalDtype(kept, dtype.ordered)}
        meta = to_categories(series.meta, dtypes)
        return partitionwise(to_categories, series, dtypes, meta=meta, prefix="cat-remove-unused")

    def __getattr__(self, name: str) -> Any:
        if name in self._need_known:
            self._require_known(name)
        return super().__getattr__(name)


class CatAccessorMixin:
    """``Series.cat``."""

    @property
    def cat(self) -> CategoricalAccessor:
        """pandas' ``.cat`` accessor, lazily; see :class:`CategoricalAccessor`."""
        return CategoricalAccessor(self)
