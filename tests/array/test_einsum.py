"""einsum against NumPy: subscripts of every kind, any chunking, dtypes, errors, schedulers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tessera.array as da
from tessera.array.einsumfuncs import parse_subscripts
from tessera.array.testing import assert_eq
from tests.array.strategies import chunks_for

# subscripts and the operand shapes they need
CASES = [
    ("ij,jk->ik", [(5, 4), (4, 6)]),
    ("ij,jk", [(5, 4), (4, 6)]),
    ("ij->ji", [(5, 4)]),
    ("ij->", [(5, 4)]),
    ("ij->j", [(5, 4)]),
    ("ii", [(5, 5)]),
    ("ii->i", [(5, 5)]),
    ("i,i", [(7,), (7,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,j", [(3,), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ijk,kj->i", [(3, 4, 5), (5, 4)]),
    ("...i,i->...", [(2, 3, 4), (4,)]),
    ("i...->...", [(3, 2, 4)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("zA,Az->", [(3, 4), (4, 3)]),
    ("ij,jk,kl->il", [(3, 4), (4, 5), (5, 2)]),
    ("i,i", [(1,), (6,)]),  # a label of length 1 broadcasts
    (",ij->ij", [(), (3, 4)]),
]


def _operands(shapes: list[tuple[int, ...]], dtype: Any = "f8") -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [(rng.integers(-5, 6, size=s)).astype(dtype) for s in shapes]


@pytest.mark.parametrize(("subscripts", "shapes"), CASES)
@pytest.mark.parametrize("chunks", [1, 2, 3, -1])
def test_against_numpy(subscripts: str, shapes: list[tuple[int, ...]], chunks: int) -> None:
    arrays = _operands(shapes)
    lazy = [da.from_array(a, chunks=chunks) for a in arrays]
    assert_eq(da.einsum(subscripts, *lazy), np.einsum(subscripts, *arrays))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_chunking(data: Any) -> None:
    subscripts, shapes = data.draw(st.sampled_from(CASES))
    arrays = _operands(shapes)
    lazy = [da.from_array(a, chunks=data.draw(chunks_for(a.shape))) for a in arrays]
    split_every = data.draw(st.sampled_from([None, 2]))
    assert_eq(
        da.einsum(subscripts, *lazy, split_every=split_every), np.einsum(subscripts, *arrays)
    )


@pytest.mark.parametrize("dtype", ["i4", "i8", "f4", "c16", "?"])
def test_dtypes(dtype: str) -> None:
    a, b = _operands([(6, 5), (5, 4)], dtype)
    x, y = da.from_array(a, chunks=2), da.from_array(b, chunks=3)
    assert_eq(da.einsum("ij,jk", x, y), np.einsum("ij,jk", a, b))
    assert_eq(da.einsum("ij->", x), np.einsum("ij->", a))
    wide = np.result_type(dtype, "f8")
    assert_eq(da.einsum("ij,jk", x, y, dtype=wide), np.einsum("ij,jk", a, b, dtype=wide))


def test_int32_wraps_around_as_numpy() -> None:
    a = np.full(10, 2**30, dtype="i4")
    assert_eq(da.einsum("i->", da.from_array(a, chunks=3)), np.einsum("i->", a))


def test_interleaved_form_and_optimize() -> None:
    a, b, c = _operands([(3, 4), (4, 5), (5, 2)])
    x, y, z = (da.from_array(v, chunks=2) for v in (a, b, c))
    assert_eq(da.einsum(x, [0, 1], y, [1, 2]), np.einsum(a, [0, 1], b, [1, 2]))
    assert_eq(da.einsum(x, [0, 1], y, [1, 2], [2, 0]), np.einsum(a, [0, 1], b, [1, 2], [2, 0]))
    assert_eq(da.einsum(x, [..., 1], [...]), np.einsum(a, [..., 1], [...]))
    for optimize in (True, "greedy", "optimal"):
        assert_eq(
            da.einsum("ij,jk,kl->il", x, y, z, optimize=optimize),
            np.einsum("ij,jk,kl->il", a, b, c, optimize=optimize),
        )


def test_mixes_numpy_and_tessera_operands() -> None:
    a, b = _operands([(4, 3), (3,)])
    assert_eq(da.einsum("ij,j->i", da.from_array(a, chunks=2), b), np.einsum("ij,j->i", a, b))


def test_graph_is_deterministic_and_lazy() -> None:
    x = da.ones((4, 4), chunks=2)
    assert da.einsum("ij,jk", x, x).name == da.einsum("ij,jk", x, x).name
    assert da.einsum("ij,jk", x, x).name != da.einsum("ij,kj", x, x).name
    assert da.einsum("ij,jk", x, x).chunks == ((2, 2), (2, 2))


@pytest.mark.parametrize(
    ("subscripts", "shapes", "error"),
    [
        ("ij,jk", [(2, 3), (4, 2)], ValueError),  # label sizes differ
        ("ijk", [(2, 3)], ValueError),  # too many labels
        ("ii", [(2, 3)], ValueError),  # repeated label of two lengths
        ("i->j", [(2,)], ValueError),  # output label not in the inputs
        ("i,j", [(2,)], ValueError),  # too few operands
        ("i->ii", [(2,)], ValueError),  # output label twice
        ("i1", [(2, 2)], ValueError),  # not a letter
        ("i.,i", [(2,), (2,)], ValueError),  # a lone dot
    ],
)
def test_errors_are_numpys(subscripts: str, shapes: list[tuple[int, ...]], error: Any) -> None:
    arrays = _operands(shapes)
    with pytest.raises(error) as expected:
        np.einsum(subscripts, *arrays)
    with pytest.raises(error) as got:
        da.einsum(subscripts, *[da.from_array(a, chunks=1) for a in arrays])
    if subscripts not in ("ij,jk", "ii"):  # einsum_path words size mismatches its own way
        assert str(got.value) == str(expected.value)


def test_other_errors() -> None:
    x = da.ones(3, chunks=2)
    with pytest.raises(TypeError, match="cast"):
        da.einsum("i,i", x, x, dtype="i4")
    with pytest.raises(TypeError, match="out="):
        da.einsum("i", x, out=np.empty(3))
    with pytest.raises(TypeError, match="subscripts"):
        da.einsum()
    with pytest.raises(ValueError, match="interleaved"):
        da.einsum(x, ["a"])
    with pytest.raises(ValueError, match="unknown"):
        da.einsum("i,i", x[x > 0], x)


def test_parse_subscripts() -> None:
    assert parse_subscripts("ij,jk->ik", [2, 2]) == (["ij", "jk"], "ik")
    assert parse_subscripts("...,i", [0, 1]) == (["", "i"], "i")
    assert parse_subscripts("...j,j...->", [3, 2]) == (["ABj", "jB"], "")
    assert parse_subscripts("ba", [2]) == (["ba"], "ab")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    a, b = _operands([(6, 4), (4, 5)])
    x, y = da.from_array(a, chunks=2), da.from_array(b, chunks=(1, 5))
    assert_eq(da.einsum("ij,jk->ki", x, y), np.einsum("ij,jk->ki", a, b), scheduler=scheduler)
