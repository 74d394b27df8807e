"""``map_blocks``: a function applied to every block of one or more arrays.

Map
---
- :func:`map_blocks` -- ``func`` called once per output block with the matching blocks of
  the array arguments (one :func:`~tessera.array.blockwise.blockwise` call).
- :func:`block_info` -- the ``block_info`` dict of one output block.
- :class:`BlockCall` -- the task: ``func`` with its keywords, ``block_id`` /
  ``block_info`` when it asks for them, and the ``enforce_ndim`` check.

A tessera array given as a keyword argument reaches every call whole and computed (as
Dask does): its graph becomes a dependency of every task.

Policy: arrays are first rechunked to matching chunks (so ``block_info`` describes the
blocks ``func`` really gets); blocks along a dropped axis are joined into one.  Without
``dtype=`` (or ``meta=``) the dtype comes from calling ``func`` on one-element stand-in
blocks (with the ``block_id`` and ``block_info`` of the first block, whose output
``dtype`` is then ``None``); if that call fails, a ``ValueError`` asks for ``dtype=``.

>>> import numpy as np, tessera.array as da
>>> x = da.arange(12, chunks=4).reshape(3, 4).rechunk((2, 4))
>>> m = map_blocks(lambda b: b.mean(axis=1), x, drop_axis=1)
>>> m.dtype, m.compute()
(dtype('float64'), array([1.5, 5.5, 9.5]))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tessera.array.blockwise import (
    blockwise,
    inference_error,
    probe_block,
    probe_dtype,
    unify_chunks,
)
from tessera.array.chunks import chunk_bounds, normalize_chunks
from tessera.array.core import Array
from tessera.hashing import tokenize

__all__ = ["BlockCall", "block_info", "map_blocks"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_EXTRAS = ("block_id", "block_info")


@dataclass(frozen=True)
class BlockCall:
    """``func(*blocks, **kwargs)`` for one block of :func:`map_blocks`.

    ``wants`` names the extras ``func`` takes (``"block_id"``, ``"block_info"``): they
    come in a dict as the last argument but the ``lazy`` ones.  ``ndim``, when set, is the
    number of axes the result must have.  ``lazy`` names keyword arguments whose values
    come as the last positional arguments (computed tessera arrays).

    >>> BlockCall(np.add, (("dtype", "f4"),))(np.arange(2), 1)
    array([1., 2.], dtype=float32)
    >>> BlockCall(lambda b, block_id: b + block_id[0], wants=("block_id",))(
    ...     np.zeros(2), {"block_id": (3,)})
    array([3., 3.])
    >>> BlockCall(lambda b, y: b + y.sum(), lazy=("y",))(np.zeros(2), np.arange(4))
    array([6., 6.])
    """

    func: Callable[..., Any]
    kwargs: tuple[tuple[str, Any], ...] = ()
    wants: tuple[str, ...] = ()
    ndim: int | None = None
    lazy: tuple[str, ...] = ()

    @property
    def __name__(self) -> str:
        return str(getattr(self.func, "__name__", type(self.func).__name__))

    def __call__(self, *args: Any) -> Any:
        kwargs = dict(self.kwargs)
        if self.lazy:
            kwargs.update(zip(self.lazy, args[-len(self.lazy) :], strict=True))
            args = args[: -len(self.lazy)]
        if self.wants:
            *args, extras = args  # type: ignore[assignment]
            kwargs.update((k, extras[k]) for k in self.wants)
        out = self.func(*args, **kwargs)
        if self.ndim is not None and np.ndim(out) != self.ndim:
            raise ValueError(
                f"Dimension mismatch: expected the output of {self.__name__} to have "
                f"{self.ndim} dimensions (enforce_ndim=True), got {np.ndim(out)}. Fix "
                "drop_axis/new_axis/chunks or the function."
            )
        return out


class _Extras:
    """Placeholder argument, replaced by each block's ``block_id`` / ``block_info``."""


def block_info(
    pairs: Sequence[Any],
    out_ind: Sequence[str],
    out_chunks: tuple[tuple[int, ...], ...],
    idx: tuple[int, ...],
    dtype: Any,
) -> dict[Any, dict[str, Any]]:
    """The ``block_info`` dict of output block ``idx``.

    ``pairs`` are :func:`~tessera.array.blockwise.blockwise`'s ``(argument, index)``
    pairs.  Key ``i`` describes array argument ``i`` (``"shape"``, ``"num-chunks"``,
    ``"chunk-location"``, ``"array-location"``; a dropped axis counts as one chunk);
    key ``None`` the output block, with ``"chunk-shape"`` and ``"dtype"`` too.

    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=2)
    >>> info = block_info([x, "a"], "a", x.chunks, (1,), x.dtype)
    >>> info[0]["array-location"], info[None]["chunk-shape"]
    ([(2, 4)], (2,))
    """
    where = dict(zip(out_ind, idx, strict=True))
    info: dict[Any, dict[str, Any]] = {}
    for i, (a, ind) in enumerate(zip(pairs[::2], pairs[1::2], strict=True)):
        if not isinstance(a, Array) or ind is None:
            continue
        bounds = [
            chunk_bounds(c) if letter in where else [0, n]
            for c, n, letter in zip(a.chunks, a.shape, ind, strict=True)
        ]
        loc = tuple(
            where[letter] if len(b) > 2 else 0 for b, letter in zip(bounds, ind, strict=True)
        )
        info[i] = {
            "shape": a.shape,
            "num-chunks": tuple(len(b) - 1 for b in bounds),
            "chunk-location": loc,
            "array-location": [(b[j], b[j + 1]) for b, j in zip(bounds, loc, strict=True)],
        }
    out_bounds = [chunk_bounds(c) for c in out_chunks]
    info[None] = {
        "shape": tuple(sum(c) for c in out_chunks),
        "num-chunks": tuple(len(c) for c in out_chunks),
        "chunk-location": idx,
        "array-location": [(b[j], b[j + 1]) for b, j in zip(out_bounds, idx, strict=True)],
        "chunk-shape": tuple(c[j] for c, j in zip(out_chunks, idx, strict=True)),
        "dtype": dtype,
    }
    return info


def _axes(axes: int | Sequence[int] | None) -> tuple[int, ...]:
    if axes is None:
        return ()
    return (int(axes),) if isinstance(axes, (int, np.integer)) else tuple(int(a) for a in axes)


def _output_chunks(chunks: Any, out: Array) -> tuple[tuple[int, ...], ...]:
    """``chunks=`` as explicit chunks of ``out`` (one block size per axis, or all sizes)."""
    if len(chunks) != out.ndim:
        raise ValueError(
            f"chunks={chunks!r} has {len(chunks)} dimensions but the output has {out.ndim} "
            "(the inputs' axes minus drop_axis plus new_axis)"
        )
    full: tuple[tuple[int, ...], ...] = tuple(
        (int(c),) * n if isinstance(c, (int, np.integer)) else tuple(c)
        for c, n in zip(chunks, out.numblocks, strict=True)
    )
    if tuple(len(c) for c in full) != out.numblocks:
        raise ValueError(
            f"chunks={chunks!r} gives {tuple(len(c) for c in full)} blocks per axis but the "
            f"output has {out.numblocks}: give one size per block"
        )
    return normalize_chunks(full, tuple(sum(c) for c in full))


def map_blocks(
    func: Callable[..., Any],
    *args: Any,
    dtype: Any = None,
    chunks: Any = None,
    drop_axis: int | Sequence[int] | None = (),
    new_axis: int | Sequence[int] | None = (),
    name: str | None = None,
    token: str | None = None,
    meta: Any = None,
    enforce_ndim: bool = False,
    **kwargs: Any,
) -> Array:
    """Apply ``func`` to every block of the arrays in ``args``.

    Parameters
    ----------
    func : callable
        Called with the blocks (and the non-array ``args``) and ``kwargs``.  If it
        accepts ``block_id``, it gets the block's index; if it accepts ``block_info``,
        the dict made by :func:`block_info`.
    dtype : dtype, optional
        Output dtype; default: ``meta.dtype``, else inferred by calling ``func`` on
        one-element blocks.
    chunks : tuple, optional
        Output chunks (block shape, or explicit chunks) when ``func`` changes shapes.
    drop_axis, new_axis : int or sequence of int
        Axes that ``func`` removes from / adds to its output.
    name : str, optional
        The output layer name; default: ``token`` (or the function's name) and a token
        of the arguments.
    token : str, optional
        Prefix of the default name.
    meta : array, optional
        An empty array of the output type: its dtype is the output dtype.
    enforce_ndim : bool
        Check that every block ``func`` returns has the output's number of axes.
    **kwargs
        Passed to every call; a tessera array here is passed whole, computed.

    Examples
    --------
    >>> import tessera.array as da
    >>> x = da.arange(6, chunks=3)
    >>> map_blocks(lambda b: b * 10, x).compute()
    array([ 0, 10, 20, 30, 40, 50])
    >>> map_blocks(lambda b, block_id=None: np.full(b.shape, block_id[0]), x).compute()
    array([0, 0, 0, 1, 1, 1])
    >>> def offset(b, block_info=None):
    ...     return b + block_info[0]["array-location"][0][0]
    >>> map_blocks(offset, x).compute()
    array([0, 1, 2, 6, 7, 8])
    >>> map_blocks(lambda b, y: b + y.sum(), x, y=da.ones(2, chunks=1)).compute()
    array([2., 3., 4., 5., 6., 7.])
    """
    if not callable(func):
        raise TypeError(f"map_blocks expects a function first, got {type(func).__name__}")
    arrays = [a for a in args if isinstance(a, Array)]
    if not arrays:
        raise ValueError("map_blocks needs at least one tessera array argument")
    drop, new = _axes(drop_axis), _axes(new_axis)
    ndim = max(a.ndim for a in arrays)
    if any(not -ndim <= d < ndim for d in drop):
        raise ValueError(f"drop_axis={drop_axis!r} is out of range for {ndim}-d input arrays")
    in_ind = _LETTERS[:ndim]
    out_ind = [c for i, c in enumerate(in_ind) if i not in {d % ndim for d in drop}]
    out_ndim = len(out_ind) + len(new)
    if any(not -out_ndim <= a < out_ndim for a in new):
        raise ValueError(f"new_axis={new_axis!r} is out of range for a {out_ndim}-d output")
    spare = iter(_LETTERS[ndim:])
    new_axes = {}
    for ax in sorted(a % out_ndim for a in new):
        letter = next(spare)
        out_ind.insert(ax, letter)
        new_axes[letter] = 1
    pairs: list[Any] = []
    for a in args:
        pairs += [a, in_ind[ndim - a.ndim :]] if isinstance(a, Array) else [a, None]
    pairs[::2] = unify_chunks(*pairs)[1]
    if dtype is None and meta is not None:
        dtype = np.asarray(meta).dtype
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    wants = tuple(p for p in _EXTRAS if p in params)
    lazy = _lazy_keywords(kwargs)
    plain = tuple((k, v) for k, v in kwargs.items() if k not in lazy)
    call = BlockCall(func, plain, wants, out_ndim if enforce_ndim else None, tuple(lazy))
    if name is None:
        fname = token or call.__name__
        name = f"{fname}-{tokenize(func, dtype, chunks, drop, new, enforce_ndim, *pairs, kwargs)}"
    extra = [_Extras(), None] if wants else []
    placeholder = arrays[0].dtype if dtype is None else dtype
    out = blockwise(
        call, out_ind, *pairs, *extra, dtype=placeholder, name=name, new_axes=new_axes,
        concatenate=True, align_arrays=False,
    )  # fmt: skip
    out_chunks = out.chunks if chunks is None else _output_chunks(chunks, out)

    def extras(idx: tuple[int, ...], dt: Any) -> dict[str, Any]:
        found = {"block_id": idx}
        if "block_info" in wants:
            found["block_info"] = block_info(pairs, out_ind, out_chunks, idx, dt)  # type: ignore[assignment]
        return found

    if dtype is None:
        stand_ins = [probe_block(a) for a in pairs[::2]]
        if wants:
            stand_ins.append(extras((0,) * out_ndim, None))
        stand_ins += [probe_block(v) for v in lazy.values()]
        try:
            dtype = probe_dtype(replace(call, ndim=None), stand_ins, {})
        except Exception as err:
            raise inference_error("map_blocks", call, err) from err
    layers = dict(out.layers)
    wholes = []
    for v in lazy.values():
        layers.update(v.layers)
        finalize, extra_args = v.__tessera_postcompute__()
        wholes.append((finalize, v.__tessera_keys__(), *extra_args))
    if wants or wholes:
        layers[name] = {
            key: (
                *((*task[:-1], extras(key[1:], np.dtype(dtype))) if wants else task),
                *wholes,
            )
            for key, task in out.layers[name].items()
        }
    return Array(layers, name, out_chunks, dtype)


def _lazy_keywords(kwargs: dict[str, Any]) -> dict[str, Array]:
    """The keyword arguments that are tessera arrays; other lazy collections raise."""
    from tessera.base import is_collection

    lazy = {}
    for k, v in kwargs.items():
        if isinstance(v, Array):
            lazy[k] = v
        elif is_collection(v):
            raise TypeError(
                f"map_blocks got a lazy {type(v).__name__} as keyword argument {k!r}: only "
                "tessera arrays are passed (whole, computed) from keywords; compute it first "
                "or pass it as an array argument."
            )
    return lazy
