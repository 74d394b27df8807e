"""Graph pictures: DOT text (no Graphviz needed) and rendered files (needs `dot`)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from operator import add
from pathlib import Path
from typing import Any

import pytest

import tessera
import tessera.array as da
import tessera.bag as db
from tessera.diagnostics import graph_picture, to_dot
from tessera.diagnostics.dot import COLLAPSE_THRESHOLD

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot program is not installed"
)

DSK = {"a": 1, "b": (add, "a", 1), "c": (add, "a", "b"), "d": (add, "c", 1)}


def nodes(text: str) -> dict[str, str]:
    """Node id -> its attribute text."""
    return dict(re.findall(r"^  (n\d+) \[(.*)\];$", text, flags=re.M))


def edges(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^  (n\d+) -> (n\d+)", text, flags=re.M)


def test_one_node_per_task_and_one_edge_per_dependency() -> None:
    text = to_dot(DSK, ["d"], color=None)
    found = nodes(text)
    labels = {re.search(r'label="([^"]*)"', a).group(1): n for n, a in found.items()}  # type: ignore[union-attr]
    assert set(labels) == {"a", "b", "c", "d"}
    pairs = {(labels[x], labels[y]) for x, y in [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")]}
    assert set(edges(text)) == pairs
    assert 'shape="box"' in found[labels["a"]]  # data
    assert 'shape="ellipse"' in found[labels["d"]]  # task
    assert 'peripheries="2"' in found[labels["d"]]  # the output
    assert "fillcolor" not in "".join(found.values())


def test_only_what_the_outputs_need_is_drawn() -> None:
    assert len(nodes(to_dot(DSK, ["b"]))) == 2


def test_color_by_order_runs_blue_to_red() -> None:
    text = to_dot({("x", i): (add, ("x", i - 1), 1) if i else 0 for i in range(5)}, [("x", 4)])
    fills = [re.search(r'fillcolor="(#\w+)"', a).group(1) for a in nodes(text).values()]  # type: ignore[union-attr]
    assert fills[0] == "#6b90d6" and fills[-1] == "#d66b6b"  # first to run, last to run
    assert len(set(fills)) == 5


def test_color_by_group() -> None:
    x = da.ones((4, 4), chunks=2) + 1
    dsk, keys = graph_picture.graph_and_keys((x,))
    text = to_dot(dsk, keys, color="group")
    fills = {
        re.search(r'label="(\w+)', a).group(1): re.search(r'fillcolor="(#\w+)"', a).group(1)  # type: ignore[union-attr]
        for a in nodes(text).values()
    }
    assert len(set(fills.values())) == 2 and set(fills) == {"ones", "add"}


def test_large_graphs_collapse_into_operations() -> None:
    n = COLLAPSE_THRESHOLD + 1
    dsk: dict[Any, Any] = {("x-1234abcd", i): i for i in range(n)}
    dsk.update({("y-1234abcd", i): (add, ("x-1234abcd", i), 1) for i in range(n)})
    dsk["total"] = (sum, [("y-1234abcd", i) for i in range(n)])
    text = to_dot(dsk, ["total"])
    labels = sorted(re.findall(r'label="([^"]*)"', text))
    assert labels == sorted([f"x | {n} tasks", f"y | {n} tasks", "total | 1 task", str(n), str(n)])
    assert len(edges(text)) == 2
    assert len(nodes(to_dot(dsk, ["total"], collapse=False))) == 2 * n + 1
    assert len(nodes(to_dot(DSK, ["d"], collapse=True))) == 4  # one name each


def test_awkward_keys_are_quoted() -> None:
    dsk = {'say "hi"\\': 1, ("t", 0): (add, 'say "hi"\\', 1)}
    text = to_dot(dsk, [("t", 0)])
    assert 'label="say \\"hi\\"\\\\"' in text


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"color": "rainbow"}, "color must be"), ({"rankdir": "UP"}, "rankdir")]
)
def test_bad_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        to_dot(DSK, ["d"], **kwargs)


def test_dot_source_file_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    b = db.from_sequence(range(6), npartitions=3).map(str)
    path = tmp_path / "bag.dot"
    text = b.visualize(path, color="group")
    assert path.read_text() == text + "\n"
    assert "from_sequence" in text and "map-str" in text
    assert os.listdir(tmp_path) == ["bag.dot"]


def test_missing_dot_program_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"dot` program.*install graphviz"):
        tessera.visualize(DSK, filename=tmp_path / "g.png")
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r"pip install \"tessera\[diagnostics\]\""):
        tessera.visualize(DSK, filename=tmp_path / "g.png")
    assert os.listdir(tmp_path) == []


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="collections or task graphs"):
        tessera.visualize(3, filename=None)
    with pytest.raises(ValueError, match="at least one"):
        tessera.visualize(filename=None)


@needs_dot
def test_png_of_two_collections_sharing_work(tmp_path: Path) -> None:
    x = da.ones((4, 4), chunks=2) + 1
    y, z = x.sum(), x.mean()
    source = tessera.visualize(y, z, filename=tmp_path / "graph", color="group")
    data = (tmp_path / "graph.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert source.source.count('label="add') == 4  # shared by y and z, drawn once
    assert os.listdir(tmp_path) == ["graph.png"]


@needs_dot
def test_svg_through_the_collection_method(tmp_path: Path) -> None:
    x = da.ones((6, 6), chunks=3).T
    x.visualize(tmp_path / "t.svg", optimize_graph=True, rankdir="LR")
    text = (tmp_path / "t.svg").read_text()
    assert "<svg" in text and "transpose" in text
    assert tessera.visualize(x, filename=None).source.startswith("digraph tessera")
