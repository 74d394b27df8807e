"""Testing helpers for dataframes: compare a lazy result with pandas'.

Map
---
- :func:`assert_eq` -- compute ``a`` (and ``b``) and compare with
  ``pandas.testing.assert_frame_equal``/``assert_series_equal`` (dtypes checked), or
  scalars with ``==``/``isclose``; also checks that the lazy ``meta`` (columns, dtypes)
  matches what was computed, and that partitions respect known divisions.

>>> import pandas as pd, tessera.dataframe as dd
>>> pdf = pd.DataFrame({"a": [1, 2, 3]})
>>> assert_eq(dd.from_pandas(pdf, npartitions=2) + 1, pdf + 1)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from tessera.dataframe.categorical import UNKNOWN_CATEGORIES
from tessera.dataframe.core import _Frame
from tessera.dataframe.index import Index
from tessera.dataframe.scalar import Scalar

__all__ = ["assert_eq"]


def _check_divisions(x: _Frame, scheduler: Any) -> None:
    if not x.known_divisions:
        return
    for i in range(x.npartitions):
        part = x.get_partition(i).compute(scheduler=scheduler)
        if len(part):
            lo, hi = x.divisions[i], x.divisions[i + 1]
            assert part.index.min() >= lo, f"partition {i} starts before division {lo!r}"
            last = i == x.npartitions - 1
            assert part.index.max() <= hi if last else part.index.max() < hi, (
                f"partition {i} ends after division {hi!r}"
            )


def _declared(lazy: Any, computed: Any) -> Any:
    """The lazy dtype; unknown categories match any categorical dtype (as in Dask)."""
    unknown = isinstance(lazy, pd.CategoricalDtype) and UNKNOWN_CATEGORIES in lazy.categories
    return computed if unknown and isinstance(computed, pd.CategoricalDtype) else lazy


def _materialize(x: Any, scheduler: Any, check_divisions: bool) -> Any:
    if isinstance(x, Index):  # its meta is the Series of its labels; it computes to an Index
        result = x.compute(scheduler=scheduler)
        assert isinstance(result, pd.Index), f"{type(result)} is not a pandas Index"
        lazy = _declared(x.dtype, result.dtype)
        assert result.dtype == lazy, f"lazy dtype {x.dtype} != {result.dtype}"
        assert result.name == x.name, f"lazy name {x.name!r} != {result.name!r}"
        return result
    if isinstance(x, _Frame):
        result = x.compute(scheduler=scheduler)
        assert type(result) is type(x.meta), f"{type(result)} != meta {type(x.meta)}"
        if isinstance(result, pd.DataFrame):
            pd.testing.assert_index_equal(result.columns, x.meta.columns)
            declared = [_declared(a, b) for a, b in zip(x.meta.dtypes, result.dtypes, strict=True)]
            lazy = pd.Series(declared, index=x.meta.dtypes.index, dtype=object)
            pd.testing.assert_series_equal(result.dtypes, lazy, obj="lazy dtypes")
        else:
            lazy = _declared(x.meta.dtype, result.dtype)
            assert result.dtype == lazy, f"lazy dtype {x.meta.dtype} != {result.dtype}"
        if check_divisions:
            _check_divisions(x, scheduler)
        return result
    if isinstance(x, Scalar):
        return x.compute(scheduler=scheduler)
    return x


def assert_eq(
    a: Any,
    b: Any,
    *,
    check_dtype: bool = True,
    check_divisions: bool = True,
    scheduler: Any = "sync",
    **kwargs: Any,
) -> None:
    """Assert that ``a`` and ``b`` (tessera collections, pandas objects or scalars) are equal.

    Extra keywords go to pandas' ``assert_*_equal`` (``check_exact``, ``rtol``...); scalars
    honour ``rtol`` (default 1e-9) and ``atol`` (default 0).

    >>> import tessera.dataframe as dd
    >>> assert_eq(dd.from_dict({"a": [1.0]}, npartitions=1).a.sum(), 1.0)
    """
    x = _materialize(a, scheduler, check_divisions)
    y = _materialize(b, scheduler, check_divisions)
    if isinstance(x, pd.DataFrame):
        assert isinstance(y, pd.DataFrame), f"DataFrame != {type(y).__name__}"
        pd.testing.assert_frame_equal(x, y, check_dtype=check_dtype, **kwargs)
    elif isinstance(x, pd.Series):
        assert isinstance(y, pd.Series), f"Series != {type(y).__name__}"
        pd.testing.assert_series_equal(x, y, check_dtype=check_dtype, **kwargs)
    elif isinstance(x, pd.Index):
        assert isinstance(y, pd.Index), f"Index != {type(y).__name__}"
        pd.testing.assert_index_equal(
            x, y, exact="equiv" if check_dtype else False, **{"check_freq": False, **kwargs}
        )
    elif isinstance(x, float | np.floating) or isinstance(y, float | np.floating):
        if check_dtype and isinstance(x, np.generic) and isinstance(y, np.generic):
            assert x.dtype == y.dtype, f"dtypes differ: {x.dtype} != {y.dtype}"
        rtol, atol = kwargs.get("rtol", 1e-9), kwargs.get("atol", 0.0)
        close = math.isclose(x, y, rel_tol=rtol, abs_tol=atol)
        assert (math.isnan(x) and math.isnan(y)) or close, f"{x}!={y}"
    else:
        if check_dtype and isinstance(x, np.generic) and isinstance(y, np.generic):
            assert x.dtype == y.dtype, f"dtypes differ: {x.dtype} != {y.dtype}"
        assert x == y, f"{x!r} != {y!r}"
