"""The named grouped aggregations of :class:`~tessera.dataframe.groupby.GroupBy`.

Map
---
- :class:`GroupByMethodsMixin` -- ``sum, prod, mean, count, size, min, max, first, last,
  var, std, nunique, median, quantile``: each is validation plus one call of
  ``GroupBy._run`` (one :class:`~tessera.dataframe.groupby_aggs.Plan`, one tree).  It
  inherits ``idxmax, idxmin, value_counts, unique`` from
  :class:`~tessera.dataframe.groupby_values.GroupByValuesMixin` and ``get_group, shift,
  ffill, bfill, head, tail`` from
  :class:`~tessera.dataframe.groupby_extra.GroupByExtraMixin`.

``skipna=False`` (pandas 3; ``sum, prod, mean, min, max, first, last, var, std,
median``): a group with a missing value gives a missing result (``first``/``last``: the
group's first/last value, missing or not); each partial carries it through the tree.

``median`` and ``quantile`` are exact and need no shuffle: each partition sends, per
group, the distinct values and their counts
(:mod:`~tessera.dataframe.groupby_pairs`), and the merged counts give pandas'
``"linear"`` quantile.  The partials grow with the number of distinct ``(group,
value)`` pairs; ``split_out=N`` spreads the groups over ``N`` trees when that is large.

>>> import tessera.dataframe as dd
>>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [1.0, 2.0, 3.0, 8.0]}, npartitions=3)
>>> df.groupby("k").v.median().compute().tolist()
[3.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tessera.dataframe.groupby_values import GroupByValuesMixin

__all__ = ["GroupByMethodsMixin"]


class GroupByMethodsMixin(GroupByValuesMixin):
    """Named aggregations; the class mixing this in provides ``_run``.  The by-value
    methods (``idxmax, value_counts``...) come from
    :class:`~tessera.dataframe.groupby_values.GroupByValuesMixin`, the row-wise ones
    (``shift, head``...) from :class:`~tessera.dataframe.groupby_extra.GroupByExtraMixin`."""

    _run: Any

    def sum(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        min_count: int = 0,
        skipna: bool = True,
    ) -> Any:
        """Sum of each group (missing if it has fewer than ``min_count`` non-null values).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 3]}, npartitions=2)
        >>> df.groupby("k").sum().compute().v.tolist()
        [4, 2]
        >>> df.groupby("k").v.sum(min_count=2).compute().tolist()
        [4.0, nan]
        >>> holes = dd.from_dict({"k": [1, 2, 1], "v": [1.0, 2.0, None]}, npartitions=2)
        >>> holes.groupby("k").v.sum(skipna=False).compute().tolist()
        [nan, 2.0]
        """
        kw = {"numeric_only": numeric_only, "min_count": min_count, "skipna": skipna}
        return self._run(
            None, "sum", (), kw, split_every, split_out, min_count=min_count, skipna=skipna
        )

    def prod(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        min_count: int = 0,
        skipna: bool = True,
    ) -> Any:
        """Product of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [2, 5, 3]}, npartitions=2)
        >>> df.groupby("k").v.prod().compute().tolist()
        [6, 5]
        """
        kw = {"numeric_only": numeric_only, "min_count": min_count, "skipna": skipna}
        return self._run(
            None, "prod", (), kw, split_every, split_out, min_count=min_count, skipna=skipna
        )

    def mean(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Mean of each group (from per-partition sums and counts).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.mean().compute().tolist()
        [2.5, 2.0]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "mean", (), kw, split_every, split_out, skipna=skipna)

    def count(self, split_every: int | None = None, split_out: int | None = 1) -> Any:
        """Number of non-missing values in each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [1.0, None, 4.0]}, npartitions=2)
        >>> df.groupby("k").v.count().compute().tolist()
        [2, 0]
        """
        return self._run(None, "count", (), {}, split_every, split_out)

    def size(self, split_every: int | None = None, split_out: int | None = 1) -> Any:
        """Number of rows in each group (a Series).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1]}, npartitions=2)
        >>> df.groupby("k").size().compute().tolist()
        [2, 1]
        """
        return self._run(None, "size", (), {}, split_every, split_out)

    def min(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Minimum of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [5, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.min().compute().tolist()
        [4, 2]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "min", (), kw, split_every, split_out, skipna=skipna)

    def max(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Maximum of each group.

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1], "v": [5, 2, 4]}, npartitions=2)
        >>> df.groupby("k").v.max().compute().tolist()
        [5, 2]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "max", (), kw, split_every, split_out, skipna=skipna)

    def first(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """First non-missing value of each group, in partition order (as pandas).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2, 1], "v": [None, 7.0, 2.0, 5.0]}, npartitions=3)
        >>> df.groupby("k").v.first().compute().tolist()
        [7.0, 2.0]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "first", (), kw, split_every, split_out, skipna=skipna)

    def last(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Last non-missing value of each group, in partition order (as pandas).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2, 1], "v": [3.0, 7.0, 2.0, None]}, npartitions=3)
        >>> df.groupby("k").v.last().compute().tolist()
        [7.0, 2.0]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "last", (), kw, split_every, split_out, skipna=skipna)

    def var(
        self,
        ddof: int = 1,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Variance of each group, from per-partition ``(count, mean, M2)`` merged with
        Chan's parallel formula (stable when the mean is large next to the spread).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2, 1], "v": [1.0, 2.0, 5.0, 6.0]}, npartitions=3)
        >>> df.groupby("k").v.var().compute().tolist()
        [7.0, nan]
        """
        kw = {"ddof": ddof, "numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "var", (), kw, split_every, split_out, ddof=ddof, skipna=skipna)

    def std(
        self,
        ddof: int = 1,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Standard deviation of each group (see :meth:`var`).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2], "v": [1.0, 3.0, 5.0]}, npartitions=2)
        >>> df.groupby("k").v.std(ddof=0).compute().tolist()
        [1.0, 0.0]
        """
        kw = {"ddof": ddof, "numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "std", (), kw, split_every, split_out, ddof=ddof, skipna=skipna)

    def nunique(
        self, dropna: bool = True, split_every: int | None = None, split_out: int | None = 1
    ) -> Any:
        """Number of distinct values in each group (from distinct ``(group, value)`` pairs).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 1, 2, 1], "v": [3, 3, 2, 4]}, npartitions=3)
        >>> df.groupby("k").v.nunique().compute().tolist()
        [2, 1]
        """
        kw = {"dropna": dropna}
        return self._run(None, "nunique", (), kw, split_every, split_out, nunique_dropna=dropna)

    def median(
        self,
        split_every: int | None = None,
        split_out: int | None = 1,
        numeric_only: bool = False,
        skipna: bool = True,
    ) -> Any:
        """Median of each group (exact, see the module map).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [5, 2, 4, 9]}, npartitions=2)
        >>> df.groupby("k").v.median().compute().tolist()
        [5.0, 2.0]
        """
        kw = {"numeric_only": numeric_only, "skipna": skipna}
        return self._run(None, "median", (), kw, split_every, split_out, skipna=skipna)

    def quantile(
        self,
        q: float = 0.5,
        interpolation: str = "linear",
        numeric_only: bool = False,
        split_every: int | None = None,
        split_out: int | None = 1,
    ) -> Any:
        """The ``q`` quantile of each group, pandas' ``"linear"`` interpolation (exact).

        >>> import tessera.dataframe as dd
        >>> df = dd.from_dict({"k": [1, 2, 1, 1], "v": [5, 2, 4, 9]}, npartitions=2)
        >>> df.groupby("k").v.quantile(0.25).compute().tolist()
        [4.5, 2.0]
        """
        if not pd.api.types.is_scalar(q):
            raise NotImplementedError(
                f"groupby(...).quantile(q={q!r}): tessera takes one q at a time; call it once "
                "per q (e.g. in a dict comprehension) and concat the results."
            )
        if interpolation != "linear":
            raise NotImplementedError(
                f"groupby(...).quantile(interpolation={interpolation!r}): only 'linear' "
                "(pandas' default) is supported."
            )
        kw = {"q": q, "numeric_only": numeric_only}
        return self._run(None, "quantile", (), kw, split_every, split_out, q=float(q))
