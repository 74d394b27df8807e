"""Categorical columns: known and unknown categories, ``categorize`` and the ``.cat`` accessor.

Map
---
- :data:`UNKNOWN_CATEGORIES` -- the rule for categories that are not known before
  computing (each partition may have its own): the meta's categorical dtype has exactly
  this one sentinel category.  Any other categorical meta is *known*: every partition
  has exactly the meta's categories.  :func:`has_known_categories` tests it,
  :func:`unknown_categories` builds such a meta, :func:`astype_meta` gives the meta of
  ``astype("category")`` (unknown: each partition finds its own categories).
- :func:`union_categories`, :func:`unify_categoricals` -- what concatenating partitions
  with different categories gives: the union of the categories, sorted when they can be
  sorted (what ``astype("category")`` of the whole column gives), else in order of first
  appearance.  ``unify_categoricals`` recasts partitions to that union before
  ``pd.concat`` (for :func:`tessera.dataframe.frame_protocol.finalize`); ordered categoricals
  are joined only when every partition's categories keep their order in the union
  (as ``astype(CategoricalDtype(ordered=True))`` gives them: sorted).
- :func:`categorize` -- one pass (a tree reduction of each column's distinct values),
  computed now; returns the frame cast to known categoricals.
  :func:`find_categories` (the reduction) and :func:`to_categories` (the cast of a
  partition) are shared with the ``.cat`` accessor.
- :class:`CategorizeMixin` -- ``DataFrame.categorize``.
- The ``Series.cat`` accessor is in :mod:`~tessera.dataframe.cat_accessor`.

>>> import pandas as pd, tessera.dataframe as dd
>>> df = dd.from_pandas(pd.DataFrame({"s": ["b", "a", "b"]}, dtype=object), npartitions=2)
>>> cat = df.categorize()
>>> cat.s.cat.known, cat.s.cat.categories.tolist()
(True, ['a', 'b'])
>>> cat.s.cat.codes.compute().tolist()
[1, 0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from tessera.dataframe.graph import new_collection, partitionwise
from tessera.dataframe.tree import reduction

__all__ = [
    "SERIES",
    "UNKNOWN_CATEGORIES",
    "CategorizeMixin",
    "astype_meta",
    "categorize",
    "find_categories",
    "has_known_categories",
    "to_categories",
    "unify_categoricals",
    "union_categories",
    "unknown_categories",
]

UNKNOWN_CATEGORIES = "__UNKNOWN_CATEGORIES__"
_INDEX = ("index",)  # the key of the index among the columns' distinct values
SERIES = ("self",)  #: the key of a Series' own values in :func:`find_categories`


def has_known_categories(x: Any) -> bool:
    """Whether a categorical Series, Index or dtype has known categories (no sentinel).

    >>> has_known_categories(pd.CategoricalDtype(["a"]))
    True
    >>> has_known_categories(unknown_categories(pd.Series([], dtype="category")))
    False
    """
    dtype = x if isinstance(x, pd.CategoricalDtype) else x.dtype
    if not isinstance(dtype, pd.CategoricalDtype):
        raise TypeError(f"Expected a categorical Series, Index or dtype, got dtype {dtype}.")
    return UNKNOWN_CATEGORIES not in dtype.categories


def _unknown_dtype(dtype: Any) -> pd.CategoricalDtype:
    return pd.CategoricalDtype([UNKNOWN_CATEGORIES], ordered=dtype.ordered)


def unknown_categories(meta: Any, columns: Any = None) -> Any:
    """``meta`` with the categories of its categorical ``columns`` (default: all) unknown.

    >>> unknown_categories(pd.Series(["a"], dtype="category")).cat.categories.tolist()
    ['__UNKNOWN_CATEGORIES__']
    """
    meta = meta.iloc[:0]
    if isinstance(meta, pd.Series):
        return meta.astype(_unknown_dtype(meta.dtype))
    cols = [c for c, d in meta.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
    chosen = cols if columns is None else [c for c in cols if c in set(columns)]
    return meta.astype({c: _unknown_dtype(meta[c].dtype) for c in chosen})


def astype_meta(meta: Any, dtype: Any) -> Any:
    """The meta of ``frame.astype(dtype)``: a cast to ``"category"`` (no categories given)
    of a column that is not already a known categorical has unknown categories.

    >>> meta = pd.DataFrame({"a": pd.Series([], dtype=object), "b": [], "c": []})
    >>> out = astype_meta(meta, {"a": "category", "c": pd.CategoricalDtype(["x"])})
    >>> has_known_categories(out.a), has_known_categories(out.c)
    (False, True)
    """
    out = meta.iloc[:0].astype(dtype)
    if isinstance(meta, pd.Series):
        return unknown_categories(out) if _unknown_cast(meta.dtype, dtype) else out
    casts = dtype if isinstance(dtype, dict) else dict.fromkeys(meta.columns, dtype)
    columns = [c for c, d in casts.items() if _unknown_cast(meta[c].dtype, d)]
    return unknown_categories(out, columns) if columns else out


def _unknown_cast(source: Any, target: Any) -> bool:
    """Whether casting ``source`` to ``target`` gives categories only the data knows."""
    if isinstance(source, pd.CategoricalDtype) and has_known_categories(source):
        return False
    if isinstance(target, str):
        return target == "category"
    return isinstance(target, pd.CategoricalDtype) and target.categories is None


def _distinct_values(indexes: list[pd.Index]) -> pd.Index:
    """The distinct values of ``indexes`` in order of first appearance.  Empty ones (the
    categories of a partition of missing values) are left out: their ``object`` dtype
    would otherwise turn booleans or integers into objects."""
    kept = [i for i in indexes if len(i)] or indexes[:1]
    return pd.Index(pd.concat([i.to_series() for i in kept]).unique())


def union_categories(categories: list[pd.Index]) -> pd.Index:
    """The categories of the partitions, joined: sorted if sortable, else by first appearance.

    >>> union_categories([pd.Index(["b", "c"]), pd.Index(["a", "c"])]).tolist()
    ['a', 'b', 'c']
    >>> union_categories([pd.Index([True]), pd.Index([], dtype=object)]).dtype
    dtype('bool')
    """
    values = _distinct_values(categories).dropna().infer_objects()  # as astype("category")
    return pd.Categorical(values).categories


def _keeps_order(dtype: pd.CategoricalDtype, union: pd.Index) -> bool:
    """Whether the categories of ``dtype`` come in the same relative order in ``union``."""
    return pd.Index(union.get_indexer(dtype.categories)).is_monotonic_increasing


def _unify_series(parts: list[pd.Series]) -> list[pd.Series]:
    dtypes: list[Any] = [p.dtype for p in parts]
    if all(d == dtypes[0] for d in dtypes):
        return parts
    union = union_categories([d.categories for d in dtypes])
    ordered = any(d.ordered for d in dtypes)
    if ordered and not all(d.ordered and _keeps_order(d, union) for d in dtypes):
        raise TypeError(
            "Cannot concatenate ordered categoricals whose categories are not in one "
            f"order in every partition (joined categories: {union.tolist()!r}); make the "
            "categories the same first (df.categorize(), or .cat.set_categories(...) "
            "with known categories)."
        )
    return [p.astype(pd.CategoricalDtype(union, ordered=ordered)) for p in parts]


def unify_categoricals(parts: list[Any]) -> list[Any]:
    """Cast the categorical columns (and index) of ``parts`` to the union of their categories.

    Partitions whose categories already agree are returned unchanged; then ``pd.concat``
    gives the union instead of falling back to strings.

    >>> a, b = pd.Series(["x"], dtype="category"), pd.Series(["w"], dtype="category")
    >>> pd.concat(unify_categoricals([a, b])).cat.categories.tolist()
    ['w', 'x']
    """
    if len(parts) < 2 or not all(isinstance(p, type(parts[0])) for p in parts):
        return parts
    first = parts[0]
    if isinstance(first.index, pd.CategoricalIndex) and all(
        isinstance(p.index, pd.CategoricalIndex) for p in parts
    ):
        index = _unify_series([p.index.to_series() for p in parts])
        parts = [
            p.set_axis(pd.CategoricalIndex(i, name=i.name))
            for p, i in zip(parts, index, strict=True)
        ]
    if isinstance(first, pd.Series):
        return _unify_series(parts) if isinstance(first.dtype, pd.CategoricalDtype) else parts
    if not isinstance(first, pd.DataFrame) or first.columns.has_duplicates:
        return parts
    out = [p.copy(deep=False) for p in parts]
    for col, dtype in first.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype) and all(col in p for p in parts):
            for p, u in zip(out, _unify_series([p[col] for p in out]), strict=True):
                p[col] = u
    return out


# -- categorize -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Found:
    """A partition's distinct values of a column; ``fixed``: they are the categories of
    a categorical column, in their order, which stay as they are when every partition
    has the same ones (as pandas concatenates such categoricals)."""

    values: pd.Index
    fixed: bool


def _distinct(values: Any) -> _Found:
    """The distinct values of a column or index: its categories if it is categorical."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _Found(pd.Index(values.dtype.categories), True)
    return _Found(pd.Index(values.dropna().unique()), False)


def _join(found: list[_Found]) -> _Found:
    first = found[0]
    if all(f.fixed and f.values.equals(first.values) for f in found):
        return first
    return _Found(_distinct_values([f.values for f in found]), False)


def _column(part: Any, key: Any) -> Any:
    return part if key is SERIES else part[key]


def _chunk(part: Any, columns: list[Any], index: bool) -> dict[Any, _Found]:
    out = {c: _distinct(_column(part, c)) for c in columns}
    if index:
        out[_INDEX] = _distinct(part.index)
    return out


def _combine(parts: list[dict[Any, _Found]]) -> dict[Any, _Found]:
    return {k: _join([p[k] for p in parts]) for k in parts[0]}


def _aggregate(parts: list[dict[Any, _Found]]) -> dict[Any, pd.Index]:
    joined = _combine(parts)
    return {k: f.values if f.fixed else union_categories([f.values]) for k, f in joined.items()}


def find_categories(
    frame: Any, columns: list[Any], index: bool, split_every: int | None, kwargs: dict[str, Any]
) -> dict[Any, pd.Index]:
    """The categories of ``columns`` (and of the index, under the key ``("index",)``, if
    ``index``), computed now in one tree reduction; ``kwargs`` go to ``compute``.

    A column key of :data:`SERIES` means the Series ``frame`` itself.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_dict({"a": ["y", "x", "y"]}, npartitions=2)
    >>> find_categories(df, ["a"], False, None, {})["a"].tolist()
    ['x', 'y']
    """
    return reduction(
        frame,
        partial(_chunk, columns=columns, index=index),
        _combine,
        _aggregate,
        meta=None,
        split_every=split_every,
        prefix="categorize",
    ).compute(**kwargs)


def to_categories(part: Any, dtypes: dict[Any, pd.CategoricalDtype]) -> Any:
    """``part`` with the columns (or the index, or the Series itself: :data:`SERIES`) named
    by ``dtypes`` cast to their categorical dtypes.

    >>> import pandas as pd
    >>> out = to_categories(pd.Series(["b", "a"]), {SERIES: pd.CategoricalDtype(["a", "b"])})
    >>> out.cat.codes.tolist()
    [1, 0]
    """
    if SERIES in dtypes:
        return part.astype(dtypes[SERIES])
    columns = {c: d for c, d in dtypes.items() if c != _INDEX}
    out = part.astype(columns) if columns else part
    if _INDEX in dtypes:
        out = out.set_axis(out.index.astype(dtypes[_INDEX]))
    return out


def _wants(dtype: Any) -> bool:
    """Whether ``categorize`` converts a column of this dtype by default."""
    if isinstance(dtype, pd.CategoricalDtype):
        return not has_known_categories(dtype)
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


def categorize(
    frame: Any,
    columns: Any = None,
    index: bool | None = None,
    split_every: int | None = None,
    **compute_kwargs: Any,
) -> Any:
    """Convert columns (and the index) to categoricals with known categories; see
    :meth:`CategorizeMixin.categorize`.  The categories are computed now, in one pass.

    >>> import tessera.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"s": ["b", "a"]}, dtype=object), npartitions=2)
    >>> categorize(df).compute().s.cat.categories.tolist()
    ['a', 'b']
    """
    meta = frame.meta
    if columns is None:
        columns = [c for c, d in meta.dtypes.items() if _wants(d)]
    elif not isinstance(columns, list | tuple | pd.Index):
        columns = [columns]
    frame._check_columns(list(columns))
    if index is None:
        index = _wants(meta.index.dtype)
    if not columns and not index:
        return frame
    sources = {c: meta[c].dtype for c in columns}
    if index:
        sources[_INDEX] = meta.index.dtype
    dtypes = {k: d for k, d in sources.items() if _is_known(d)}  # kept as they are
    todo = [k for k in sources if k not in dtypes]
    if todo:
        columns_todo = [c for c in todo if c != _INDEX]
        found = find_categories(frame, columns_todo, _INDEX in todo, split_every, compute_kwargs)
        dtypes.update({k: pd.CategoricalDtype(found[k], getattr(sources[k], "ordered", False))
                       for k in todo})  # fmt: skip
    new_meta = to_categories(meta, dtypes)
    out = partitionwise(to_categories, frame, dtypes, meta=new_meta, prefix="categorize")
    if _INDEX not in todo:
        return out
    unknown = (None,) * len(out.divisions)  # the old order of the index is gone
    return new_collection(out.layers, out._name, out.meta, unknown)


def _is_known(dtype: Any) -> bool:
    """Whether ``dtype`` is a categorical with known categories (then kept as it is)."""
    return isinstance(dtype, pd.CategoricalDtype) and has_known_categories(dtype)


class CategorizeMixin:
    """``DataFrame.categorize``."""

    def categorize(
        self,
        columns: Any = None,
        index: bool | None = None,
        split_every: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Convert columns to ``category`` dtype with known categories (computed now).

        Parameters
        ----------
        columns : list, optional
            Columns to convert.  Default: every ``object`` or string column, and every
            categorical column whose categories are unknown.
        index : bool, optional
            Also convert the index.  Default: if it is ``object``/string or an unknown
            categorical.  Divisions become unknown then (the order of the categories is
            not that of the old values).  An index (or column) that already has known
            categories is kept as it is, divisions included.
        split_every : int, optional
            Fan-in of the tree reduction that collects the distinct values.
        **kwargs
            Passed to ``compute`` (``scheduler=``...).

        The categories are those ``astype("category")`` gives on the whole column:
        sorted when the values can be sorted.

        >>> import pandas as pd, tessera.dataframe as dd
        >>> df = dd.from_dict({"a": ["y", "x", "y"], "n": [1, 2, 3]}, npartitions=2)
        >>> df.categorize(["a"]).dtypes["a"]
        CategoricalDtype(categories=['x', 'y'], ordered=False, categories_dtype=str)
        """
        return categorize(self, columns, index, split_every, **kwargs)
