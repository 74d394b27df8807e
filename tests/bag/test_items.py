"""Item: arithmetic, apply, compute/persist, use as an argument."""

from __future__ import annotations

import operator

import pytest

import tessera.bag as db
from tessera.bag import Item


def total() -> Item:
    return db.from_sequence([1, 2, 3, 4], npartitions=2).sum()


@pytest.mark.parametrize(
    "op",
    [
        operator.add,
        operator.sub,
        operator.mul,
        operator.truediv,
        operator.floordiv,
        operator.mod,
        operator.pow,
        operator.and_,
        operator.or_,
        operator.xor,
        operator.lt,
        operator.le,
        operator.gt,
        operator.ge,
    ],
)
def test_binary_operators(op: object) -> None:
    f = op  # type: ignore[assignment]
    assert f(total(), 3).compute(scheduler="sync") == f(10, 3)  # type: ignore[operator]
    assert f(3, total()).compute(scheduler="sync") == f(3, 10)  # type: ignore[operator]
    assert f(total(), total()).compute(scheduler="sync") == f(10, 10)  # type: ignore[operator]


def test_unary_operators() -> None:
    assert (-total()).compute(scheduler="sync") == -10
    assert (+total()).compute(scheduler="sync") == 10
    assert abs(-total()).compute(scheduler="sync") == 10
    assert (~total()).compute(scheduler="sync") == ~10


def test_expressions_and_processes() -> None:
    b = db.from_sequence(range(10), npartitions=3)
    mean = b.sum() / b.count()
    assert mean.compute() == 4.5
    assert ((mean * 2 + 1) - b.min()).compute() == 10.0


def test_apply_and_conversions() -> None:
    t = total()
    assert t.apply(lambda x: [x] * 2).compute(scheduler="sync") == [10, 10]
    with pytest.raises(TypeError, match="apply must be a callable"):
        t.apply(3)  # type: ignore[arg-type]
    assert int(t) == 10 and float(t) == 10.0 and complex(t) == 10 and bool(t)


def test_item_and_bag_do_not_combine() -> None:
    b = db.from_sequence([1])
    with pytest.raises(TypeError, match=r"bag\.map"):
        total() + b  # type: ignore[operator]


def test_items_are_hashable_and_compare_by_identity() -> None:
    t = total()
    assert t in {t}
    assert t == t and t != total()


def test_persist_and_keys() -> None:
    t = total() * 2
    p = t.persist(scheduler="sync")
    assert isinstance(p, Item) and p.compute(scheduler="sync") == 20
    assert t.__tessera_keys__() == [t.key]
    assert len(t.dask) > 1
    assert (total() * 2).key == t.key


def test_item_from_plain_graph() -> None:
    assert Item({("x", 0): 5}, ("x", 0)).compute(scheduler="sync") == 5
