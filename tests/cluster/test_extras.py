"""Both engines are optional: imported lazily, and a clear error names the extra."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import tessera
from tessera.scheduling.distributed import import_distributed
from tessera.scheduling.ray import RayScheduler, import_ray


def test_the_adapters_import_no_engine() -> None:
    code = (
        "import sys, tessera.scheduling.distributed, tessera.scheduling.ray; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert not {"dask", "distributed", "ray"} & set(out.stdout.split())


def test_without_distributed_the_error_names_the_extra(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "tessera\[distributed\]"'):
        import_distributed()
    with pytest.raises(ImportError, match=r"tessera\[distributed\]"):
        tessera.compute(_One(), scheduler="distributed")


def test_without_ray_the_error_names_the_extra(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r'pip install "tessera\[ray\]"'):
        import_ray()
    with pytest.raises(ImportError, match=r"tessera\[ray\]"):
        RayScheduler()({"a": 1}, "a")


class _One(tessera.base.Collection):
    def __tessera_graph__(self) -> dict[str, int]:
        return {"one": 1}

    def __tessera_keys__(self) -> list[str]:
        return ["one"]

    def __tessera_postcompute__(self) -> Any:
        return (lambda results: results[0]), ()
