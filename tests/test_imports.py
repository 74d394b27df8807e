"""Import hygiene: the scheduling layer stays free of numpy/pandas; no dask, no ray."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_scheduling_imports_no_numpy_or_pandas() -> None:
    mods = _modules_after(
        "import tessera.scheduling, tessera.scheduling.threaded, "
        "tessera.scheduling.multiprocessing, tessera"
    )
    assert "numpy" not in mods and "pandas" not in mods


def test_tessera_imports_no_dask_distributed_or_ray() -> None:
    mods = _modules_after("import tessera")
    assert not {"dask", "distributed", "ray"} & {m.split(".")[0] for m in mods}
