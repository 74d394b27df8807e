"""Fusing consecutive element-wise steps into one pass over each partition.

Map
---
- :class:`Pipeline` -- several stages (objects with ``lazy(iterable) -> iterator``:
  ``map``, ``filter``, ``flatten``, ``starmap``...) run as one chain of iterators, so
  the intermediate partitions are never built.
- :func:`fuse_pipelines` -- the graph rewrite, run by the bags' optimizer before the
  scheduler's chain fusion.  A task only ever absorbs an input that nothing else uses
  and nobody asked for:

  1. a stage task ``(stage, key)`` absorbs the stage task at ``key``: one pipeline;
  2. ``read_text``'s source (:class:`~tessera.bag.text.ReadText`, which has
     ``with_post``) absorbs a pipeline starting with ``str.split`` + ``flatten``, and
     splits the whole text at once;
  3. a reduction's per-partition task (``with_pre``: ``count``, ``sum``,
     ``frequencies``, ``foldby``, ``topk``...) absorbs the pipeline before it and
     consumes its elements as they come, so they are never held in a list;
  4. any other source with ``with_post`` absorbs the pipeline after it.

Why: ``read_text(...).str.split().flatten()`` would otherwise make, per partition, a
list of 100,000 lists that is only iterated once; building and freeing it costs more
than the splitting (and the cyclic garbage collector scans all of them, repeatedly).
Fused, each line's list of words is made, consumed and freed at once, and the loop
stays in C (``chain.from_iterable(map(str.split, lines))``).  What a stored key holds
is unchanged: the pipeline's result is a list.

>>> from tessera.bag.partitions import Flatten, MapElements, Select
>>> from tessera.bag.graph import Literal
>>> dsk = {("a", 0): (Literal(["x y", "z"]),),
...        ("b", 0): (MapElements(str.split), ("a", 0)),
...        ("c", 0): (Flatten(), ("b", 0)),
...        ("d", 0): (Select(str.isalpha, True), ("c", 0))}
>>> fused = fuse_pipelines(dsk, [("d", 0)])
>>> sorted(fused), fused[("d", 0)][0]
([('a', 0), ('d', 0)], Pipeline(splitwords, select))
>>> fused[("d", 0)][0](["x y", "z"])
['x', 'y', 'z']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tessera.bag.graph import funcname
from tessera.bag.partitions import Flatten, SplitWords, is_split_words
from tessera.scheduling.graph import flatten_keys, get_dependencies, iskey

__all__ = ["Pipeline", "fuse_pipelines", "is_stage_task"]


class Pipeline:
    """Stages applied one after the other, lazily; calling it returns a list.

    >>> from tessera.bag.partitions import MapElements, Select
    >>> Pipeline((MapElements(abs), Select(bool, True)))([-1, 0, 2])
    [1, 2]
    """

    __slots__ = ("stages",)

    def __init__(self, stages: tuple[Any, ...]) -> None:
        flat: list[Any] = []
        for s in stages:
            flat.extend(s.stages if isinstance(s, Pipeline) else [s])
        self.stages: tuple[Any, ...] = tuple(_peephole(flat))

    def lazy(self, it: Iterable[Any]) -> Iterator[Any]:
        """The elements after every stage, one at a time.

        >>> from tessera.bag.partitions import MapElements
        >>> list(Pipeline((MapElements(str.upper),)).lazy("ab"))
        ['A', 'B']
        """
        out: Iterable[Any] = it
        for stage in self.stages:
            out = stage.lazy(out)
        return iter(out)

    def __call__(self, part: list[Any]) -> list[Any]:
        out: Iterable[Any] = part
        for stage in self.stages[:-1]:
            out = stage.lazy(out)
        result: list[Any] = self.stages[-1](out)
        return result

    def __reduce__(self) -> tuple[type[Pipeline], tuple[tuple[Any, ...]]]:
        return Pipeline, (self.stages,)

    def __repr__(self) -> str:
        names = ", ".join(funcname(type(s)) for s in self.stages)
        return f"Pipeline({names})"


def _peephole(stages: list[Any]) -> list[Any]:
    """Replace ``map(x.split())`` followed by ``flatten`` with :class:`SplitWords`."""
    out: list[Any] = []
    for s in stages:
        if type(s) is Flatten and out and is_split_words(out[-1]):
            out[-1] = SplitWords()
        else:
            out.append(s)
    return out


def is_stage_task(task: Any, dsk: Mapping[Any, Any]) -> bool:
    """Whether ``task`` is ``(stage, key)``: a fusable step over one partition.

    >>> from tessera.bag.partitions import Flatten
    >>> is_stage_task((Flatten(), ("a", 0)), {("a", 0): [[1]]}), is_stage_task((len, "a"), {})
    (True, False)
    """
    return (
        type(task) is tuple
        and len(task) == 2
        and callable(getattr(task[0], "lazy", None))
        and iskey(task[1])
        and task[1] in dsk
    )


def fuse_pipelines(dsk: Mapping[Any, Any], keys: Any) -> dict[Any, Any]:
    """Return ``dsk`` with runs of element-wise steps fused (see the module docstring).

    A task absorbs its input only if that input is used by nothing else and is not among
    ``keys``, so every value anyone can ask for is still computed.

    >>> from tessera.bag.partitions import MapElements
    >>> dsk = {"a": [1, -2], "b": (MapElements(abs), "a"), "c": (MapElements(str), "b")}
    >>> fused = fuse_pipelines(dsk, ["c"])
    >>> sorted(fused), fused["c"][0]
    (['a', 'c'], Pipeline(mapelements, mapelements))
    >>> sorted(fuse_pipelines(dsk, ["b", "c"]))
    ['a', 'b', 'c']
    """
    outputs = set(flatten_keys(keys))
    uses: dict[Any, int] = {}
    for k in dsk:
        for d in get_dependencies(dsk, k):
            uses[d] = uses.get(d, 0) + 1
    out = dict(dsk)

    def absorbable(src: Any) -> bool:
        return src not in outputs and uses.get(src) == 1 and is_stage_task(out[src], out)

    for k in list(out):  # 1. consecutive stages -> one pipeline
        task = out.get(k)
        if task is None or not is_stage_task(task, out):
            continue
        stages, src = [task[0]], task[1]
        while absorbable(src):
            stages.insert(0, out[src][0])
            src = out.pop(src)[1]
        if len(stages) > 1:
            out[k] = (Pipeline(tuple(stages)), src)
    _fuse_sources(out, outputs, uses, words_only=True)
    for k in list(out):  # 3. a reduction streams the steps before it
        task = out.get(k)
        if type(task) is not tuple or len(task) != 2:
            continue
        with_pre = getattr(task[0], "with_pre", None)
        if callable(with_pre) and iskey(task[1]) and task[1] in out and absorbable(task[1]):
            fused = with_pre(out[task[1]][0])
            if fused is not None:
                out[k] = (fused, out.pop(task[1])[1])
    _fuse_sources(out, outputs, uses, words_only=False)
    return out


def _fuse_sources(
    out: dict[Any, Any], outputs: set[Any], uses: dict[Any, int], words_only: bool
) -> None:
    """A source task ``(source,)`` absorbs the stage task that alone uses it."""
    for k in list(out):
        task = out.get(k)
        if task is None or not is_stage_task(task, out):
            continue
        src, stage = task[1], task[0]
        if words_only and not isinstance(_first(stage), SplitWords):
            continue
        source = out[src]
        if (
            src not in outputs
            and uses.get(src) == 1
            and type(source) is tuple
            and len(source) == 1
            and callable(getattr(source[0], "with_post", None))
        ):
            out[k] = (source[0].with_post(stage),)
            del out[src]


def _first(stage: Any) -> Any:
    return stage.stages[0] if isinstance(stage, Pipeline) else stage
