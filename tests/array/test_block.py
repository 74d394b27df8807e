"""da.block against np.block: nesting depths, promotion of dimensions, NumPy's errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tessera.array as da
from tessera.array.testing import assert_eq


def _pair(a: np.ndarray, chunks: Any = 2) -> tuple[np.ndarray, da.Array]:
    return a, da.from_array(a, chunks=chunks)


def test_two_by_two_blocks() -> None:
    a, x = _pair(np.arange(4).reshape(2, 2))
    b, y = _pair(np.ones((2, 3), dtype=int), 1)
    c, z = _pair(np.zeros((1, 5), dtype=int))
    assert_eq(da.block([[x, y], [z]]), np.block([[a, b], [c]]))
    assert_eq(da.block([[x, b], [c]]), np.block([[a, b], [c]]))  # NumPy operands too


def test_depths_and_dimensions() -> None:
    v, x = _pair(np.arange(3))
    assert_eq(da.block([x, x, 7]), np.block([v, v, 7]))  # 1 level: along the last axis
    assert_eq(da.block([[x], [x]]), np.block([[v], [v]]))  # 1-d arrays become rows
    assert_eq(da.block([[[x]], [[x]]]), np.block([[[v]], [[v]]]))  # depth 3 > ndim
    m, y = _pair(np.ones((2, 2, 2)))
    assert_eq(da.block([y, y]), np.block([m, m]))  # ndim 3 > depth 1
    assert_eq(da.block(5), np.block(5))
    assert_eq(da.block(x), np.block(v))


@pytest.mark.parametrize(
    ("arrays", "error", "message"),
    [
        (
            [[1, 2], 3],
            ValueError,
            "First element was at depth 2, .* at depth 1 \\(arrays\\[1\\]\\)",
        ),
        ([], ValueError, "List at arrays cannot be empty"),
        ([[1], []], ValueError, "List at arrays\\[1\\] cannot be empty"),
        (([1],), TypeError, "arrays is a tuple"),
        ([[1], ([2],)], TypeError, "arrays\\[1\\] is a tuple"),
        ([[np.ones((2, 2))], [np.ones((1, 3))]], ValueError, "dimension"),
    ],
)
def test_errors_are_numpys(arrays: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        np.block(arrays)
    with pytest.raises(error, match=message):
        da.block(arrays)
