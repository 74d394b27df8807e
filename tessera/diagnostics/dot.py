"""Task graphs as Graphviz DOT text: one node per task, or one per task group.

Map
---
- :func:`to_dot` -- a graph and its output keys -> DOT source (a ``str``).  Needs
  neither the ``graphviz`` package nor the ``dot`` program; :mod:`graph_picture
  <tessera.diagnostics.graph_picture>` renders it.
- :data:`COLLAPSE_THRESHOLD` -- above this many tasks the picture shows task groups.

Policy
------
- Per task: a node labelled with its task group and block index (``add (0, 1)``),
  an ellipse for a task and a box for data; an arrow from each dependency to its
  dependent; the output keys get a double border.  The full key is the tooltip.
- Collapsed: one node per key name (one operation: all blocks of ``add-<token>``),
  labelled with the group and the task count (``add | 16 tasks``); an arrow between two
  operations when a task of one depends on a task of the other, labelled with the
  number of such dependencies when more than one.
- ``color="order"``: nodes filled from blue (run first) to red (run last), following
  the static order of :mod:`tessera.scheduling.order` (the mean position of their tasks
  for a collapsed node); ``color="group"``: one colour per task group; ``None``: white.

>>> from operator import add
>>> text = to_dot({"a": 1, "b": (add, "a", 1)}, ["b"], color=None)
>>> print(text)  # doctest: +NORMALIZE_WHITESPACE
digraph tessera {
  rankdir="BT";
  node [style="filled", fillcolor="white", fontname="Helvetica"];
  edge [fontname="Helvetica"];
  n0 [label="a", shape="box", tooltip="'a'"];
  n1 [label="b", shape="ellipse", tooltip="'b'", peripheries="2"];
  n0 -> n1;
}
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from typing import Any

from tessera.diagnostics.groups import key_group, key_name, palette
from tessera.scheduling.graph import compile_graph, istask
from tessera.scheduling.order import order

__all__ = ["COLLAPSE_THRESHOLD", "COLORS", "to_dot"]

#: ``collapse=None`` draws one node per task group above this many tasks.
COLLAPSE_THRESHOLD = 200
#: The accepted ``color=`` values.
COLORS = ("order", "group", None)


def _quote(text: str) -> str:
    """A DOT string literal.

    >>> _quote('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attrs: Any) -> str:
    return ", ".join(f"{k}={_quote(str(v))}" for k, v in attrs.items() if v is not None)


def _order_color(position: float) -> str:
    """Blue (``0``, runs first) to red (``1``, runs last).

    >>> _order_color(0.0), _order_color(1.0)
    ('#6b90d6', '#d66b6b')
    """
    r, g, b = colorsys.hsv_to_rgb(0.61 * (1 - position), 0.5, 0.84)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _label(key: Any) -> str:
    group = key_group(key)
    if type(key) is tuple and len(key) > 1:
        index = key[1:] if len(key) > 2 else key[1]
        return f"{group} {index}"
    return group


def _fill(color: str | None, ranks: list[float], group: str, colors: dict[str, str]) -> Any:
    if color == "order":
        return _order_color(sum(ranks) / len(ranks))
    return colors[group] if color == "group" else None


def to_dot(
    dsk: Mapping[Any, Any],
    keys: Sequence[Any],
    *,
    color: str | None = "order",
    collapse: bool | None = None,
    rankdir: str = "BT",
) -> str:
    """Return the DOT source of the part of ``dsk`` that ``keys`` need.

    Parameters
    ----------
    dsk : mapping
        A task graph.
    keys : sequence
        The output keys (only what they need is drawn).
    color : {"order", "group", None}
        Fill by static execution order, by task group, or not at all.
    collapse : bool, optional
        One node per operation instead of one per task; default: when the graph has
        more than :data:`COLLAPSE_THRESHOLD` tasks.
    rankdir : str
        Graphviz ``rankdir``: ``"BT"`` (inputs at the bottom), ``"TB"``, ``"LR"``, ``"RL"``.

    Returns
    -------
    str
        The graph in Graphviz's DOT language (render it with ``dot -Tpng``).

    Examples
    --------
    >>> dsk = {("x-1234abcd", i): i for i in range(300)}
    >>> dsk["total"] = (sum, list(dsk))
    >>> text = to_dot(dsk, ["total"], color="group")
    >>> "300 tasks" in text, text.count(" -> ")
    (True, 1)
    """
    if color not in COLORS:
        raise ValueError(
            f"color must be 'order', 'group' or None, got {color!r}. 'order' fills nodes "
            "from blue (run first) to red (run last); 'group' colours each task group."
        )
    if rankdir not in ("BT", "TB", "LR", "RL"):
        raise ValueError(f"rankdir must be 'BT', 'TB', 'LR' or 'RL', got {rankdir!r}.")
    cg = compile_graph(dsk, keys)
    ordering = order(cg)
    rank = [0.0] * len(cg)
    for pos, i in enumerate(ordering):
        rank[i] = pos / max(len(cg) - 1, 1)
    if collapse is None:
        collapse = len(cg) > COLLAPSE_THRESHOLD
    # node of each task: itself, or its operation (key name) when collapsed; in run order
    node_of: dict[Any, int] = {}
    members: list[list[int]] = []
    for i in ordering:
        k = cg.keys[i]
        n = node_of.setdefault(key_name(k) if collapse else k, len(node_of))
        if n == len(members):
            members.append([])
        members[n].append(i)
    groups = sorted({key_group(k) for k in cg.keys})
    colors = dict(zip(groups, palette(len(groups)), strict=True))
    outputs = set(cg.outputs)
    lines = [
        "digraph tessera {",
        f"  rankdir={_quote(rankdir)};",
        '  node [style="filled", fillcolor="white", fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]
    for n, (name, ids) in enumerate(zip(node_of, members, strict=True)):
        first = cg.keys[ids[0]]
        if collapse:
            label, shape = f"{key_group(first)} | {len(ids)} task{'s' * (len(ids) != 1)}", "box"
        else:
            label, shape = _label(first), "ellipse" if istask(dsk[first]) else "box"
        attrs = _attrs(
            label=label,
            shape=shape,
            tooltip=repr(name),
            fillcolor=_fill(color, [rank[i] for i in ids], key_group(first), colors),
            peripheries="2" if outputs.intersection(ids) else None,
        )
        lines.append(f"  n{n} [{attrs}];")
    node = [0] * len(cg)
    for n, ids in enumerate(members):
        for i in ids:
            node[i] = n
    edges: dict[tuple[int, int], int] = {}
    for i, deps in enumerate(cg.deps):
        for d in deps:
            if node[d] != node[i]:
                edges[node[d], node[i]] = edges.get((node[d], node[i]), 0) + 1
    for (a, b), count in edges.items():
        label = f" [{_attrs(label=count)}]" if collapse and count > 1 else ""
        lines.append(f"  n{a} -> n{b}{label};")
    lines.append("}")
    return "\n".join(lines)
