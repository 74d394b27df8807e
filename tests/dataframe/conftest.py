"""Shared frames for the dataframe tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

NPARTS = [1, 2, 3, 7]


@pytest.fixture
def pdf() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 20
    return pd.DataFrame(
        {
            "k": rng.integers(0, 4, n),
            "x": rng.integers(-5, 6, n),
            "y": rng.normal(size=n),
            "z": np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            "s": rng.choice(["a", "b", "c"], n).astype(object),
            "b": rng.random(n) < 0.5,
        },
        index=pd.Index(np.arange(n) * 2, name="idx"),
    )
