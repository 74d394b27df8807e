"""tokenize: deterministic for equal inputs, different for different ones."""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass
from enum import Enum
from operator import add

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from tessera import tokenize


@dataclass
class Point:
    x: int
    y: float


class Color(Enum):
    RED = 1


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@given(values)
def test_equal_values_equal_tokens(v: object) -> None:
    import copy

    assert tokenize(v) == tokenize(copy.deepcopy(v))


def test_types_are_distinguished() -> None:
    tokens = {tokenize(v) for v in [1, 1.0, True, "1", b"1", (1,), [1], {1}]}
    assert len(tokens) == 8


def test_functions_partials_dataclasses_enums() -> None:
    assert tokenize(add) == tokenize(add) != tokenize(max)
    assert tokenize(functools.partial(add, 1)) == tokenize(functools.partial(add, 1))
    assert tokenize(functools.partial(add, 1)) != tokenize(functools.partial(add, 2))
    assert tokenize(Point(1, 2.0)) == tokenize(Point(1, 2.0)) != tokenize(Point(1, 3.0))
    assert tokenize(Color.RED) == tokenize(Color.RED)
    assert tokenize(lambda x: x + 1) == tokenize(lambda x: x + 1)
    assert tokenize(lambda x: x + 1) != tokenize(lambda x: x + 2)


def test_numpy_and_pandas() -> None:
    a = np.arange(10.0)
    assert tokenize(a) == tokenize(a.copy()) != tokenize(a + 1)
    assert tokenize(a[::2]) == tokenize(np.ascontiguousarray(a[::2]))
    assert tokenize(a.astype("f4")) != tokenize(a)
    assert tokenize(np.float64(1.5)) == tokenize(np.float64(1.5)) != tokenize(np.float32(1.5))
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert tokenize(df) == tokenize(df.copy())
    assert tokenize(df) != tokenize(df.assign(a=[1, 3]))
    assert tokenize(df["a"]) != tokenize(df["a"].rename("c"))
    assert tokenize(pd.Index([1, 2])) != tokenize(pd.Index([1, 3]))
    lists = pd.DataFrame({"a": [[1, 2], []], "b": [{"k": 1}, None]})  # unhashable cells
    assert tokenize(lists) == tokenize(lists.copy()) != tokenize(lists.assign(a=[[1], []]))


def test_deterministic_across_processes() -> None:
    code = (
        "from tessera import tokenize; from operator import add; "
        "print(tokenize(add, 1, [2, 'x'], {'k': 1.5}))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert len(outs) == 1
    from tessera import tokenize as tk

    assert outs.pop().strip() == tk(add, 1, [2, "x"], {"k": 1.5})


def test_unpicklable_objects_get_a_random_token() -> None:
    import threading

    lock = threading.Lock()
    assert tokenize(lock) != tokenize(lock)
