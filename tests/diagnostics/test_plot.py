"""visualize_profile: the files it writes hold what was profiled."""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import pytest

from tessera.diagnostics import (
    CacheProfiler,
    Profiler,
    ResourceProfiler,
    TaskData,
    visualize_profile,
)
from tessera.diagnostics import plot as plot_mod
from tessera.diagnostics.timeline import gather
from tessera.scheduling import multiprocessing, threaded
from tests.diagnostics.tasks import inc


def graph() -> dict[Any, Any]:
    dsk: dict[Any, Any] = {("load-1234abcd", i): (inc, i) for i in range(6)}
    dsk.update({("double-99887766", i): (inc, ("load-1234abcd", i)) for i in range(6)})
    dsk["total-abcdef12"] = (sum, [("double-99887766", i) for i in range(6)])
    return dsk


@pytest.fixture(scope="module")
def profiled() -> tuple[Profiler, ResourceProfiler, CacheProfiler]:
    with Profiler() as prof, ResourceProfiler(dt=0.005) as rprof, CacheProfiler() as cprof:
        multiprocessing.get(graph(), "total-abcdef12")
    return prof, rprof, cprof


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_html_holds_groups_workers_and_resources(profiled: Any, tmp_path: Path) -> None:
    prof, rprof, cprof = profiled
    path = tmp_path / "profile.html"
    assert visualize_profile([prof, rprof, cprof], filename=path) == str(path)
    text = path.read_text()
    assert text.lstrip().lower().startswith("<!doctype html>")
    assert "cdn.bokeh.org" not in text  # self-contained: bokeh's JavaScript is inline
    for group in ("load", "double", "total"):
        assert f'"{group}"' in text
    for worker in {t.worker_id for t in prof.results}:
        assert f"worker {worker}" in text
    assert "CPU (%)" in text and "memory (MB)" in text and "Results held (bytes)" in text
    assert os.listdir(tmp_path) == ["profile.html"]


def test_png_image_and_its_size(profiled: Any, tmp_path: Path) -> None:
    prof, rprof, cprof = profiled
    one = tmp_path / "tasks.png"
    visualize_profile(prof, filename=one)
    width, height = png_size(one)
    assert width == 1000 and 100 < height < 1000
    three = tmp_path / "all.png"
    visualize_profile([prof, rprof, cprof], filename=three)
    assert png_size(three)[1] > height  # two more panels below the tasks


def test_svg_names_the_groups(profiled: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.svg"
    visualize_profile(profiled[0], filename=path)
    text = path.read_text()
    assert "<svg" in text and "load" in text and "double" in text


def test_records_instead_of_profilers(tmp_path: Path) -> None:
    records = [TaskData(("a-1234abcd", 0), None, 5.0, 6.0, 11), TaskData("b", None, 6, 7, 12)]
    path = tmp_path / "r.html"
    visualize_profile(records, filename=path)
    text = path.read_text()
    assert "worker 11" in text and "worker 12" in text and '"a"' in text


def test_timeline_puts_everything_on_one_axis() -> None:
    from tessera.diagnostics import CacheData, ResourceData

    tl = gather(
        [
            [TaskData("t", None, 10.0, 12.0, 1), TaskData("u", None, 11.0, 13.0, 2)],
            [ResourceData(9.0, 100.0, 50.0)],
            [CacheData("t", None, 8, 12.0, 13.0)],
        ]
    )
    assert tl.origin == 9.0
    assert [(b.lane, b.start, b.end) for b in tl.bars] == [(0, 1.0, 3.0), (1, 2.0, 4.0)]
    assert tl.workers == [1, 2] and tl.times == [0.0]
    assert tl.cache_times == [3.0, 4.0] and tl.cache_sizes == [8.0, 0.0]
    assert tl.end == 4.0


def test_bad_extension_and_empty_profilers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.html, \.png, \.svg or \.pdf"):
        visualize_profile([], filename=tmp_path / "p.gif")
    with pytest.raises(ValueError, match="hold no records"):
        visualize_profile([Profiler()], filename=tmp_path / "p.png")
    with pytest.raises(TypeError, match="expects profilers"):
        visualize_profile([3], filename=tmp_path / "p.png")
    assert os.listdir(tmp_path) == []


def test_failed_render_leaves_no_file(
    profiled: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tessera.diagnostics import plot_png

    def broken(tl: Any, path: str, title: str) -> None:
        Path(path).write_bytes(b"partial")
        raise RuntimeError("render failed")

    monkeypatch.setattr(plot_png, "render_image", broken)
    with pytest.raises(RuntimeError, match="render failed"):
        plot_mod.visualize_profile(profiled[0], filename=tmp_path / "p.png")
    assert os.listdir(tmp_path) == []


def test_missing_plotting_library_names_the_extra(
    profiled: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "bokeh.plotting", None)
    extra = r"pip install \"tessera\[diagnostics\]\""
    with pytest.raises(ImportError, match=rf"needs the 'bokeh' package.*{extra}"):
        visualize_profile(profiled[0], filename=tmp_path / "p.html")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=rf"needs the 'matplotlib' package.*{extra}"):
        visualize_profile(profiled[0], filename=tmp_path / "p.png")
    assert os.listdir(tmp_path) == []


def test_profiler_visualize_methods(tmp_path: Path) -> None:
    with Profiler() as prof, ResourceProfiler(dt=0.01) as rprof, CacheProfiler() as cprof:
        threaded.get(graph(), "total-abcdef12")
    for n, p in enumerate((prof, rprof, cprof)):
        path = tmp_path / f"{n}.png"
        assert p.visualize(str(path)) == str(path)
        png_size(path)
