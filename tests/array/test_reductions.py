"""Reductions against NumPy: values, dtypes, warnings, errors, graph shape, schedulers."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.exceptions import AxisError

import tessera.array as da
from tessera.array.core import Array
from tessera.array.testing import assert_eq
from tessera.array.treereduce import split_sizes

REDUCTIONS = [
    "sum", "prod", "mean", "min", "max", "any", "all", "std", "var",
    "nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanstd", "nanvar", "count_nonzero",
]  # fmt: skip
ARG = ["argmin", "argmax", "nanargmin", "nanargmax"]
CUMULATIVE = ["cumsum", "cumprod", "nancumsum", "nancumprod"]


# -- comparing with NumPy ---------------------------------------------------------------


def _run(func: Any) -> tuple[Any, type[BaseException] | None]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return func(), None
        except (ValueError, TypeError) as e:
            return None, type(e)


def check(
    name: str, data: np.ndarray, chunks: Any, split_every: Any = None, **kwargs: Any
) -> None:
    """``da.<name>`` equals ``np.<name>``: value, dtype, shape, scalar type, or error type."""
    expected, np_error = _run(lambda: getattr(np, name)(data, **kwargs))
    kw = dict(kwargs, split_every=split_every) if split_every is not None else kwargs
    lazy, error = _run(lambda: getattr(da, name)(da.from_array(data, chunks=chunks), **kw))
    got = None
    if lazy is not None:
        got, error = _run(lambda: lazy.compute(scheduler="sync"))
    what = f"{name}{kwargs} of {data.dtype} {data.shape} in chunks {chunks}"
    assert error is np_error, f"{what}: error {error} but NumPy {np_error}"
    if np_error is not None:
        return
    assert lazy.dtype == np.asarray(expected).dtype, f"{what}: dtype {lazy.dtype}"
    assert lazy.shape == np.shape(expected), f"{what}: shape {lazy.shape}"
    assert type(got) is type(expected), f"{what}: {type(got)} is not {type(expected)}"
    rtol = {np.dtype("f2"): 1e-2, np.dtype("f4"): 1e-4}.get(np.asarray(expected).dtype, 1e-7)
    assert_eq(np.asarray(got), np.asarray(expected), rtol=rtol, atol=rtol)


@st.composite
def partitions(draw: Any, n: int) -> tuple[int, ...]:
    """Block sizes adding up to ``n``, sometimes with empty blocks."""
    if n == 0:
        return (0,)
    cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=3))) if n > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    if draw(st.integers(0, 5)) == 0:
        sizes.insert(draw(st.integers(0, len(sizes))), 0)
    return tuple(sizes)


@st.composite
def cases(draw: Any, max_ndim: int = 3) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """A small array (ints with ties, floats with NaNs, bools) and chunks for it."""
    shape = tuple(draw(st.lists(st.integers(0, 5), max_size=max_ndim)))
    chunks = tuple(draw(partitions(n)) for n in shape)
    kind = draw(st.sampled_from(["i8", "i4", "u1", "f8", "f4", "b1", "c16"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = rng.integers(-3, 4, size=shape).astype(kind)
    if kind in ("f8", "f4", "c16"):
        data = np.asarray(data + rng.random(shape).astype(kind) * draw(st.sampled_from([0, 1])))
        data[rng.random(shape) < draw(st.sampled_from([0.0, 0.3, 1.0]))] = np.nan
    return data, chunks


@st.composite
def axes(draw: Any, ndim: int) -> Any:
    """``None``, one axis or a tuple of axes (negative ones too)."""
    if ndim == 0 or draw(st.booleans()):
        return None
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    chosen = [a - ndim if draw(st.booleans()) else a for a in chosen]
    return chosen[0] if len(chosen) == 1 and draw(st.booleans()) else tuple(chosen)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_reductions_match_numpy(data: Any) -> None:
    array, chunks = data.draw(cases())
    axis = data.draw(axes(array.ndim))
    keepdims = data.draw(st.booleans())
    split_every = data.draw(st.sampled_from([None, 2, 3] + ([{-1: 2}] if array.ndim else [])))
    for name in REDUCTIONS:
        if array.dtype.kind == "c" and name in ("min", "max", "nanmin", "nanmax"):
            continue  # NumPy orders complex numbers lexicographically; covered elsewhere
        split = None if name == "count_nonzero" else split_every
        check(name, array, chunks, split_every=split, axis=axis, keepdims=keepdims)


@SETTINGS
@given(st.data())
def test_arg_reductions_match_numpy(data: Any) -> None:
    array, chunks = data.draw(cases())
    axis = None if array.ndim == 0 else data.draw(st.sampled_from([None, 0, -1]))
    keepdims = data.draw(st.booleans())
    for name in ARG:
        check(name, array, chunks, axis=axis, keepdims=keepdims)


@SETTINGS
@given(st.data())
def test_cumulative_match_numpy(data: Any) -> None:
    array, chunks = data.draw(cases())
    axis = None if array.ndim == 0 else data.draw(st.sampled_from([None, 0, -1]))
    for name in CUMULATIVE:
        check(name, array, chunks, axis=axis)


# -- fixed cases ------------------------------------------------------------------------

RNG = np.random.default_rng(42)
FLOATS = RNG.normal(size=(9, 8, 5))
FLOATS[RNG.random(FLOATS.shape) < 0.1] = np.nan
INTS = RNG.integers(-100, 100, size=(9, 8, 5))
CHUNKINGS = [(9, 8, 5), (4, 3, 2), (1, 8, 5), ((2, 0, 7), (5, 3), (1, 4))]


@pytest.mark.parametrize("chunks", CHUNKINGS)
@pytest.mark.parametrize("name", REDUCTIONS + ARG + CUMULATIVE)
def test_every_function_on_several_chunkings(name: str, chunks: Any) -> None:
    axis_choices = [None, 1, -1] if name in ARG + CUMULATIVE else [None, 0, (0, 2), (-1, 1)]
    for data in (FLOATS, INTS):
        for axis in axis_choices:
            check(name, data, chunks, axis=axis)


@pytest.mark.parametrize(
    ("name", "dtype", "expected"),
    [
        ("sum", "i4", "i8"), ("sum", "u1", "u8"), ("sum", "b1", "i8"), ("sum", "f2", "f2"),
        ("prod", "i2", "i8"), ("mean", "i4", "f8"), ("mean", "f2", "f2"), ("mean", "f4", "f4"),
        ("var", "i8", "f8"), ("std", "c8", "f4"), ("nanmean", "f4", "f4"),
        ("cumsum", "i4", "i8"), ("cumprod", "b1", "i8"), ("argmax", "f4", "i8"),
        ("count_nonzero", "f8", "i8"), ("any", "i8", "b1"), ("min", "u2", "u2"),
    ],
)  # fmt: skip
def test_default_dtypes_follow_numpy(name: str, dtype: str, expected: str) -> None:
    data = np.arange(1, 7).astype(dtype)
    lazy = getattr(da, name)(da.from_array(data, chunks=4))
    assert lazy.dtype == np.dtype(expected) == np.asarray(getattr(np, name)(data)).dtype
    assert_eq(lazy, getattr(np, name)(data), rtol=1e-2)


def test_explicit_dtype_int_wraparound_is_exact() -> None:
    data = np.full(10, 2**30, dtype=np.int64)
    x = da.from_array(data, chunks=3)
    assert_eq(x.sum(dtype=np.int32), data.sum(dtype=np.int32))  # wraps like NumPy
    assert_eq(x.cumsum(dtype=np.int32), data.cumsum(dtype=np.int32))
    big = np.array([2**62, 2**62, 2**62, -5], dtype=np.int64)
    assert_eq(da.from_array(big, chunks=1).sum(), big.sum())
    assert_eq(x.mean(dtype="f4"), data.mean(dtype="f4"))
    assert_eq(x.var(dtype="f4"), data.var(dtype="f4"))


def test_zero_dim_results_are_numpy_scalars() -> None:
    x = da.from_array(INTS, chunks=4)
    assert type(x.sum().compute()) is np.int64
    assert type(x.mean().compute()) is np.float64
    assert type(x.astype("f4").std().compute()) is np.float32
    assert type(x.argmin().compute()) is np.intp
    assert type((x > 0).any().compute()) is np.bool_
    assert type(da.count_nonzero(x).compute()) is type(np.count_nonzero(INTS))
    assert type(da.from_array(np.array(2.5)).sum().compute()) is np.float64


def test_complex_reductions() -> None:
    data = FLOATS[..., 0] + 1j * FLOATS[..., 1]
    data = np.nan_to_num(data)
    for name in ("sum", "prod", "mean", "var", "std", "min", "max", "argmin", "cumsum"):
        check(name, data, (4, 3), axis=0)
        check(name, data, (4, 3))


def test_variance_is_numerically_stable() -> None:
    data = 1e9 + RNG.normal(size=10_000)
    x = da.from_array(data, chunks=700)
    np.testing.assert_allclose(x.var().compute(), data.var(), rtol=1e-7)
    np.testing.assert_allclose(x.std(ddof=1, split_every=2).compute(), data.std(ddof=1), rtol=1e-7)
    naive = (data**2).mean() - data.mean() ** 2  # what a sum of squares gives
    assert abs(naive - data.var()) > 1e-3 * data.var()


def test_arg_ties_go_to_the_first_occurrence_in_flat_order() -> None:
    data = np.zeros((4, 6), dtype=int)
    data[1, 0] = data[0, 5] = -1  # (0, 5) comes first in C order but sits in a later block
    x = da.from_array(data, chunks=(2, 3))
    assert x.argmin().compute() == np.argmin(data) == 5
    data[3, 1] = data[2, 4] = np.iinfo(int).max
    assert_eq(da.from_array(data, chunks=(2, 3)).argmax(), np.argmax(data))
    nans = np.array([[1.0, np.nan], [np.nan, 0.0]])
    assert_eq(da.from_array(nans, chunks=1).argmax(), np.argmax(nans))  # first NaN wins


# -- empties, NaNs, warnings and errors ------------------------------------------------


def test_min_of_an_empty_axis_raises_like_numpy_when_built() -> None:
    x = da.ones((0, 3), chunks=2)
    with pytest.raises(ValueError, match=r"zero-size array to reduction operation minimum "):
        x.min(axis=0)
    with pytest.raises(ValueError, match=r"shape \(0, 3\)"):
        da.nanmax(x)
    with pytest.raises(ValueError, match="attempt to get argmin of an empty sequence"):
        x.argmin()
    assert_eq(x.min(axis=1), np.ones((0, 3)).min(axis=1))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_empty_reductions_with_identity() -> None:
    empty = np.ones((0, 4))
    x = da.from_array(empty, chunks=2)
    assert_eq(x.sum(axis=0), empty.sum(axis=0))
    assert_eq(x.prod(), empty.prod())
    assert_eq(x.cumsum(axis=0), empty.cumsum(axis=0))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        assert math.isnan(x.mean().compute(scheduler="sync"))


def test_all_nan_slices_warn_or_raise_like_numpy() -> None:
    data = np.array([[np.nan, np.nan], [np.nan, 1.0]])
    x = da.from_array(data, chunks=1)
    with pytest.warns(RuntimeWarning, match="All-NaN slice encountered"):
        assert_eq(da.nanmin(x, axis=1), np.array([np.nan, 1.0]))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        assert_eq(da.nanmean(x, axis=0), np.array([np.nan, 1.0]))
    with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0 for slice"):
        assert_eq(da.nanvar(x, axis=1, ddof=1), np.array([np.nan, np.nan]))
    with pytest.raises(ValueError, match="All-NaN slice encountered"):
        da.nanargmin(x, axis=1).compute(scheduler="sync")
    other = np.array([[np.nan, 2.0], [1.0, np.nan]])
    assert_eq(da.nanargmin(da.from_array(other, chunks=1), axis=0), np.array([1, 0]))
    assert_eq(da.nanargmax(da.from_array(other, chunks=1)), np.nanargmax(other))


def test_no_warning_for_an_all_nan_block_in_a_slice_that_has_numbers() -> None:
    x = da.from_array(np.array([np.nan, np.nan, 1.0, 3.0]), chunks=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("nanmin", "nanmax", "nanmean", "nanvar", "nanargmin", "nansum"):
            value = getattr(da, name)(x).compute(scheduler="sync")
            assert value == getattr(np, name)(np.array([np.nan, np.nan, 1.0, 3.0])), name


@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")
def test_ddof_warning_like_numpy() -> None:
    x = da.from_array(np.array([1.0, 2.0]), chunks=1)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom <= 0"):
        assert x.var(ddof=2).compute(scheduler="sync") == np.inf


@pytest.mark.parametrize("name", ["sum", "mean", "var", "nanmin", "argmax", "cumsum"])
def test_bad_axis_raises_axis_error_naming_axis_ndim_and_shape(name: str) -> None:
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(AxisError, match=r"axis 2 is out of bounds for array of dimension 2"):
        getattr(da, name)(x, axis=2)
    with pytest.raises(AxisError, match=r"shape \(3, 4\)"):
        getattr(da, name)(x, axis=-3)
    with pytest.raises(TypeError):
        getattr(da, name)(x, axis=1.5)


def test_axis_tuples() -> None:
    x = da.ones((3, 4), chunks=2)
    with pytest.raises(ValueError, match="repeated axis"):
        x.sum(axis=(0, -2))
    with pytest.raises(TypeError, match="one axis"):
        x.argmin(axis=(0,))
    with pytest.raises(TypeError, match="one axis"):
        x.cumsum(axis=(0, 1))


def test_bad_arguments() -> None:
    x = da.ones((4, 4), chunks=2)
    with pytest.raises(ValueError, match="split_every=1"):
        x.sum(split_every=1)
    with pytest.raises(TypeError, match="split_every must be"):
        x.sum(split_every="4")
    with pytest.raises(ValueError, match="fan-in of axis 0"):
        x.sum(split_every={0: 0})
    with pytest.raises(AxisError):
        x.sum(split_every={5: 2})
    with pytest.raises(TypeError, match="immutable"):
        x.sum(out=np.zeros(()))
    with pytest.raises(TypeError, match="dtype <U3"):
        da.sum(da.from_array(np.array(["abc", "d"]), chunks=1))
    with pytest.raises(ValueError, match="method"):
        x.cumsum(axis=0, method="parallel")


# -- graph: names, sharing, tree shape ------------------------------------------------


def test_names_are_deterministic() -> None:
    for name in REDUCTIONS + ARG + CUMULATIVE:
        a, b = (getattr(da, name)(da.from_array(FLOATS, chunks=3), axis=1) for _ in range(2))
        assert a.name == b.name, name
        assert a.name != getattr(da, name)(da.from_array(FLOATS, chunks=3), axis=0).name


def test_sum_and_mean_of_floats_share_their_tasks() -> None:
    x = da.ones(100, chunks=10) + 1
    s, m = x.sum(), x.mean()
    shared = set(s.__tessera_graph__()) & set(m.__tessera_graph__())
    reading = [k for k in shared if isinstance(k, tuple) and k[0].startswith("sum-")]
    assert len(reading) == 10 + 3  # the chunk tasks and the first combine level
    assert da.compute(s, m, scheduler="sync") == (200.0, 2.0)


def _fan_in(arr: Array, skip: set[str]) -> int:
    """The most dependencies of one task in the layers of ``arr`` not in ``skip``."""
    graph = arr.__tessera_graph__()

    def count(arg: Any) -> int:
        if isinstance(arg, tuple) and arg and isinstance(arg[0], str):
            return 1 if arg in graph else 0
        if isinstance(arg, (list, tuple)):
            return sum(count(a) for a in arg)
        return 0

    return max(
        count(t) for n, layer in arr.layers.items() if n not in skip for t in layer.values()
    )


@pytest.mark.parametrize(
    ("split_every", "axis", "fan_in", "layers"),
    [
        (None, 0, 4, 4),  # 64 -> 16 -> 4 -> 1
        (None, None, 16, 4),  # 4 x 4 per task
        (2, 0, 2, 7),
        (64, 0, 64, 2),  # chunk, then everything at once
        ({0: 1}, None, 128, 3),  # axis 0 only at the last step
    ],
)
def test_split_every_bounds_the_fan_in(
    split_every: Any, axis: Any, fan_in: int, layers: int
) -> None:
    x = da.ones((64, 8), chunks=1)
    s = x.sum(axis=axis, split_every=split_every)
    assert _fan_in(s, set(x.layers)) == fan_in
    assert len(s.layers) - len(x.layers) == layers
    assert_eq(s, np.ones((64, 8)).sum(axis=axis))


def test_split_sizes() -> None:
    assert split_sizes(None, (0, 1), 2) == {0: 4, 1: 4}
    assert split_sizes(8, (0, 1, 2), 3) == {0: 2, 1: 2, 2: 2}
    assert split_sizes({1: 1}, (0, 1), 2) == {0: 4, 1: 1}


def test_empty_blocks_are_not_read() -> None:
    x = da.from_array(np.arange(6.0), chunks=((2, 0, 0, 4),))
    s = x.sum(split_every=8)
    assert len(s.layers) == len(x.layers) + 2
    chunk_layer = next(n for n in s.layers if n not in x.layers and n != s.name)
    assert len(s.layers[chunk_layer]) == 2
    assert_eq(s, 15.0)


def test_one_block_on_the_reduced_axes_is_one_task_per_output_block() -> None:
    x = da.ones((8, 6), chunks=(2, 6))
    s = x.sum(axis=1)
    assert len(s.layers[s.name]) == 4 and len(s.layers) == len(x.layers) + 1
    assert_eq(s, np.full(8, 6.0))
    assert s.sum(axis=0, keepdims=True).chunks == ((1,),)
    assert x.max(axis=1, keepdims=True).chunks == ((2, 2, 2, 2), (1,))


# -- the waist ---------------------------------------------------------------------------


def _count_total(block: np.ndarray, axis: Any, keepdims: bool) -> dict[str, np.ndarray]:
    shape = [1 if a in axis else n for a, n in enumerate(block.shape)]
    count = math.prod(block.shape[a] for a in axis)
    return {"n": np.full(shape, count), "total": block.sum(axis=axis, keepdims=True)}


def _combine_pairs(parts: dict[str, Any], axis: Any, keepdims: bool) -> dict[str, Any]:
    return {k: v.sum(axis=axis, keepdims=keepdims) for k, v in parts.items()}


def _average(parts: dict[str, Any], axis: Any, keepdims: bool) -> Any:
    both = _combine_pairs(parts, axis, keepdims)
    return both["total"] / both["n"]


def test_generic_reduction_with_dict_partials() -> None:
    x = da.from_array(INTS, chunks=(2, 3, 5))
    r = da.reduction(x, _count_total, _average, combine=_combine_pairs, axis=(0, 1), dtype="f8")
    assert_eq(r, INTS.mean(axis=(0, 1)))
    inferred = da.reduction(x, _count_total, _average, combine=_combine_pairs, axis=0)
    assert inferred.dtype == np.float64
    assert r.name.startswith("average-")
    named = da.reduction(x, np.sum, np.sum, name="total", dtype=int)
    assert named.name.startswith("total-") and named.compute() == INTS.sum()


def _listed(nested: Any, axis: Any, keepdims: bool) -> Any:
    assert isinstance(nested, list)
    return np.sum([np.sum(p) for p in nested], keepdims=keepdims)


def test_generic_reduction_without_concatenation_and_with_output_size() -> None:
    x = da.from_array(np.arange(20), chunks=3)
    r = da.reduction(x, np.sum, _listed, axis=0, concatenate=False, split_every=3, dtype=int)
    assert r.compute() == 190

    def top2(a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        return np.sort(a, axis=axis[0])[-2:]

    t = da.reduction(x, top2, top2, axis=0, keepdims=True, output_size=2, dtype=int)
    assert t.chunks == ((2,),)
    assert_eq(t, np.array([18, 19]))


def test_unknown_chunk_sizes() -> None:
    data = np.arange(20.0).reshape(4, 5)
    x = da.from_array(data, chunks=((2, 0, 2), (2, 3)))
    nan = math.nan
    u = Array(x.layers, x.name, ((nan, nan, nan), (nan, nan)), x.dtype)
    for name in ("sum", "mean", "var", "nanmean", "min", "nanmax", "count_nonzero", "cumsum"):
        for axis in (0, None) if name != "cumsum" else (0,):
            got = getattr(da, name)(u, axis=axis).compute(scheduler="sync")
            np.testing.assert_allclose(got, getattr(np, name)(data, axis=axis))
    assert math.isnan(u.sum(axis=1).chunks[0][0])
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        u.argmin(axis=0)


# -- methods, NumPy dispatch, schedulers -----------------------------------------------


def test_methods_and_numpy_functions_stay_lazy() -> None:
    x = da.from_array(FLOATS, chunks=4)
    for name in ("sum", "prod", "mean", "min", "max", "std", "var", "argmin", "argmax", "cumsum"):
        lazy = getattr(np, name)(x)
        assert isinstance(lazy, Array), name
        assert_eq(lazy, getattr(np, name)(FLOATS))
    assert_eq(np.std(x, ddof=1, axis=0), np.std(FLOATS, ddof=1, axis=0))
    assert_eq(np.any(x > 2), np.any(FLOATS > 2))
    assert_eq(x.cumprod(axis=1), FLOATS.cumprod(axis=1))
    assert_eq(x.sum(0, keepdims=True), FLOATS.sum(0, keepdims=True))


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_schedulers(scheduler: str) -> None:
    data = np.nan_to_num(FLOATS)
    x = da.from_array(data, chunks=(4, 3, 5))
    for lazy, expected in [
        (x.sum(axis=(0, 2)), data.sum(axis=(0, 2))),
        (x.mean(), data.mean()),
        (x.var(axis=1, ddof=1), data.var(axis=1, ddof=1)),
        (x.argmin(axis=0), data.argmin(axis=0)),
        (x.argmax(), data.argmax()),
        (da.nanmax(x, axis=-1), np.nanmax(data, axis=-1)),
        (x.cumsum(axis=1), data.cumsum(axis=1)),
    ]:
        assert_eq(lazy, expected, scheduler=scheduler)
    assert x.sum().compute(scheduler=scheduler) == pytest.approx(data.sum())
