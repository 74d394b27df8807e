"""Fixtures of the bag tests: schedulers and a spill directory that must end up empty."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tessera import config


@pytest.fixture(params=["sync", "threads", "processes"])
def scheduler(request: pytest.FixtureRequest) -> str:
    """Each local scheduler by name."""
    return str(request.param)


@pytest.fixture
def spill_dir(tmp_path: Path) -> Iterator[Path]:
    """A temporary directory for shuffles; the test fails if anything is left in it."""
    d = tmp_path / "spill"
    d.mkdir()
    with config.set(temporary_directory=str(d)):
        yield d
    gc.collect()
    left = os.listdir(d)
    assert not left, f"shuffle files left behind: {left}"
