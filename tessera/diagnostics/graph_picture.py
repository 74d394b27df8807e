"""``visualize``: a picture of the task graph of collections, through Graphviz.

Map
---
- :func:`visualize` -- collections (or graphs) -> a :class:`graphviz.Source` of their
  merged graph, written to ``filename`` (``.png``, ``.svg``, ``.pdf``, ``.dot``...).
- :func:`graph_and_keys` -- the merged graph and output keys of collections or graphs,
  optionally optimized as ``compute`` would run them.

Policy: the DOT text comes from :func:`~tessera.diagnostics.dot.to_dot` (pure Python).
Writing a ``.dot`` (or ``.gv``) file needs nothing else; any other format needs the
``graphviz`` Python package and Graphviz's ``dot`` program, checked up front with an
error that says what to install.  The picture is written under a temporary name and
renamed.  ``collapse=None`` shows one node per operation for graphs over
:data:`~tessera.diagnostics.dot.COLLAPSE_THRESHOLD` tasks.

>>> import os, tempfile
>>> import tessera.array as da
>>> x = da.ones((4, 4), chunks=2) + 1
>>> d = tempfile.mkdtemp()
>>> _ = visualize(x, filename=os.path.join(d, "graph.dot"), color="group")
>>> text = open(os.path.join(d, "graph.dot")).read()
>>> "add" in text and "ones" in text
True
>>> os.remove(os.path.join(d, "graph.dot")); os.rmdir(d)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from tessera.diagnostics.dot import to_dot
from tessera.diagnostics.output import atomic_path, file_format
from tessera.extras import import_extra

__all__ = ["graph_and_keys", "visualize"]

_SOURCE_FORMATS = ("dot", "gv")


def graph_and_keys(
    collections: tuple[Any, ...], optimize_graph: bool = False
) -> tuple[dict[Any, Any], list[Any]]:
    """Merge the graphs and output keys of collections or plain graphs.

    Parameters
    ----------
    collections : tuple
        tessera collections, or task graphs (mappings; all their keys are outputs).
    optimize_graph : bool
        Optimize the collections as ``compute`` would (cull, fuse chains).

    Returns
    -------
    (dict, list)
        The graph and the output keys.

    Examples
    --------
    >>> graph_and_keys(({"a": 1},))
    ({'a': 1}, ['a'])
    """
    from tessera.base import is_collection, optimize
    from tessera.scheduling.graph import flatten_keys

    dsk: dict[Any, Any] = {}
    keys: list[Any] = []
    found = [c for c in collections if is_collection(c)]
    if optimize_graph and found:
        found = list(optimize(*found))
    for c in found:
        dsk.update(c.__tessera_graph__())
        keys.extend(flatten_keys(c.__tessera_keys__()))
    for c in collections:
        if isinstance(c, Mapping):
            dsk.update(c)
            keys.extend(c)
        elif not is_collection(c):
            raise TypeError(
                f"visualize takes tessera collections or task graphs (dicts), got "
                f"{type(c).__name__}."
            )
    if not keys:
        raise ValueError("visualize needs at least one collection or graph to draw.")
    return dsk, keys


def _require_graphviz() -> Any:
    graphviz = import_extra(
        "graphviz",
        "Drawing a task graph",
        "diagnostics",
        hint=" It also needs Graphviz itself (apt install graphviz, brew install graphviz "
        "or conda install graphviz). A .dot file can be written without either.",
    )
    if shutil.which("dot") is None:
        raise RuntimeError(
            "Drawing a task graph needs Graphviz's `dot` program, which is not on PATH. "
            "Install Graphviz (apt install graphviz, brew install graphviz or conda "
            "install graphviz), or write the DOT source with filename='graph.dot'."
        )
    return graphviz


def visualize(
    *collections: Any,
    filename: str | os.PathLike[str] | None = "mydask",
    format: str | None = None,
    color: str | None = "order",
    collapse: bool | None = None,
    optimize_graph: bool = False,
    rankdir: str = "BT",
) -> Any:
    """Draw the task graph of one or more collections.

    Parameters
    ----------
    *collections
        tessera collections (arrays, bags, dataframes...) or task graphs (dicts); their
        graphs are merged, so shared work appears once.
    filename : str or path, optional
        Where to write the picture; without an extension, ``format`` (default ``png``)
        is appended.  ``None`` writes nothing.  ``.dot``/``.gv`` write the DOT source.
    format : str, optional
        Graphviz output format (``png``, ``svg``, ``pdf``...); default: the extension.
    color : {"order", "group", None}
        Fill nodes by static execution order (blue first, red last), by task group, or
        not at all.
    collapse : bool, optional
        One node per operation with its task count; default: for large graphs.
    optimize_graph : bool
        Draw the graph as ``compute`` runs it (culled, chains fused).
    rankdir : str
        Layout direction: ``"BT"`` (inputs at the bottom), ``"TB"``, ``"LR"``, ``"RL"``.

    Returns
    -------
    graphviz.Source or str
        The picture as a ``graphviz.Source`` (it displays itself in notebooks), or the
        DOT text when only a ``.dot`` file was asked for.

    Examples
    --------
    >>> import os, tempfile, tessera
    >>> path = os.path.join(tempfile.mkdtemp(), "g.dot")
    >>> text = tessera.visualize({"a": 1, "b": (abs, "a")}, filename=path)
    >>> text.startswith("digraph tessera"), open(path).read() == text + "\\n"
    (True, True)
    >>> os.remove(path); os.rmdir(os.path.dirname(path))
    """
    dsk, keys = graph_and_keys(collections, optimize_graph)
    text = to_dot(dsk, keys, color=color, collapse=collapse, rankdir=rankdir)
    if filename is not None:
        fmt = format or file_format(filename) or "png"
        if not file_format(filename):
            filename = f"{os.fspath(filename)}.{fmt}"
        if fmt in _SOURCE_FORMATS:
            with atomic_path(filename) as tmp, open(tmp, "w", encoding="utf-8") as f:
                f.write(text + "\n")
            return text
    graphviz = _require_graphviz()
    source = graphviz.Source(text)
    if filename is not None:
        data = source.pipe(format=fmt)
        with atomic_path(filename) as tmp, open(tmp, "wb") as f:
            f.write(data)
    return source
