"""tessera.array: lazy, chunked NumPy arrays (``import tessera.array as da``).

Map
---
- :mod:`~tessera.array.core` -- the :class:`Array` collection.
- :mod:`~tessera.array.chunks` -- chunk specifications.
- :mod:`~tessera.array.creation` -- ``from_array``, ``arange``, ``ones``...
- :mod:`~tessera.array.blockwise` -- the block-by-block waist.
- :mod:`~tessera.array.elementwise` -- operators, ufuncs, ``where``;
  :mod:`~tessera.array.mapblocks` -- ``map_blocks`` (``block_id``/``block_info``,
  ``enforce_ndim``).
- :mod:`~tessera.array.rechunk` -- changing chunks.
- :mod:`~tessera.array.overlap` -- ``map_overlap`` and the ``overlap`` submodule
  (blocks sharing borders with their neighbours, ``sliding_window_view``).
- :mod:`~tessera.array.assign` -- item assignment (``x[x > 5] = 0``).
- :mod:`~tessera.array.array_function` -- NumPy functions on tessera arrays stay lazy.
- :mod:`~tessera.array.fusion` -- graph optimization: reductions over blocks made in
  cache-sized pieces.
- the NumPy routines, one module each: ``reductions``, ``routines``, ``slicing``,
  ``linalg``, ``einsumfuncs``, ``diagonals``, ``shifting``, ``ufuncs``, ``random``,
  ``routines_extra`` (median, top-k...), ``routines_select`` (select, insert, delete...).

The default scheduler is threads.

>>> import tessera.array as da
>>> x = da.arange(100, chunks=10)
>>> int(x.sum().compute())
4950
>>> y, z = (x + 1).sum(), (x + 1).mean()
>>> da.compute(y, z)
(np.int64(5050), np.float64(50.5))
"""

from tessera.array import diagonals as _diagonals
from tessera.array import elementwise as _elementwise  # noqa: F401 - installs operators
from tessera.array import linalg as _linalg
from tessera.array import overlap, random
from tessera.array import reductions as _reductions
from tessera.array import routines as _routines
from tessera.array import routines_axis as _routines_axis
from tessera.array import routines_extra as _routines_extra
from tessera.array import routines_hist as _routines_hist
from tessera.array import routines_search as _routines_search
from tessera.array import routines_select as _routines_select
from tessera.array import routines_sets as _routines_sets
from tessera.array import routines_shape as _routines_shape
from tessera.array import routines_stats as _routines_stats
from tessera.array import shifting as _shifting
from tessera.array import slicing as _slicing
from tessera.array import ufuncs as _ufuncs
from tessera.array.blockwise import blockwise
from tessera.array.chunks import normalize_chunks
from tessera.array.core import Array
from tessera.array.creation import (
    arange,
    array,
    asarray,
    empty,
    empty_like,
    eye,
    from_array,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    zeros,
    zeros_like,
)
from tessera.array.diagonals import *  # noqa: F403
from tessera.array.einsumfuncs import einsum
from tessera.array.elementwise import astype, elemwise, map_blocks, where
from tessera.array.linalg import *  # noqa: F403
from tessera.array.npystack import from_npy_stack, to_npy_stack
from tessera.array.overlap import map_overlap
from tessera.array.rechunk import rechunk
from tessera.array.reductions import *  # noqa: F403
from tessera.array.routines import *  # noqa: F403
from tessera.array.routines_axis import *  # noqa: F403
from tessera.array.routines_extra import *  # noqa: F403
from tessera.array.routines_hist import *  # noqa: F403
from tessera.array.routines_search import *  # noqa: F403
from tessera.array.routines_select import *  # noqa: F403
from tessera.array.routines_sets import *  # noqa: F403
from tessera.array.routines_shape import *  # noqa: F403
from tessera.array.routines_stats import *  # noqa: F403
from tessera.array.shifting import *  # noqa: F403
from tessera.array.slicing import *  # noqa: F403
from tessera.array.store import store
from tessera.array.ufuncs import *  # noqa: F403
from tessera.array.zarr_io import from_zarr, to_zarr
from tessera.base import compute, persist

__all__ = [
    "Array",
    "arange",
    "array",
    "asarray",
    "astype",
    "blockwise",
    "compute",
    "einsum",
    "elemwise",
    "empty",
    "empty_like",
    "eye",
    "from_array",
    "full",
    "full_like",
    "linspace",
    "map_blocks",
    "map_overlap",
    "normalize_chunks",
    "ones",
    "ones_like",
    "persist",
    "rechunk",
    "where",
    "zeros",
    "zeros_like",
    "overlap",
    "random",
    *_reductions.__all__,
    *_routines.__all__,
    *_routines_axis.__all__,
    *_routines_extra.__all__,
    *_routines_select.__all__,
    *_routines_hist.__all__,
    *_routines_search.__all__,
    *_routines_sets.__all__,
    *_routines_shape.__all__,
    *_routines_stats.__all__,
    *_slicing.__all__,
    *_linalg.__all__,
    *_diagonals.__all__,
    *_shifting.__all__,
    "from_npy_stack",
    "to_npy_stack",
    "store",
    "from_zarr",
    "to_zarr",
    *_ufuncs.__all__,
]
