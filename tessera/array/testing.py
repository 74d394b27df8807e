"""Testing helpers for arrays: compare a lazy result with NumPy's.

Map
---
- :func:`assert_eq` -- compute ``a`` (and ``b``) and compare shape, dtype and values with
  NumPy's; also checks that the lazy metadata (shape, dtype, chunks) matches what the
  computed result says.

>>> import numpy as np, tessera.array as da
>>> assert_eq(da.arange(4, chunks=3) + 1, np.arange(4) + 1)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tessera.array.core import Array

__all__ = ["assert_eq"]


def _materialize(x: Any, scheduler: Any) -> Any:
    if isinstance(x, Array):
        result = x.compute(scheduler=scheduler)
        result = np.asarray(result)
        if not any(isinstance(c, float) and math.isnan(c) for cs in x.chunks for c in cs):
            assert result.shape == x.shape, (
                f"lazy shape {x.shape} differs from computed shape {result.shape}"
            )
        assert result.dtype == x.dtype, (
            f"lazy dtype {x.dtype} differs from computed dtype {result.dtype}"
        )
        return result
    return x


def assert_eq(
    a: Any,
    b: Any,
    *,
    check_dtype: bool = True,
    scheduler: Any = "sync",
    equal_nan: bool = True,
    **allclose_kwargs: Any,
) -> None:
    """Assert that ``a`` and ``b`` (tessera arrays, NumPy arrays or scalars) are equal.

    Floating point values are compared with ``np.allclose`` (``rtol``/``atol`` may be
    passed), everything else exactly.  ``check_dtype`` compares dtypes too.
    """
    x = np.asarray(_materialize(a, scheduler))
    y = np.asarray(_materialize(b, scheduler))
    assert x.shape == y.shape, f"shapes differ: {x.shape} != {y.shape}"
    if check_dtype:
        assert x.dtype == y.dtype, f"dtypes differ: {x.dtype} != {y.dtype}"
    if x.dtype.kind in "fc" or y.dtype.kind in "fc":
        assert np.allclose(x, y, equal_nan=equal_nan, **allclose_kwargs), f"{x}\n!=\n{y}"
    else:
        assert np.array_equal(x, y), f"{x}\n!=\n{y}"
