"""The one waist of block-by-block operations: :func:`blockwise`.

Map
---
- :func:`blockwise` -- ``func`` applied to matching blocks of several arrays, the blocks
  lined up by index letters (``"ij"``, ``"jk"``...), as in Einstein notation.
- :func:`unify_chunks` -- rechunk arrays so that axes sharing a letter share chunks.
- :func:`lengths_match` -- whether two axes may be lined up (equal lengths, or unknown
  chunks of the same pattern).
- :func:`probe_block`, :func:`probe_dtype` -- one-element stand-ins for blocks, and the
  dtype of a function's result on them (how ``dtype`` is inferred when not given).
- :class:`LengthCheck` -- a task whose blocks have axes of unknown length: it checks them
  before the call.

Rules: an output block ``(i, j)`` calls ``func`` on, for each array argument, the block
whose letters take the same values.  A letter that appears in inputs but not in the
output is *contracted*: ``func`` receives the list of blocks along it (or, with
``concatenate=True``, those blocks joined into one).  An axis with one block of length 1
broadcasts against any number of blocks.  Axes of unknown chunk sizes (nan, after
boolean indexing) line up when their chunks have the same pattern -- as Dask, tessera
assumes such axes come from the same array and are equal when building the graph; each
task where two such blocks meet checks at compute time that their lengths are equal (a
:class:`LengthCheck`), so unequal arrays fail with NumPy's ``ValueError`` instead of
broadcasting a block of length 1.
``new_axes`` adds output axes of given sizes; ``adjust_chunks`` changes output chunk
sizes (a callable, an int, or a tuple).
Non-array arguments (index ``None``) are passed as they are to every call.

>>> import numpy as np, tessera.array as da
>>> x = da.ones((4, 6), chunks=2)
>>> y = blockwise(np.add, "ij", x, "ij", 10, None, dtype=x.dtype)
>>> y.compute()[0, :3]
array([11., 11., 11.])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import product
from typing import Any

import numpy as np

from tessera.array.core import Array, new_array
from tessera.hashing import tokenize

__all__ = [
    "LengthCheck",
    "blockwise",
    "common_chunks",
    "lengths_match",
    "probe_block",
    "probe_dtype",
    "unify_chunks",
]


def probe_block(x: Any, ndim: int | None = None) -> Any:
    """A one-element stand-in (of ``ndim`` axes) for a block of ``x``; other values as they are.

    >>> import tessera.array as da
    >>> probe_block(da.zeros((4, 4), dtype="i2", chunks=2))
    array([[1]], dtype=int16)
    >>> probe_block(3.5)
    3.5
    """
    if isinstance(x, (Array, np.ndarray)):
        return np.ones((1,) * (x.ndim if ndim is None else ndim), dtype=x.dtype)
    return x


def probe_dtype(func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """The dtype of ``func(*args, **kwargs)``, already called on stand-in blocks.

    ``args`` hold the stand-ins (see :func:`probe_block`); NumPy's warnings are silenced
    and its errors come out as they are.

    >>> probe_dtype(np.sqrt, [probe_block(np.arange(3))], {})
    dtype('float64')
    """
    with np.errstate(all="ignore"):
        out = func(*args, **kwargs)
    dtype = getattr(out, "dtype", None)
    return np.asarray(out).dtype if dtype is None else np.dtype(dtype)


def inference_error(where: str, func: Callable[..., Any], err: Exception) -> ValueError:
    """The error raised when ``func`` fails on stand-in blocks and no ``dtype`` was given."""
    fname = getattr(func, "__name__", type(func).__name__)
    return ValueError(
        f"dtype inference failed in {where}: calling {fname} on one-element stand-in blocks "
        f"raised {type(err).__name__}: {err}; pass dtype= (the dtype of the result) to "
        f"{where} to skip the inference."
    )


def common_chunks(all_chunks: list[tuple[int, ...]]) -> tuple[int, ...]:
    """The coarsest chunks that refine every one of ``all_chunks`` (same length axes).

    >>> common_chunks([(2, 2), (1, 3)])
    (1, 1, 2)"""
    bounds: set[int] = set()
    for c in all_chunks:
        total = 0
        for x in c:
            total += x
            bounds.add(total)
    edges = sorted(bounds)
    return tuple(b - a for a, b in zip([0, *edges[:-1]], edges, strict=True)) or (0,)


def _pattern(chunks: tuple[Any, ...]) -> tuple[Any, ...]:
    """``chunks`` with unknown sizes as ``None``: equal patterns compare equal (nan does not)."""
    return tuple(None if math.isnan(c) else c for c in chunks)


def lengths_match(a_chunks: tuple[Any, ...], b_chunks: tuple[Any, ...], what: str) -> bool:
    """Whether two axes have the same length: both known and equal, or both of unknown
    chunks with the same pattern (assumed equal); unknown chunks otherwise raise.

    >>> lengths_match((2, 2), (3, 1), "dot"), lengths_match((2, 2), (3,), "dot")
    (True, False)
    >>> nan = float("nan")
    >>> lengths_match((nan, nan), (nan, nan), "dot")
    True
    >>> lengths_match((nan, nan), (4,), "dot")
    Traceback (most recent call last):
    ...
    ValueError: dot needs known chunk sizes, but this array's chunks are ((nan, nan), (4,)) ...
    """
    pa, pb = _pattern(a_chunks), _pattern(b_chunks)
    if None in pa or None in pb:
        if pa != pb:
            from tessera.array.masking import unknown_error

            raise unknown_error(what, (a_chunks, b_chunks))
        return True
    return bool(np.sum(a_chunks) == np.sum(b_chunks))


def unify_chunks(*pairs: Any) -> tuple[dict[str, tuple[int, ...]], list[Any]]:
    """Rechunk the arrays in ``(arg, index)`` pairs so equal letters have equal chunks.

    Returns the chunks of each letter and the (possibly rechunked) arguments.

    >>> import tessera.array as da
    >>> a, b = da.ones(6, chunks=3), da.ones(6, chunks=2)
    >>> chunks, (a2, b2) = unify_chunks(a, "i", b, "i")
    >>> chunks["i"], a2.chunks, b2.chunks
    ((2, 1, 1, 2), ((2, 1, 1, 2),), ((2, 1, 1, 2),))
    """
    from tessera.array.rechunk import rechunk

    args, inds = list(pairs[::2]), list(pairs[1::2])
    axes: dict[str, list[tuple[Array, int]]] = {}
    for a, ind in zip(args, inds, strict=True):
        if isinstance(a, Array) and ind is not None:
            for axis, letter in enumerate(ind):
                axes.setdefault(letter, []).append((a, axis))
    common: dict[str, tuple[int, ...]] = {}
    length: dict[str, int] = {}
    for letter, uses in axes.items():
        unknown = [a.chunks[ax] for a, ax in uses if math.isnan(a.shape[ax])]
        if unknown:  # the same unknown chunks line up as they are; length 1 broadcasts
            others = {_pattern(a.chunks[ax]) for a, ax in uses if a.shape[ax] != 1}
            if len(others) > 1:
                from tessera.array.masking import unknown_error

                distinct = {a.chunks[ax] for a, ax in uses}
                raise unknown_error(f"Combining arrays along index {letter!r}", distinct)
            common[letter], length[letter] = unknown[0], -1
            continue
        sizes = {a.shape[axis] for a, axis in uses}
        full = max(sizes - {1}, default=1)
        if len(sizes - {1, full}) > 0:
            shapes = " and ".join(str(a.shape) for a, _ in uses)
            raise ValueError(
                f"Shapes {shapes} do not match along index {letter!r}: lengths "
                f"{sorted(sizes)}. Arrays combined block by block need equal lengths on shared "
                "axes, or length 1 to broadcast."
            )
        length[letter] = full
        common[letter] = common_chunks([a.chunks[ax] for a, ax in uses if a.shape[ax] == full])
    out = []
    for a, ind in zip(args, inds, strict=True):
        if isinstance(a, Array) and ind is not None:
            want = tuple(
                a.chunks[axis]  # unknown: kept as is (same pattern as common[letter])
                if length[letter] < 0 and a.shape[axis] != 1
                else common[letter]
                if a.shape[axis] == length[letter]
                else (1,)
                for axis, letter in enumerate(ind)
            )
            if want != a.chunks:
                a = rechunk(a, want)
        out.append(a)
    return common, out


@dataclass(frozen=True)
class LengthCheck:
    """``func(*args)`` after checking that the blocks at ``groups`` have equal lengths.

    Each group lists ``(argument position, axis)`` pairs of one index letter whose chunk
    sizes are unknown in the graph: NumPy would refuse arrays of different lengths there,
    so blocks of different lengths (even one of length 1) raise its ``ValueError``.

    >>> check = LengthCheck(np.add, (((0, 0), (1, 0)),))
    >>> check(np.ones(2), np.ones(2))
    array([2., 2.])
    >>> check(np.ones(2), np.ones(1))
    Traceback (most recent call last):
    ...
    ValueError: operands could not be broadcast together with shapes (2,) (1,) ...
    """

    func: Callable[..., Any]
    groups: tuple[tuple[tuple[int, int], ...], ...]

    def __call__(self, *args: Any) -> Any:
        for group in self.groups:
            if len({np.shape(args[i])[ax] for i, ax in group}) > 1:
                shapes = " ".join(
                    str(np.shape(args[i])) for i in dict.fromkeys(i for i, _ in group)
                )
                raise ValueError(
                    f"operands could not be broadcast together with shapes {shapes} (blocks of "
                    "arrays whose chunk sizes are unknown, e.g. after boolean indexing): the "
                    "arrays have different lengths; check their shapes with "
                    "x.compute_chunk_sizes()."
                )
        return self.func(*args)


def _unknown_groups(pairs: list[Any], out_ind: tuple[str, ...], concatenate: bool) -> Any:
    """The :class:`LengthCheck` groups: letters that two or more unknown-length axes share.

    Arguments passed as lists of blocks (contracted letters without ``concatenate``) are
    left out."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for pos, (a, ind) in enumerate(zip(pairs[::2], pairs[1::2], strict=True)):
        if not isinstance(a, Array) or ind is None:
            continue
        if not concatenate and any(i not in out_ind for i in ind):
            continue
        for axis, letter in enumerate(ind):
            if math.isnan(a.shape[axis]):
                groups.setdefault(letter, []).append((pos, axis))
    return tuple(tuple(g) for g in groups.values() if len(g) > 1)


def _concatenate_along(blocks: list[Any], axes: list[int]) -> Any:
    """Join nested lists of blocks (one level per contracted axis) along ``axes``."""
    if not axes:
        return blocks
    parts = [_concatenate_along(b, axes[1:]) for b in blocks]
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=axes[0])


def blockwise(
    func: Callable[..., Any],
    out_ind: str | Sequence[str],
    *args: Any,
    dtype: Any = None,
    name: str | None = None,
    token: str | None = None,
    meta: Any = None,
    new_axes: dict[str, int] | None = None,
    adjust_chunks: dict[str, Any] | None = None,
    concatenate: bool = False,
    align_arrays: bool = True,
    **kwargs: Any,
) -> Array:
    """Apply ``func`` block by block; see the module docstring for the rules.

    Parameters
    ----------
    func : callable
        Called once per output block.
    out_ind : str
        Index letters of the output axes.
    *args
        Pairs ``argument, index``: an :class:`Array` with a string of letters (one per
        axis), or any other value with ``None``.
    dtype : dtype, optional
        The output dtype; default: ``meta.dtype``, else the dtype of ``func`` called on
        one-element stand-ins of the blocks (a ``ValueError`` asks for ``dtype=`` when
        that call fails).
    name : str, optional
        Output layer name; default: ``token`` (or ``func``'s name) and a token of the
        inputs.
    token : str, optional
        Prefix of the default name.
    meta : array, optional
        An empty array of the output type, for its dtype.
    new_axes : dict, optional
        Letters of output axes that no input has, with their lengths.
    adjust_chunks : dict, optional
        Per letter: a function of a block size, a new size, or explicit chunks.
    concatenate : bool
        Join the blocks of contracted axes into one array for ``func``.
    align_arrays : bool
        Rechunk inputs so shared letters have equal chunks.
    **kwargs
        Passed to every ``func`` call.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=3)
    >>> blockwise(np.outer, "ij", x, "i", x, "j", dtype=x.dtype).compute().shape
    (6, 6)
    >>> blockwise(np.sqrt, "i", x, "i").dtype  # inferred
    dtype('float64')
    """
    if len(args) % 2:
        raise TypeError("blockwise takes arguments in pairs: array, index (or value, None)")
    out_ind = tuple(out_ind)
    pairs = list(args)
    if align_arrays:
        letter_chunks, new_args = unify_chunks(*pairs)
        pairs[::2] = new_args
    else:
        letter_chunks = {}
        for a, ind in zip(pairs[::2], pairs[1::2], strict=True):
            if isinstance(a, Array) and ind is not None:
                for axis, letter in enumerate(ind):
                    if letter not in letter_chunks or letter_chunks[letter] == (1,):
                        letter_chunks[letter] = a.chunks[axis]
    for letter, size in (new_axes or {}).items():
        letter_chunks[letter] = size if isinstance(size, tuple) else (int(size),)
    missing = [i for i in out_ind if i not in letter_chunks]
    if missing:
        raise ValueError(f"Output index {missing[0]!r} appears in no input and not in new_axes")
    contracted = sorted({i for ind in pairs[1::2] if ind is not None for i in ind} - set(out_ind))
    if dtype is None:
        dtype = (
            np.asarray(meta).dtype
            if meta is not None
            else _infer(func, pairs, contracted, concatenate, kwargs)
        )
    if name is None:
        prefix = token or getattr(func, "__name__", type(func).__name__)
        digest = tokenize(
            func, out_ind, *pairs, dtype, new_axes, adjust_chunks, concatenate, kwargs
        )
        name = f"{prefix}-{digest}"
    call = partial(func, **kwargs) if kwargs else func
    groups = _unknown_groups(pairs, out_ind, concatenate)
    if groups:
        call = LengthCheck(call, groups)
    numblocks = {letter: len(c) for letter, c in letter_chunks.items()}
    layer: dict[Any, Any] = {}
    for idx in product(*(range(numblocks[i]) for i in out_ind)):
        where = dict(zip(out_ind, idx, strict=True))
        task_args = [
            _argument(a, ind, where, contracted, numblocks, concatenate)
            for a, ind in zip(pairs[::2], pairs[1::2], strict=True)
        ]
        key = (name, *idx)
        layer[key] = (call, *task_args)
    chunks = tuple(_adjust(letter_chunks[i], (adjust_chunks or {}).get(i)) for i in out_ind)
    return new_array(name, layer, chunks, dtype, inputs=pairs[::2])


def _infer(
    func: Callable[..., Any],
    pairs: list[Any],
    contracted: list[str],
    concatenate: bool,
    kwargs: dict[str, Any],
) -> Any:
    """The output dtype of ``func`` on stand-in blocks (lists along contracted letters)."""
    stand_ins = []
    for a, ind in zip(pairs[::2], pairs[1::2], strict=True):
        block = probe_block(a) if ind is not None else a
        if ind is not None and not concatenate:
            for _ in (i for i in ind if i in contracted):
                block = [block]
        stand_ins.append(block)
    try:
        return probe_dtype(func, stand_ins, kwargs)
    except Exception as err:
        raise inference_error("blockwise", func, err) from err


def _argument(
    a: Any,
    ind: Any,
    where: dict[str, int],
    contracted: list[str],
    numblocks: dict[str, int],
    concatenate: bool,
) -> Any:
    if not isinstance(a, Array) or ind is None:
        return a
    own = [i for i in ind if i in contracted]

    def key(values: dict[str, int]) -> tuple[Any, ...]:
        return (
            a.name,
            *(values[i] if a.numblocks[ax] > 1 else 0 for ax, i in enumerate(ind)),
        )

    if not own:
        return key(where)

    def nest(level: int, values: dict[str, int]) -> Any:
        if level == len(own):
            return key(values)
        letter = own[level]
        n = a.numblocks[ind.index(letter)]
        return [nest(level + 1, {**values, letter: j}) for j in range(n)]

    blocks = nest(0, dict(where))
    if concatenate:
        axes = [ind.index(i) for i in own]
        return (_concatenate_along, blocks, axes)
    return blocks


def _adjust(chunks: tuple[int, ...], how: Any) -> tuple[int, ...]:
    if how is None:
        return chunks
    if callable(how):
        return tuple(int(how(c)) for c in chunks)
    if isinstance(how, int):
        return (how,) * len(chunks)
    return tuple(how)
